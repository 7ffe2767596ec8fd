/**
 * Part 2E (beyond the Go labs): cluster membership changes by joint consensus (§6 of the extended
 * paper; Ongaro's thesis §4). The cluster has more peer slots than members: the tester starts every
 * slot with the initial configuration, and spares run without voting until a change adds them. Every
 * test checks, through the appliers, that servers agree on each configuration entry and that the
 * committed configurations go C_old → C_old,new → C_new (config-history.ts); the cluster watch checks
 * that no term has two leaders. Majorities here are a configuration's (membership.ts).
 */
import { randomInt, sleep } from '../../labrpc';
import { randCommand, raftTest, type RaftConfig } from './config';
import { SNAPSHOT_INTERVAL } from './appliers';
import {
  changeConfig,
  currentLeader,
  moveTo,
  oneIn,
  setOf,
  settle,
  settleOrRetry,
  termsOf,
} from './membership';

const others = (servers: readonly number[], but: number): number[] => servers.filter((s) => s !== but);

export const tests = [
  raftTest({
    part: '2E',
    title: 'add a server',
    servers: 4,
    initial: [0, 1, 2],
    async body(cfg) {
      await oneIn(cfg, randCommand(), [0, 1, 2], 3);
      await oneIn(cfg, randCommand(), [0, 1, 2], 3);
      await moveTo(cfg, [0, 1, 2, 3]);
      // the new server holds the whole log, and counts: with two old members gone, it makes the majority
      const index = await oneIn(cfg, randCommand(), [0, 1, 2, 3], 4);
      const leader = await currentLeader(cfg);
      const [a, b] = others([0, 1, 2], leader === 3 ? 0 : leader);
      cfg.disconnect(a);
      cfg.disconnect(b);
      // {leader, 3} is not a majority of four: nothing may commit
      const blocked = await oneInOrNone(
        cfg,
        [0, 1, 2, 3].filter((s) => s !== a && s !== b),
      );
      if (blocked !== null) {
        cfg.fail(`index ${blocked} committed with 2 of the 4 servers of {0,1,2,3}: not a majority`);
      }
      cfg.connect(a);
      await oneIn(cfg, randCommand(), [0, 1, 2, 3], 3);
      if (!cfg.committed.logs[3].has(index)) cfg.fail(`S3 never applied index ${index}`);
      cfg.connect(b);
      await oneIn(cfg, randCommand(), [0, 1, 2, 3], 4);
    },
  }),

  raftTest({
    part: '2E',
    title: 'remove a follower',
    servers: 3,
    async body(cfg) {
      await oneIn(cfg, randCommand(), [0, 1, 2], 3);
      const leader = await cfg.checkOneLeader();
      const removed = (leader + 1) % 3;
      const members = others([0, 1, 2], removed);
      await moveTo(cfg, members);
      await oneIn(cfg, randCommand(), members, 2);
      // the removed server no longer counts: the two members commit without it, and it gets nothing new
      cfg.disconnect(removed);
      const index = await oneIn(cfg, randCommand(), members, 2);
      cfg.connect(removed);
      await oneIn(cfg, randCommand(), members, 2);
      if (cfg.committed.logs[removed].has(index)) {
        cfg.fail(`S${removed}, removed, applied index ${index} from after its removal`);
      }
    },
  }),

  raftTest({
    part: '2E',
    title: 'remove the leader',
    servers: 3,
    async body(cfg) {
      await oneIn(cfg, randCommand(), [0, 1, 2], 3);
      const leader = await cfg.checkOneLeader();
      const members = others([0, 1, 2], leader);
      await changeConfig(cfg, members);
      await settle(cfg, members);
      // [M.5] once C_new is committed, the old leader steps down; the members elect one of themselves
      await sleep(1000);
      const old = cfg.rafts[leader];
      if (old !== null && (await cfg.stateOf(leader, old)).isLeader) {
        cfg.fail(
          `S${leader} still leads 1 s after C_new ${setOf(members)}, which excludes it, was committed`,
        );
      }
      const next = await cfg.checkOneLeader();
      if (!members.includes(next)) cfg.fail(`S${next} leads, but it is not in ${setOf(members)}`);
      await oneIn(cfg, randCommand(), members, 2);
    },
  }),

  raftTest({
    part: '2E',
    title: 'replace a majority at once',
    servers: 5,
    initial: [0, 1, 2],
    async body(cfg) {
      await oneIn(cfg, randCommand(), [0, 1, 2], 3);
      await moveTo(cfg, [2, 3, 4]);
      await oneIn(cfg, randCommand(), [2, 3, 4], 3);
      // the old majority is gone for good: the new one carries on alone
      cfg.crash1(0);
      cfg.crash1(1);
      await oneIn(cfg, randCommand(), [2, 3, 4], 3);
      cfg.disconnect(2);
      await oneIn(cfg, randCommand(), [2, 3, 4], 2);
      cfg.connect(2);
      await oneIn(cfg, randCommand(), [2, 3, 4], 3);
    },
  }),

  raftTest({
    part: '2E',
    title: 'leader crashes while C_old,new is uncommitted',
    servers: 5,
    initial: [0, 1, 2],
    async body(cfg) {
      await oneIn(cfg, randCommand(), [0, 1, 2], 3);
      const target = [0, 3, 4];
      const { leader } = await changeConfig(cfg, target);
      // crash the leader at once: C_old,new may be on some servers only, and is not committed
      cfg.crash1(leader);
      await sleep(1000);
      cfg.start1(leader);
      cfg.connect(leader);
      // the change either survived (a new leader finishes it) or was lost (ask again)
      await settleOrRetry(cfg, target);
      await oneIn(cfg, randCommand(), target, 3);
    },
  }),

  raftTest({
    part: '2E',
    title: 'a partition during the joint phase',
    servers: 5,
    initial: [0, 1, 2],
    async body(cfg) {
      await oneIn(cfg, randCommand(), [0, 1, 2], 3);
      await moveTo(cfg, [0, 1, 2, 3, 4]);
      await oneIn(cfg, randCommand(), [0, 1, 2, 3, 4], 5);
      const leader = await cfg.checkOneLeader();
      const [a, b] = others([0, 1, 2, 3, 4], leader);
      const target = [leader, a, b];
      // cut off C_new's other two members: C_old ({0..4}) keeps a majority, C_new has none
      cfg.disconnect(a);
      cfg.disconnect(b);
      const { index } = await changeConfig(cfg, target);
      cfg.scenario = `C_old,new {0,1,2,3,4}->${setOf(target)} at index ${index}, S${a} and S${b} cut off`;
      await sleep(1500);
      const { count } = cfg.nCommitted(index);
      if (count > 0) {
        cfg.fail(
          `${count} server(s) applied index ${index}, C_old,new, with only S${leader} of C_new ${setOf(target)} ` +
            `holding it: [M.2] in the joint phase a commit needs a majority of C_new too ([M.1]: the joint ` +
            `configuration is in effect as soon as it is in the log, not once committed)`,
        );
      }
      cfg.scenario = '';
      cfg.connect(a);
      cfg.connect(b);
      await settle(cfg, target);
      await oneIn(cfg, randCommand(), target, 3);
    },
  }),

  raftTest({
    part: '2E',
    title: 'a new server catches up from a snapshot',
    servers: 4,
    initial: [0, 1, 2],
    snapshot: true,
    async body(cfg) {
      cfg.crash1(3); // the spare is down while the log grows and is compacted
      for (let k = 0; k < 3 * SNAPSHOT_INTERVAL; k++) await oneIn(cfg, randCommand(), [0, 1, 2], 3);
      cfg.start1(3);
      cfg.connect(3);
      await moveTo(cfg, [0, 1, 2, 3]);
      const index = await oneIn(cfg, randCommand(), [0, 1, 2, 3], 4);
      if (cfg.committed.lastApplied[3] < index)
        cfg.fail(`S3 applied only up to ${cfg.committed.lastApplied[3]}`);
      // with S3 a full member, two old members may leave
      cfg.disconnect(0);
      await oneIn(cfg, randCommand(), [0, 1, 2, 3], 3);
      cfg.connect(0);
    },
  }),

  raftTest({
    part: '2E',
    title: 'removed servers time out without disrupting the leader',
    servers: 5,
    async body(cfg) {
      await oneIn(cfg, randCommand(), [0, 1, 2, 3, 4], 5);
      const leader = await cfg.checkOneLeader();
      const removed = [(leader + 1) % 5, (leader + 2) % 5];
      const members = [0, 1, 2, 3, 4].filter((s) => !removed.includes(s));
      await moveTo(cfg, members);
      await oneIn(cfg, randCommand(), members, 3);
      const leader2 = await cfg.checkOneLeader();
      const before = await termsOf(cfg, members);
      const removedBefore = await termsOf(cfg, removed);
      // the removed servers hear from no leader now: they time out again and again
      await sleep(3000);
      const after = await termsOf(cfg, members);
      for (const [i, term] of after) {
        if (term !== before.get(i)) {
          cfg.fail(
            `S${i}, a member of ${setOf(members)}, went from T${before.get(i)} to T${term} while the removed ` +
              `servers timed out: [M.8] ignore their RequestVotes while a leader is heard from`,
          );
        }
      }
      if ((await currentLeader(cfg)) !== leader2)
        cfg.fail(`S${leader2} lost the leadership to a removed server's election`);
      const removedAfter = await termsOf(cfg, removed);
      const stuck = removed.filter((i) => removedAfter.get(i) === removedBefore.get(i));
      if (stuck.length === removed.length) {
        cfg.fail(`the removed servers ${setOf(removed)} never started an election: this test checks nothing`);
      }
      await oneIn(cfg, randCommand(), members, 3);
    },
  }),

  raftTest({
    part: '2E',
    title: 'random changes, unreliable network, crashes',
    servers: 5,
    initial: [0, 1, 2],
    unreliable: true,
    async body(cfg) {
      let members = [0, 1, 2];
      for (let iter = 0; iter < 6; iter++) {
        const target = randomConfig(5);
        if (setOf(target) !== setOf(members)) await changeConfigOrCrash(cfg, target);
        members = target;
        // a fault: crash or cut off one server for a while (a member, a spare or a removed one)
        const victim = randomInt(5);
        if (randomInt(2) === 0) cfg.crash1(victim);
        else cfg.disconnect(victim);
        await sleep(randomInt(400));
        if (cfg.rafts[victim] === null) cfg.start1(victim);
        cfg.connect(victim);
        await settleOrRetry(cfg, members);
        await oneIn(cfg, randCommand(), members);
      }
      cfg.setUnreliable(false);
      // every member ends up with every committed entry, in order (the appliers check the order)
      const index = await oneIn(cfg, randCommand(), members, members.length);
      for (const i of members) {
        for (let k = 1; k <= index; k++) {
          if (!cfg.committed.logs[i].has(k)) cfg.fail(`S${i}, a member, never applied index ${k}`);
        }
      }
    },
  }),
];

/** A random configuration of one to all of n slots, most often three. */
function randomConfig(n: number): number[] {
  const size = [1, 2, 3, 3, 3, 4, 5][randomInt(7)];
  const slots = Array.from({ length: n }, (_, i) => i);
  const chosen: number[] = [];
  while (chosen.length < size) chosen.push(slots.splice(randomInt(slots.length), 1)[0]);
  return chosen.sort((a, b) => a - b);
}

/** Ask for the change; in one case out of three crash its leader right after it appends C_old,new. */
async function changeConfigOrCrash(cfg: RaftConfig, target: number[]): Promise<void> {
  const { leader } = await changeConfig(cfg, target);
  if (randomInt(3) === 0) {
    cfg.crash1(leader);
    await sleep(300);
    cfg.start1(leader);
    cfg.connect(leader);
  }
}

/** Submit a command through the leader, if it is in `reachable`; the index if anyone applied it within 2 s. */
async function oneInOrNone(cfg: RaftConfig, reachable: number[]): Promise<number | null> {
  const leader = await currentLeader(cfg);
  if (leader < 0 || !reachable.includes(leader)) return null;
  const result = await cfg.rafts[leader]?.start(randCommand());
  if (result === undefined || !result.isLeader) return null;
  await sleep(2000);
  return cfg.nCommitted(result.index).count > 0 ? result.index : null;
}
