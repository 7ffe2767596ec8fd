/**
 * Part 2B: log replication (6.824 test_test.go, catalog §6.2): the 8 tests of 2022, plus the two that
 * 2022 shipped disabled and later editions run (progressive failure of followers, failure of leaders),
 * and one beyond Go: the election restriction, scripted so that it fails a peer on every seed.
 */
import { sleep } from '../../labrpc';
import { RAFT_ELECTION_TIMEOUT } from './2A.tests';
import { randCommand, randString, raftTest, type RaftConfig } from './config';

export const tests = [
  // Go: TestBasicAgree2B
  raftTest({
    part: '2B',
    title: 'basic agreement',
    servers: 3,
    async body(cfg) {
      const iters = 3;
      for (let index = 1; index < iters + 1; index++) {
        const { count } = cfg.nCommitted(index);
        if (count > 0) cfg.fail('some have committed before Start()');
        const xindex = await cfg.one(index * 100, 3, false);
        if (xindex !== index) cfg.fail(`got index ${xindex} but expected ${index}`);
      }
    },
  }),

  // Go: TestRPCBytes2B
  raftTest({
    part: '2B',
    title: 'RPC byte count',
    servers: 3,
    async body(cfg) {
      const servers = 3;
      await cfg.one(99, servers, false);
      const bytes0 = cfg.bytesTotal();

      const iters = 10;
      let sent = 0;
      for (let index = 2; index < iters + 2; index++) {
        const cmd = randString(5000);
        const xindex = await cfg.one(cmd, servers, false);
        if (xindex !== index) cfg.fail(`got index ${xindex} but expected ${index}`);
        sent += cmd.length;
      }

      // Bound kept from Go: each command may reach each follower about once. The payload dominates:
      // msgpack adds 3 bytes per 5000-character string and ~60 bytes of RPC fields per call, so the
      // 50000 bytes of slack cover the heartbeats and replies of the ~1 s of virtual time this takes.
      const got = cfg.bytesTotal() - bytes0;
      const expected = servers * sent;
      if (got > expected + 50000) cfg.fail(`too many RPC bytes; got ${got}, expected ${expected}`);
    },
  }),

  // Go: For2023TestFollowerFailure2B (disabled in 2022, run by later editions)
  raftTest({
    part: '2B',
    title: 'test progressive failure of followers',
    servers: 3,
    async body(cfg) {
      const servers = 3;
      await cfg.one(101, servers, false);

      // disconnect one follower from the network.
      const leader1 = await cfg.checkOneLeader();
      cfg.disconnect((leader1 + 1) % servers);

      // the leader and remaining follower should be able to agree despite the disconnected follower.
      await cfg.one(102, servers - 1, false);
      await sleep(RAFT_ELECTION_TIMEOUT);
      await cfg.one(103, servers - 1, false);

      // disconnect the remaining follower
      const leader2 = await cfg.checkOneLeader();
      cfg.disconnect((leader2 + 1) % servers);
      cfg.disconnect((leader2 + 2) % servers);

      // submit a command.
      const { index, isLeader } = await (
        cfg.rafts[leader2] as NonNullable<RaftConfig['rafts'][number]>
      ).start(104);
      if (!isLeader) cfg.fail('leader rejected Start()');
      if (index !== 4) cfg.fail(`expected index 4, got ${index}`);

      await sleep(2 * RAFT_ELECTION_TIMEOUT);

      // check that command 104 did not commit.
      const { count } = cfg.nCommitted(index);
      if (count > 0) cfg.fail(`${count} committed but no majority`);
    },
  }),

  // Go: For2023TestLeaderFailure2B (disabled in 2022, run by later editions)
  raftTest({
    part: '2B',
    title: 'test failure of leaders',
    servers: 3,
    async body(cfg) {
      const servers = 3;
      await cfg.one(101, servers, false);

      // disconnect the first leader.
      const leader1 = await cfg.checkOneLeader();
      cfg.disconnect(leader1);

      // the remaining followers should elect a new leader.
      await cfg.one(102, servers - 1, false);
      await sleep(RAFT_ELECTION_TIMEOUT);
      await cfg.one(103, servers - 1, false);

      // disconnect the new leader.
      const leader2 = await cfg.checkOneLeader();
      cfg.disconnect(leader2);

      // submit a command to each server.
      for (const rf of cfg.rafts) void rf?.start(104);

      await sleep(2 * RAFT_ELECTION_TIMEOUT);

      // check that command 104 did not commit.
      const { count } = cfg.nCommitted(4);
      if (count > 0) cfg.fail(`${count} committed but no majority`);
    },
  }),

  // Go: TestFailAgree2B
  raftTest({
    part: '2B',
    title: 'agreement after follower reconnects',
    servers: 3,
    async body(cfg) {
      const servers = 3;
      await cfg.one(101, servers, false);

      // disconnect one follower from the network.
      const leader = await cfg.checkOneLeader();
      cfg.disconnect((leader + 1) % servers);

      // the leader and remaining follower should be able to agree despite the disconnected follower.
      await cfg.one(102, servers - 1, false);
      await cfg.one(103, servers - 1, false);
      await sleep(RAFT_ELECTION_TIMEOUT);
      await cfg.one(104, servers - 1, false);
      await cfg.one(105, servers - 1, false);

      // re-connect
      cfg.connect((leader + 1) % servers);

      // the full set of servers should preserve previous agreements, and be able to agree on new commands.
      await cfg.one(106, servers, true);
      await sleep(RAFT_ELECTION_TIMEOUT);
      await cfg.one(107, servers, true);
    },
  }),

  // Go: TestFailNoAgree2B
  raftTest({
    part: '2B',
    title: 'no agreement if too many followers disconnect',
    servers: 5,
    async body(cfg) {
      const servers = 5;
      await cfg.one(10, servers, false);

      // 3 of 5 followers disconnect
      const leader = await cfg.checkOneLeader();
      cfg.disconnect((leader + 1) % servers);
      cfg.disconnect((leader + 2) % servers);
      cfg.disconnect((leader + 3) % servers);

      const { index, isLeader } = await leaderOf(cfg, leader).start(20);
      if (!isLeader) cfg.fail('leader rejected Start()');
      if (index !== 2) cfg.fail(`expected index 2, got ${index}`);

      await sleep(2 * RAFT_ELECTION_TIMEOUT);

      const { count } = cfg.nCommitted(index);
      if (count > 0) cfg.fail(`${count} committed but no majority`);

      // repair
      cfg.connect((leader + 1) % servers);
      cfg.connect((leader + 2) % servers);
      cfg.connect((leader + 3) % servers);

      // the disconnected majority may have chosen a leader from among their own ranks, forgetting index 2.
      const leader2 = await cfg.checkOneLeader();
      const second = await leaderOf(cfg, leader2).start(30);
      if (!second.isLeader) cfg.fail('leader2 rejected Start()');
      if (second.index < 2 || second.index > 3) cfg.fail(`unexpected index ${second.index}`);

      await cfg.one(1000, servers, true);
    },
  }),

  // Go: TestConcurrentStarts2B
  raftTest({
    part: '2B',
    title: 'concurrent Start()s',
    servers: 3,
    async body(cfg) {
      for (let attempt = 0; attempt < 5; attempt++) {
        if (attempt > 0) await sleep(3000); // give the solution some time to settle
        if (await concurrentStartsOnce(cfg)) return;
      }
      cfg.fail('term changed too often');
    },
  }),

  // Go: TestRejoin2B
  raftTest({
    part: '2B',
    title: 'rejoin of partitioned leader',
    servers: 3,
    async body(cfg) {
      const servers = 3;
      await cfg.one(101, servers, true);

      // leader network failure
      const leader1 = await cfg.checkOneLeader();
      cfg.disconnect(leader1);

      // make old leader try to agree on some entries
      void leaderOf(cfg, leader1).start(102);
      void leaderOf(cfg, leader1).start(103);
      void leaderOf(cfg, leader1).start(104);

      // new leader commits, also for index=2
      await cfg.one(103, 2, true);

      // new leader network failure
      const leader2 = await cfg.checkOneLeader();
      cfg.disconnect(leader2);

      // old leader connected again
      cfg.connect(leader1);
      await cfg.one(104, 2, true);

      // all together now
      cfg.connect(leader2);
      await cfg.one(105, servers, true);
    },
  }),

  // Go: TestBackup2B
  raftTest({
    part: '2B',
    title: 'leader backs up quickly over incorrect follower logs',
    servers: 5,
    async body(cfg) {
      const servers = 5;
      await cfg.one(randCommand(), servers, true);

      // put leader and one follower in a partition
      const leader1 = await cfg.checkOneLeader();
      cfg.disconnect((leader1 + 2) % servers);
      cfg.disconnect((leader1 + 3) % servers);
      cfg.disconnect((leader1 + 4) % servers);

      // submit lots of commands that won't commit
      for (let i = 0; i < 50; i++) void leaderOf(cfg, leader1).start(randCommand());
      await sleep(RAFT_ELECTION_TIMEOUT / 2);

      cfg.disconnect((leader1 + 0) % servers);
      cfg.disconnect((leader1 + 1) % servers);

      // allow other partition to recover
      cfg.connect((leader1 + 2) % servers);
      cfg.connect((leader1 + 3) % servers);
      cfg.connect((leader1 + 4) % servers);

      // lots of successful commands to new group.
      for (let i = 0; i < 50; i++) await cfg.one(randCommand(), 3, true);

      // now another partitioned leader and one follower
      const leader2 = await cfg.checkOneLeader();
      let other = (leader1 + 2) % servers;
      if (leader2 === other) other = (leader2 + 1) % servers;
      cfg.disconnect(other);

      // lots more commands that won't commit
      for (let i = 0; i < 50; i++) void leaderOf(cfg, leader2).start(randCommand());
      await sleep(RAFT_ELECTION_TIMEOUT / 2);

      // bring original leader back to life,
      for (let i = 0; i < servers; i++) cfg.disconnect(i);
      cfg.connect((leader1 + 0) % servers);
      cfg.connect((leader1 + 1) % servers);
      cfg.connect(other);

      // lots of successful commands to new group.
      for (let i = 0; i < 50; i++) await cfg.one(randCommand(), 3, true);

      // now everyone
      for (let i = 0; i < servers; i++) cfg.connect(i);
      await cfg.one(randCommand(), servers, true);
    },
  }),

  // Go: TestCount2B
  raftTest({
    part: '2B',
    title: "RPC counts aren't too high",
    servers: 3,
    async body(cfg) {
      const rpcs = (): number => [0, 1, 2].reduce((sum, j) => sum + cfg.rpcCount(j), 0);

      await cfg.checkOneLeader();
      const total1 = rpcs();
      if (total1 > 30 || total1 < 1) cfg.fail(`too many or few RPCs (${total1}) to elect initial leader`);

      let total2 = -1;
      for (let attempt = 0; attempt < 5 && total2 < 0; attempt++) {
        if (attempt > 0) await sleep(3000); // give the solution some time to settle
        total2 = await countAgreementRpcs(cfg, rpcs);
      }
      if (total2 < 0) cfg.fail('term changed too often');

      await sleep(RAFT_ELECTION_TIMEOUT);
      const total3 = rpcs();
      if (total3 - total2 > 3 * 20) cfg.fail(`too many RPCs (${total3 - total2}) for 1 second of idleness`);
    },
  }),

  // Beyond Go: a peer that grants votes without comparing logs ([RV.2], §5.4.1) fails the Go tests
  // only when a stale server happens to time out first. Here the only server a stale candidate can reach
  // keeps hearing from its leader, so the stale candidate always asks first.
  raftTest({
    part: '2B',
    title: 'election restriction, scripted (no vote for a candidate missing a committed entry)',
    servers: 3,
    body: electionRestriction,
  }),
];

/**
 * s misses a committed entry and campaigns alone, its term rising. Then it is linked to v only, while v
 * keeps its link to the leader l, whose heartbeats stop v from campaigning itself: s's next
 * RequestVote reaches v before anything else can happen. v must refuse it, since s's log is behind.
 */
async function electionRestriction(cfg: RaftConfig): Promise<void> {
  await cfg.one(randCommand(), 3, true);
  const l = await cfg.checkOneLeader();
  const [s, v] = [(l + 1) % 3, (l + 2) % 3];
  cfg.disconnect(s);
  const index = await cfg.one(randCommand(), 2, true);
  const entry = `committed index ${index} (T${(await leaderOf(cfg, l).getState()).term})`;

  // s campaigns alone until its term passes v's.
  const t0 = cfg.ctx.now();
  while ((await leaderOf(cfg, s).getState()).term <= (await leaderOf(cfg, v).getState()).term) {
    if (cfg.ctx.now() - t0 > 10 * RAFT_ELECTION_TIMEOUT) {
      cfg.fail(
        `disconnected S${s} stayed at T${(await leaderOf(cfg, s).getState()).term} for 10 s: [C.4] start elections`,
      );
    }
    await sleep(50);
  }
  cfg.link(s, v);
  for (let waited = 0; waited < 2 * RAFT_ELECTION_TIMEOUT; waited += 10) {
    const { term, isLeader } = await leaderOf(cfg, s).getState();
    if (isLeader) {
      cfg.fail(
        `S${s} became leader in T${term} with the vote of S${v}, but its log lacks ${entry}, which S${v} has: ` +
          `[RV.2] grant a vote only to a candidate whose log is at least as up-to-date as yours (§5.4.1)`,
      );
    }
    await sleep(10);
  }

  cfg.connect(s);
  await cfg.one(randCommand(), 3, true);
}

/** The live peer at `i` (the tests only ask for servers they know are running). */
function leaderOf(cfg: RaftConfig, i: number): NonNullable<RaftConfig['rafts'][number]> {
  const rf = cfg.rafts[i];
  if (rf === null) cfg.fail(`S${i} is not running`);
  return rf;
}

/** One try of TestConcurrentStarts2B: true if it succeeded, false if the term changed underneath. */
async function concurrentStartsOnce(cfg: RaftConfig): Promise<boolean> {
  const leader = await cfg.checkOneLeader();
  const { term, isLeader } = await leaderOf(cfg, leader).start(1);
  if (!isLeader) return false; // leader moved on really quickly

  // Go starts these from 5 goroutines; here they run one after another at the same virtual instant.
  const indices: number[] = [];
  for (let ii = 0; ii < 5; ii++) {
    const r = await leaderOf(cfg, leader).start(100 + ii);
    if (r.term === term && r.isLeader) indices.push(r.index);
  }
  for (const rf of cfg.rafts) if (rf !== null && (await rf.getState()).term !== term) return false;

  const cmds: number[] = [];
  for (const index of indices) {
    const cmd = await cfg.wait(index, 3, term);
    if (typeof cmd !== 'number') cfg.fail(`value ${String(cmd)} is not an int`);
    if (cmd === -1) return false; // peers have moved on to later terms
    cmds.push(cmd);
  }
  for (let ii = 0; ii < 5; ii++) {
    if (!cmds.includes(100 + ii)) cfg.fail(`cmd ${100 + ii} missing in ${JSON.stringify(cmds)}`);
  }
  return true;
}

/** One try of TestCount2B's agreement phase: the RPC total after it, or -1 if the term changed. */
async function countAgreementRpcs(cfg: RaftConfig, rpcs: () => number): Promise<number> {
  const leader = await cfg.checkOneLeader();
  const total1 = rpcs();
  const iters = 10;
  const { index: starti, term, isLeader } = await leaderOf(cfg, leader).start(1);
  if (!isLeader) return -1; // leader moved on really quickly
  const cmds: number[] = [];
  for (let i = 1; i < iters + 2; i++) {
    const x = randCommand();
    cmds.push(x);
    const r = await leaderOf(cfg, leader).start(x);
    if (r.term !== term || !r.isLeader) return -1; // term changed while starting
    if (starti + i !== r.index) cfg.fail('Start() failed');
  }
  for (let i = 1; i < iters + 1; i++) {
    const cmd = await cfg.wait(starti + i, 3, term);
    if (cmd === -1) return -1; // term changed -- try again
    if (cmd !== cmds[i - 1]) {
      cfg.fail(`wrong value ${String(cmd)} committed for index ${starti + i}; expected ${cmds[i - 1]}`);
    }
  }
  const total2 = rpcs();
  for (const rf of cfg.rafts) if (rf !== null && (await rf.getState()).term !== term) return -1;
  if (total2 - total1 > (iters + 1 + 3) * 3)
    cfg.fail(`too many RPCs (${total2 - total1}) for ${iters} entries`);
  return total2;
}
