/**
 * Part 2A, beyond Go: elections scripted with partitions, held replies and redelivered requests, so that
 * a peer breaking one of Figure 2's election rules fails on every seed, where the Go tests catch it only
 * when the timers happen to line up. Each test names the rule in its failure message.
 */
import { sleep } from '../../labrpc';
import { RAFT_ELECTION_TIMEOUT } from './2A.tests';
import { raftTest, type RaftConfig } from './config';
import { isVoteRpc, peer, termOf, waitUntil } from './scripted-helpers';
import { voteOncePerTerm } from './vote-once';

export const tests = [
  // A candidate that ignores its own term's leader keeps campaigning and deposes it; a leader that stops
  // sending heartbeats, or a follower that does not reset its timer on them, causes elections too.
  raftTest({
    part: '2A',
    title: 'a candidate follows the leader of its term, scripted (no election while a leader is heard)',
    servers: 5,
    body: candidateFollowsLeader,
  }),

  // Two candidates that cannot reach each other share one voter and campaign in the same term.
  raftTest({
    part: '2A',
    title: 'one vote per term, scripted (two candidates, one voter)',
    servers: 3,
    body: (cfg) => voteOncePerTerm(cfg, false),
  }),

  raftTest({
    part: '2A',
    title: 'no leader without a majority, scripted (five servers in pairs)',
    servers: 5,
    body: noMinorityLeader,
  }),

  raftTest({
    part: '2A',
    title: 'a stale leader steps down on a reply with a newer term, scripted',
    servers: 3,
    body: staleLeaderStepsDown,
  }),

  raftTest({
    part: '2A',
    title: 'a late vote from an earlier election does not count, scripted',
    servers: 3,
    body: lateVoteDoesNotCount,
  }),

  raftTest({
    part: '2A',
    title: 'a RequestVote from an earlier term changes nothing, scripted',
    servers: 3,
    body: staleRequestVote,
  }),
];

/** The connected leader with the highest term, if any. */
async function connectedLeader(cfg: RaftConfig): Promise<number | undefined> {
  const states = await cfg.states();
  let best: number | undefined;
  for (let i = 0; i < cfg.n; i++) {
    const state = states[i];
    if (!cfg.connected[i] || state === null || !state.isLeader) continue;
    if (best === undefined || state.term > (states[best]?.term ?? -1)) best = i;
  }
  return best;
}

/**
 * The leader x and a follower c leave; the other three elect a leader l. c, alone, campaigns, and is
 * let back in while a candidate in l's very term. It must follow l: for two election timeouts after,
 * with no failure, the term must not move and l must stay leader. (Setting this up needs c's term to
 * meet l's; if it overshoots, the test tries again.)
 */
async function candidateFollowsLeader(cfg: RaftConfig): Promise<void> {
  const servers = 5;
  for (let attempt = 0; attempt < 10; attempt++) {
    const x = await cfg.checkOneLeader();
    const c = (x + 1) % servers;
    cfg.disconnect(x);
    cfg.disconnect(c);
    const met = await waitUntil(
      async () => {
        const l = await connectedLeader(cfg);
        return l !== undefined && (await termOf(cfg, l)) === (await termOf(cfg, c));
      },
      3 * RAFT_ELECTION_TIMEOUT,
      1,
    );
    if (!met) {
      cfg.connect(c);
      cfg.connect(x);
      continue;
    }
    const l = (await connectedLeader(cfg)) as number;
    const term = await termOf(cfg, l);
    cfg.connect(c);
    cfg.scenario = `S${c}, a candidate in T${term}, rejoined S${l}, leader of T${term}, at ${cfg.at()}`;
    for (let waited = 0; waited < 2 * RAFT_ELECTION_TIMEOUT; waited += 10) {
      await sleep(10);
      const states = await cfg.states();
      const moved = [...Array(servers).keys()].find((i) => cfg.connected[i] && states[i]?.term !== term);
      if (moved !== undefined || states[l]?.isLeader !== true) {
        const who =
          moved === undefined ? `S${l} lost its leadership` : `S${moved} moved to T${states[moved]?.term}`;
        cfg.fail(
          `${who} with no failure, while S${l} led four connected servers in T${term}: [C.3] a candidate ` +
            `that receives AppendEntries from its term's leader becomes its follower; [F.2] a follower that ` +
            `hears the leader resets its election timer; [L.1] a leader sends heartbeats while idle`,
        );
      }
    }
    cfg.scenario = '';
    cfg.connect(x);
    await cfg.checkOneLeader();
    return;
  }
  cfg.fail(`for 10 tries, no disconnected candidate's term met the new leader's term within 3 s`);
}

/**
 * The leader leaves, and the four others are cut into two pairs. Each pair campaigns (one votes for the
 * other), but two votes of five are no majority: for two election timeouts, no one but the old leader
 * may believe it leads.
 */
async function noMinorityLeader(cfg: RaftConfig): Promise<void> {
  const x = await cfg.checkOneLeader();
  const others = [1, 2, 3, 4].map((k) => (x + k) % 5);
  for (let i = 0; i < 5; i++) cfg.disconnect(i);
  cfg.link(others[0], others[1]);
  cfg.link(others[2], others[3]);
  cfg.scenario = `S${x} (leader) alone; pairs S${others[0]}+S${others[1]} and S${others[2]}+S${others[3]}`;
  for (let waited = 0; waited < 2 * RAFT_ELECTION_TIMEOUT; waited += 10) {
    await sleep(10);
    const states = await cfg.states();
    const leader = others.find((i) => states[i]?.isLeader === true);
    if (leader !== undefined) {
      cfg.fail(
        `S${leader} became leader of T${states[leader]?.term} with at most 2 of 5 votes (it reaches only one ` +
          `server): [C.2] a candidate needs votes from a majority of the cluster, itself included`,
      );
    }
  }
  cfg.scenario = '';
  for (let i = 0; i < 5; i++) cfg.connect(i);
  await cfg.checkOneLeader();
}

/**
 * The leader l leaves; the others elect l2 in a later term. Then l is linked to the third server f only:
 * f answers l's heartbeats with its newer term, and nothing else reaches l. l must step down.
 */
async function staleLeaderStepsDown(cfg: RaftConfig): Promise<void> {
  const l = await cfg.checkOneLeader();
  const oldTerm = await termOf(cfg, l);
  cfg.disconnect(l);
  const l2 = await cfg.checkOneLeader();
  const newTerm = await termOf(cfg, l2);
  const f = [0, 1, 2].find((i) => i !== l && i !== l2) as number;
  cfg.link(l, f);
  await sleep(RAFT_ELECTION_TIMEOUT);
  const now = await peer(cfg, l).getState();
  if (now.isLeader && now.term < newTerm) {
    cfg.fail(
      `S${l} still believes it leads T${now.term}, a second after its AppendEntries reached S${f}, which ` +
        `answers with T${newTerm} (S${l2} leads it): [All.2] a reply with a newer term makes a leader ` +
        `adopt it and step down (S${l} had led T${oldTerm})`,
    );
  }
  cfg.connect(l);
  await cfg.checkOneLeader();
}

/**
 * c campaigns with only v reachable; v's granting reply is held in flight. c is cut off, campaigns
 * again alone, and only then does v's reply arrive: a vote for an earlier term's RequestVote, which
 * must not count. Alone, c can never become leader.
 */
async function lateVoteDoesNotCount(cfg: RaftConfig): Promise<void> {
  const l = await cfg.checkOneLeader();
  const [c, v] = [(l + 1) % 3, (l + 2) % 3];
  const held = cfg.holdReplies((rpc) => rpc.from === c && rpc.to === v && isVoteRpc(rpc.svcMeth));
  cfg.disconnect(c);
  cfg.link(c, v);
  if (!(await waitUntil(() => held.count > 0, 3 * RAFT_ELECTION_TIMEOUT))) {
    cfg.fail(
      `S${c}, cut off from its leader S${l}, sent S${v} no vote request in 3 s (the test finds it by name: ` +
        `the method must contain "Vote", as "Raft.RequestVote" does)`,
    );
  }
  const asked = await termOf(cfg, c);
  cfg.disconnect(c);
  if (!(await waitUntil(async () => (await termOf(cfg, c)) > asked, 3 * RAFT_ELECTION_TIMEOUT))) {
    cfg.fail(
      `S${c}, alone, stayed in T${asked} for 3 s: [C.4] a candidate whose election fails starts another`,
    );
  }
  cfg.scenario = `S${v}'s reply to S${c}'s RequestVote of T${asked} arrived late, at ${cfg.at()}, with S${c} alone`;
  held.release();
  for (let waited = 0; waited < RAFT_ELECTION_TIMEOUT; waited += 10) {
    const now = await peer(cfg, c).getState();
    if (now.isLeader) {
      cfg.fail(
        `S${c} became leader of T${now.term} while cut off from every server since T${asked}: it counted ` +
          `the vote S${v} granted to its RequestVote of T${asked}. [C.2] only votes for the current term count`,
      );
    }
    await sleep(10);
  }
  cfg.scenario = '';
  cfg.connect(c);
  await cfg.checkOneLeader();
}

/**
 * The first leader's RequestVotes are kept; after another election, each is delivered again to the
 * server it was sent to. A RequestVote from an earlier term must change nothing: no term goes back,
 * and the current leader stays leader.
 */
async function staleRequestVote(cfg: RaftConfig): Promise<void> {
  const votes = cfg.captureRpcs((rpc) => isVoteRpc(rpc.svcMeth));
  const l1 = await cfg.checkOneLeader();
  const t1 = await termOf(cfg, l1);
  const old = votes.filter((rpc) => rpc.from === l1 && rpc.term === t1 && rpc.delivered);
  if (old.length === 0) {
    cfg.fail(
      `S${l1} became leader of T${t1} without a vote request the test could see (it finds them by name: ` +
        `the method must contain "Vote", as "Raft.RequestVote" does)`,
    );
  }
  cfg.disconnect(l1);
  await cfg.checkOneLeader();
  cfg.connect(l1);
  const l = await cfg.checkOneLeader();
  await sleep(RAFT_ELECTION_TIMEOUT);
  const term = await cfg.checkTerms();
  for (const rpc of old) {
    cfg.scenario = `S${l1}'s ${rpc.svcMeth} of T${t1} was delivered again to S${rpc.to} in T${term}`;
    await cfg.redeliver(rpc);
    for (let i = 0; i < 3; i++) {
      const now = await termOf(cfg, i);
      if (now < term) {
        cfg.fail(
          `S${i} went back from T${term} to T${now}: a server's term never decreases. [RV.1] a ` +
            `RequestVote from an earlier term is refused and changes nothing`,
        );
      }
    }
  }
  await sleep(RAFT_ELECTION_TIMEOUT);
  const last = await peer(cfg, l).getState();
  if (!last.isLeader || last.term !== term) {
    cfg.fail(
      `S${l}, leader of T${term}, is now ${last.isLeader ? 'leader' : 'not leader'} of T${last.term} after old ` +
        `RequestVotes of T${t1} were delivered again, with no failure: [RV.1] they change nothing`,
    );
  }
  cfg.scenario = '';
}
