/**
 * Part 2E, scripted: the one scenario joint consensus exists for. The cluster {0,1,2} replaces two of
 * its members, {L,f,g} → {f,3,4}, while cut in two: the leader L with the newcomers 3 and 4 on one side,
 * f and g on the other. {3,4} is a majority of C_new and {f,g} a majority of C_old: disjoint majorities.
 * A peer that switches directly from C_old to C_new lets the first side commit C_new and then elect its
 * own leader, while the second can elect another and commit different entries at the same indices. With
 * C_old,new in between, the first side can neither commit nor elect, whatever the seed.
 */
import { sleep } from '../../labrpc';
import { randCommand, raftTest, type RaftConfig } from './config';
import { changeConfig, oneIn, setOf, settleOrRetry } from './membership';
import { waitUntil } from './scripted-helpers';

export const tests = [
  raftTest({
    part: '2E',
    title: 'no two disjoint majorities during a change, scripted (C_old,new between C_old and C_new)',
    servers: 5,
    initial: [0, 1, 2],
    body: disjointMajorities,
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
  const elected = await waitUntil(
    () => [3, 4].some((i) => cfg.rafts[i] !== null && cfg.stateOf(i, cfg.rafts[i]).isLeader),
    2000,
    20,
  );
  if (elected) {
    const who = [3, 4].find((i) => cfg.rafts[i] !== null && cfg.stateOf(i, cfg.rafts[i]).isLeader);
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
