/**
 * Part 2A: leader election (6.824 test_test.go, catalog §6.1). Each test mirrors its Go original: same
 * servers, iterations, sleeps and bounds; the title is the printed one and the jest name.
 */
import { randomInt, sleep } from '../../labrpc';
import { raftTest } from './config';

/** The tester allows one second to finish an election (Go: RaftElectionTimeout). */
export const RAFT_ELECTION_TIMEOUT = 1000;

export const tests = [
  // Go: TestInitialElection2A
  raftTest({
    part: '2A',
    title: 'initial election',
    servers: 3,
    async body(cfg) {
      // is a leader elected?
      await cfg.checkOneLeader();

      // sleep a bit to avoid racing with followers learning of the election, then check all peers
      // agree on the term.
      await sleep(50);
      const term1 = await cfg.checkTerms();
      if (term1 < 1) cfg.fail(`term is ${term1}, but should be at least 1`);

      // does the leader+term stay the same if there is no network failure?
      await sleep(2 * RAFT_ELECTION_TIMEOUT);
      const term2 = await cfg.checkTerms();
      if (term1 !== term2) cfg.ctx.print('warning: term changed even though there were no failures');

      // there should still be a leader.
      await cfg.checkOneLeader();
    },
  }),

  // Go: TestReElection2A
  raftTest({
    part: '2A',
    title: 'election after network failure',
    servers: 3,
    async body(cfg) {
      const leader1 = await cfg.checkOneLeader();

      // if the leader disconnects, a new one should be elected.
      cfg.disconnect(leader1);
      await cfg.checkOneLeader();

      // if the old leader rejoins, that shouldn't disturb the new leader.
      cfg.connect(leader1);
      const leader2 = await cfg.checkOneLeader();

      // if there's no quorum, no new leader should be elected.
      cfg.disconnect(leader2);
      cfg.disconnect((leader2 + 1) % 3);
      await sleep(2 * RAFT_ELECTION_TIMEOUT);
      // check that the one connected server does not think it is the leader.
      await cfg.checkNoLeader();

      // if a quorum arises, it should elect a leader.
      cfg.connect((leader2 + 1) % 3);
      await cfg.checkOneLeader();

      // re-join of last node shouldn't prevent leader from existing.
      cfg.connect(leader2);
      await cfg.checkOneLeader();
    },
  }),

  // Go: TestManyElections2A
  raftTest({
    part: '2A',
    title: 'multiple elections',
    servers: 7,
    async body(cfg) {
      const servers = 7;
      await cfg.checkOneLeader();

      const iters = 10;
      for (let ii = 1; ii < iters; ii++) {
        // disconnect three nodes (possibly the same one twice)
        const i1 = randomInt(servers);
        const i2 = randomInt(servers);
        const i3 = randomInt(servers);
        cfg.disconnect(i1);
        cfg.disconnect(i2);
        cfg.disconnect(i3);

        // either the current leader should still be alive, or the remaining four should elect a new one.
        await cfg.checkOneLeader();

        cfg.connect(i1);
        cfg.connect(i2);
        cfg.connect(i3);
      }
      await cfg.checkOneLeader();
    },
  }),
];
