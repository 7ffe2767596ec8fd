/**
 * RequestVote (Figure 2): the receiver's rules, and the candidate's side of an election — asking every
 * other peer for its vote and counting the answers.
 */
import { debugLog } from '../labrpc';
import type { Raft } from './raft';
import type { RequestVoteArgs, RequestVoteReply } from './types';
// #region SOLUTION 2A
// SKELETON: import { todo } from './todo';
import { isUpToDate } from './log';
import { hasQuorum } from './membership';
// #endregion
// #region SOLUTION 2E
import { ELECTION_TIMEOUT_MIN_MS } from './timers';
// #endregion

/** The RequestVote receiver. Persists any change before it returns the reply. */
export function handleRequestVote(rf: Raft, args: RequestVoteArgs): RequestVoteReply {
  // Your code here (2A, 2B).
  // #region SOLUTION 2A
  // SKELETON: return todo('2A: RequestVote receiver, Figure 2');
  if (rf.killed() || disruptive(rf, args)) return { term: rf.currentTerm, voteGranted: false };
  rf.observeTerm(args.term, `RequestVote from S${args.candidateId}`); // [All.2]
  const reply = { term: rf.currentTerm, voteGranted: false };
  if (args.term < rf.currentTerm) return reply; // [RV.1] reply false if term < currentTerm
  // [RV.2] grant if votedFor is null or candidateId …
  const free = rf.votedFor === null || rf.votedFor === args.candidateId;
  // … and the candidate's log is at least as up-to-date as ours (§5.4.1)
  const upToDate = isUpToDate(args.lastLogTerm, args.lastLogIndex, rf.log);
  if (!free || !upToDate) {
    const why = free ? `its log is behind ours (${rf.log.describe()})` : `voted for S${rf.votedFor}`;
    debugLog(rf.me, 'vote', `T${rf.currentTerm} refused vote to S${args.candidateId}: ${why}`);
    return reply;
  }
  rf.votedFor = args.candidateId;
  rf.persist(); // the vote must survive a crash before the candidate learns of it
  rf.timers.resetElection(); // [F.2] granting a vote resets the election timeout
  debugLog(rf.me, 'vote', `T${rf.currentTerm} voted for S${args.candidateId}`);
  reply.voteGranted = true;
  return reply;
  // #endregion
}

/** [C.1] send RequestVote RPCs to all other servers; [C.2] become leader on a majority of votes. */
export function startElection(rf: Raft): void {
  // Your code here (2A).
  // #region SOLUTION 2A
  // SKELETON: todo('2A: startElection: ask every other peer for its vote, all at once, and count the replies');
  const args: RequestVoteArgs = {
    term: rf.currentTerm,
    candidateId: rf.me,
    lastLogIndex: rf.log.lastIndex,
    lastLogTerm: rf.log.lastTerm,
  };
  if (hasQuorum(rf.config(), (i) => i === rf.me)) rf.becomeLeader(); // a cluster of one elects itself
  rf.peers.forEach((_, peer) => {
    // [M.2] ask the voters of C_old and C_new: no one else's vote counts.
    if (peer !== rf.me && isVoter(rf, peer)) void requestVote(rf, peer, args);
  });
  // #endregion
}

// #region SOLUTION 2A
async function requestVote(rf: Raft, peer: number, args: RequestVoteArgs): Promise<void> {
  const reply = await rf.peers[peer].call<RequestVoteArgs, RequestVoteReply>('Raft.RequestVote', args);
  if (reply === null || rf.killed()) return;
  rf.observeTerm(reply.term, `RequestVote reply from S${peer}`); // [All.2]
  const s = rf.state;
  // A late reply from an earlier election, or for an election already decided, counts for nothing.
  if (s.role !== 'candidate' || rf.currentTerm !== args.term || !reply.voteGranted) return;
  s.votes.add(peer);
  // [C.2] votes from a majority: [M.2] of C_old and of C_new while the configuration is joint.
  if (hasQuorum(rf.config(), (i) => s.votes.has(i))) rf.becomeLeader();
}
// #endregion

// #region SOLUTION 2E
/** Whether `peer` votes in our configuration (in 2A–2D every peer does). */
function isVoter(rf: Raft, peer: number): boolean {
  const config = rf.config();
  return config.servers.includes(peer) || (config.newServers?.includes(peer) ?? false);
}

/**
 * [M.8] (thesis §4.2.3) a RequestVote to ignore, term and all: its candidate is outside the configuration
 * the cluster is heading for (C_new while joint), and a leader was heard from within the minimum election
 * timeout, so there is no election to hold. A removed server that never learnt of C_new times out and
 * asks with ever higher terms; without this it would depose every leader. Members' elections are never
 * affected, so 2A–2D run exactly as before.
 */
function disruptive(rf: Raft, args: RequestVoteArgs): boolean {
  const config = rf.config();
  if ((config.newServers ?? config.servers).includes(args.candidateId)) return false;
  const leaderAlive = rf.state.role === 'leader' || Date.now() - rf.leaderHeardAt < ELECTION_TIMEOUT_MIN_MS;
  if (leaderAlive) {
    debugLog(
      rf.me,
      'config',
      `T${rf.currentTerm} ignored RequestVote T${args.term} from removed S${args.candidateId}`,
    );
  }
  return leaderAlive;
}
// #endregion
