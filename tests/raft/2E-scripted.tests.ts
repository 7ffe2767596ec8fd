/**
 * Part 2E, scripted: the one scenario joint consensus exists for. The cluster {0,1,2} replaces two of
 * its members, {L,f,g} → {f,3,4}, while cut in two: the leader L with the newcomers 3 and 4 on one side,
 * f and g on the other. {3,4} is a majority of C_new and {f,g} a majority of C_old: disjoint majorities.
 * A peer that switches directly from C_old to C_new lets the first side commit C_new and then elect its
 * own leader, while the second can elect another and commit different entries at the same indices. With
 * C_old,new in between, the first side can neither commit nor elect, whatever the seed.
 *
 * The second test is the other half of the rule: a server votes whatever its own configuration says
 * (thesis §4.1); only the counting is restricted. The leader appends C_old,new, reaches only the members
 * of C_old with it and crashes. Those members need votes from a majority of C_new, which includes the
 * newcomers, who do not hold C_old,new yet; a peer whose newcomers refuse to vote until a configuration
 * naming them is in their log never elects anyone again.
 */
import { sleep } from '../../labrpc';
import { randCommand, raftTest, type RaftConfig } from './config';
import { changeConfig, oneIn, setOf, settleOrRetry } from './membership';
import { isVoteRpc, peer, waitUntil } from './scripted-helpers';

export const tests = [
  raftTest({
    part: '2E',
    title: 'no two disjoint majorities during a change, scripted (C_old,new between C_old and C_new)',
    servers: 5,
    initial: [0, 1, 2],
    body: disjointMajorities,
  }),
  raftTest({
    part: '2E',
    title: 'servers vote whatever their own configuration, scripted (C_old,new reached only C_old)',
    servers: 5,
    initial: [0, 1, 2],
    body: newcomersVote,
  }),
];

async function disjointMajorities(cfg: RaftConfig): Promise<void> {
  await oneIn(cfg, randCommand(), [0, 1, 2], 3);
  const l = await cfg.checkOneLeader();
  const [f, g] = [0, 1, 2].filter((s) => s !== l);
  const target = [f, 3, 4];
  // The partition: {l, 3, 4} | {f, g}.
  cfg.disconnect(f);
  cfg.disconnect(g);
  cfg.link(f, g);
  const { index } = await changeConfig(cfg, target);
  cfg.scenario =
    `{0,1,2} -> ${setOf(target)} asked of S${l} (entry at index ${index}), with the cluster cut into ` +
    `{S${l}, S3, S4} (a majority of C_new) and {S${f}, S${g}} (a majority of C_old)`;

  // 1. No commit on the side with C_new's majority alone.
  await sleep(1000);
  const { count } = cfg.nCommitted(index);
  if (count > 0) {
    cfg.fail(
      `${count} server(s) applied index ${index} though no server of C_old but S${l} holds it: ` +
        `[M.2] until C_new is committed every commit needs a majority of C_old too — the peer went ` +
        `from C_old to C_new without the joint configuration C_old,new in between`,
    );
  }

  // 2. Without the leader, no election on that side either: S3 and S4 hold C_old,new and need C_old.
  cfg.crash1(l);
  let who: number | undefined;
  const elected = await waitUntil(
    async () => {
      const states = await cfg.states();
      who = [3, 4].find((i) => states[i]?.isLeader === true);
      return who !== undefined;
    },
    2000,
    20,
  );
  if (elected) {
    cfg.fail(
      `S${who} became leader with votes from {S3, S4} only, a majority of C_new but none of C_old: ` +
        `[M.2] during C_old,new an election needs a majority of each, while {S${f}, S${g}} can elect ` +
        `another leader from C_old's majority`,
    );
  }

  // 3. Heal; the change completes (or, lost with the crash, is asked again) and the new cluster works.
  cfg.scenario = '';
  cfg.start1(l);
  cfg.connect(l);
  cfg.connect(f);
  cfg.connect(g);
  await settleOrRetry(cfg, target);
  await oneIn(cfg, randCommand(), target, 3);
}

async function newcomersVote(cfg: RaftConfig): Promise<void> {
  const committed = await oneIn(cfg, randCommand(), [0, 1, 2], 3);
  const l = await cfg.checkOneLeader();
  const [f, g] = [0, 1, 2].filter((s) => s !== l);
  const target = [f, g, 3, 4];
  // The newcomers catch up as learners ([M.6]): the first request is refused until they hold the
  // committed entries, which they apply like any follower.
  const first = await peer(cfg, l).changeConfig(target);
  cfg.watch.claim(l, first);
  const caughtUp = await waitUntil(() => [3, 4].every((i) => cfg.committed.logs[i].has(committed)), 5000, 20);
  if (!caughtUp) {
    cfg.fail(
      `S3 and S4 did not apply index ${committed} within 5 s of changeConfig(${setOf(target)}) to ` +
        `S${l}: [M.6] servers being added first catch up as learners`,
    );
  }
  await sleep(200); // the leader hears that they caught up
  // From now on the leader cannot reach the newcomers; everyone else reaches everyone.
  cfg.disconnect(3);
  cfg.disconnect(4);
  for (const [a, b] of [
    [3, 4],
    [3, f],
    [3, g],
    [4, f],
    [4, g],
  ])
    cfg.link(a, b);
  const { index } = await changeConfig(cfg, target);
  const scene =
    `{0,1,2} -> ${setOf(target)} appended by S${l} at index ${index} and sent to S${f} and S${g} ` +
    `only (S3 and S4 cannot hear S${l})`;
  cfg.scenario = scene;
  await sleep(1000); // heartbeats bring C_old,new to f and g; without C_new's majority it cannot commit

  // The leader crashes. f and g hold C_old,new: a majority of C_old is theirs, a majority of C_new
  // needs a vote from S3 or S4, whose logs end at C_old.
  const asked = cfg.captureRpcs(
    (rpc) => isVoteRpc(rpc.svcMeth) && (rpc.from === f || rpc.from === g) && rpc.to >= 3,
  );
  cfg.crash1(l);
  cfg.scenario = `${scene}; then S${l} crashed`;
  const elected = await waitUntil(
    async () => {
      const states = await cfg.states();
      return [f, g].some((i) => states[i]?.isLeader === true);
    },
    5000,
    20,
  );
  if (!elected) {
    const delivered = asked.filter((rpc) => rpc.delivered).length;
    cfg.fail(
      delivered === 0
        ? `no leader within 5 s of S${l}'s crash, and neither S${f} nor S${g} asked S3 or S4 for a ` +
            `vote: [M.2] while joint, a candidate needs a majority of C_new ${setOf(target)} too, so ` +
            `it asks the servers of C_old and of C_new`
        : `no leader within 5 s of S${l}'s crash: S3 and S4 got ${delivered} vote request(s) from ` +
            `S${f}/S${g}, and neither S${f} nor S${g} was elected. A server answers RequestVote whatever its own ` +
            `configuration says (thesis §4.1: it may not even hold the configuration that counts ` +
            `it); only counting votes is restricted to the configuration. If S3 and S4 refuse because ` +
            `no configuration in their log names them, no election can ever succeed here`,
    );
  }

  // Heal; the new leader completes the change (or, lost with the crash, it is asked again).
  cfg.scenario = '';
  cfg.start1(l);
  for (const i of [l, 3, 4]) cfg.connect(i);
  await settleOrRetry(cfg, target);
  await oneIn(cfg, randCommand(), target, 3);
}
