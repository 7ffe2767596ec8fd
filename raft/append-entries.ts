/**
 * AppendEntries (Figure 2): the receiver's rules, and the leader's side — sending each follower the
 * entries it lacks (or a heartbeat), backing up nextIndex on a mismatch, and advancing commitIndex.
 */
import { debugLog } from '../labrpc';
import type { Raft } from './raft';
import type { AppendEntriesArgs, AppendEntriesReply } from './types';
// #region SOLUTION 2A
// SKELETON: import { todo } from './todo';
import { assert } from './errors';
import type { RaftLog } from './log';
import { sendInstallSnapshot } from './install-snapshot';
import { hasQuorum } from './membership';
// #endregion

/** The AppendEntries receiver. Persists any change before it returns the reply. */
export function handleAppendEntries(rf: Raft, args: AppendEntriesArgs): AppendEntriesReply {
  // Your code here (2A, 2B).
  // #region SOLUTION 2A
  // SKELETON: return todo('2A: AppendEntries receiver (heartbeats), Figure 2');
  const reply: AppendEntriesReply = {
    term: rf.currentTerm,
    success: false,
    conflictTerm: null,
    conflictIndex: 0,
  };
  if (rf.killed() || args.term < rf.currentTerm) return reply; // [AE.1] reply false if term < currentTerm
  // [All.2] a newer term; [C.3] a candidate hearing from this term's leader: either way, follow it.
  if (args.term > rf.currentTerm || rf.state.role !== 'follower') {
    rf.becomeFollower(args.term, `AppendEntries from leader S${args.leaderId}`);
  }
  rf.timers.resetElection(); // [F.2] the current leader is alive
  rf.leaderHeardAt = Date.now(); // [M.8]
  reply.term = rf.currentTerm;
  matchAndAppend(rf, args, reply);
  return reply;
  // #endregion
}

// #region SOLUTION 2A
/** [AE.2]–[AE.5]: check the leader's previous entry, then merge its entries and learn its commitIndex. */
function matchAndAppend(rf: Raft, args: AppendEntriesArgs, reply: AppendEntriesReply): void {
  // Entries at or before our snapshot point are committed and covered by the snapshot: skip them.
  const skip = Math.max(0, Math.min(args.entries.length, rf.log.firstIndex - args.prevLogIndex));
  const prevLogIndex = args.prevLogIndex + skip;
  const prevLogTerm = skip > 0 ? args.entries[skip - 1].term : args.prevLogTerm;
  const entries = args.entries.slice(skip);
  if (prevLogIndex < rf.log.firstIndex) {
    reply.success = true; // everything in this RPC is already in our snapshot
    return;
  }
  const ourTerm = rf.log.term(prevLogIndex);
  if (ourTerm !== prevLogTerm) {
    // [AE.2] reply false if the log has no entry at prevLogIndex whose term matches prevLogTerm;
    // [beyond Fig. 2] fast backtracking: say where our log ends, or where our conflicting term starts.
    reply.conflictTerm = ourTerm ?? null;
    reply.conflictIndex =
      ourTerm === undefined ? rf.log.lastIndex + 1 : rf.log.firstIndexOfTerm(ourTerm, prevLogIndex);
    debugLog(rf.me, 'append', `T${rf.currentTerm} mismatch at ${prevLogIndex}, ${rf.log.describe()}`);
    return;
  }
  if (mergeEntries(rf, prevLogIndex, entries)) rf.persist();
  reply.success = true;
  // [AE.5] if leaderCommit > commitIndex: commitIndex = min(leaderCommit, index of last new entry)
  rf.commitTo(Math.min(args.leaderCommit, prevLogIndex + entries.length));
}

/** [AE.3] and [AE.4]; returns whether the log changed. Matching entries are kept (a stale RPC cuts nothing). */
function mergeEntries(rf: Raft, prevLogIndex: number, entries: AppendEntriesArgs['entries']): boolean {
  for (let k = 0; k < entries.length; k++) {
    const index = prevLogIndex + 1 + k;
    const ourTerm = rf.log.term(index);
    if (ourTerm === entries[k].term) continue;
    if (ourTerm !== undefined) {
      // [AE.3] conflict at the same index, different term: delete it and all that follow (§5.3)
      assert(
        index > rf.commitIndex,
        () => `S${rf.me} would delete committed index ${index} (commit ${rf.commitIndex})`,
      );
      rf.log.truncateFrom(index);
    }
    rf.log.append(...entries.slice(k)); // [AE.4] append any new entries not already in the log
    return true;
  }
  return false;
}
// #endregion

/** [L.1] heartbeats and [L.3] replication: one AppendEntries (or InstallSnapshot) round to every follower. */
export function replicateAll(rf: Raft): void {
  // Your code here (2A, 2B).
  // #region SOLUTION 2A
  // SKELETON: todo('2A: replicateAll: a leader sends AppendEntries (a heartbeat when there is nothing new) to every other peer');
  if (rf.killed() || rf.state.role !== 'leader') return;
  // 2E: a configuration whose majority is the leader alone ({me}) commits without a reply to wait for.
  advanceCommitIndex(rf);
  if (rf.state.role !== 'leader') return; // [M.5] that commit removed us
  rf.peers.forEach((_, peer) => {
    if (peer !== rf.me && rf.replicatesTo(peer)) replicateTo(rf, peer); // [M.9]
  });
  // #endregion
}

// #region SOLUTION 2A
/**
 * [beyond Fig. 2] at most this many entries per AppendEntries: a follower far behind (a restarted
 * peer in the churn tests lags by 1000+ entries) gets the log in batches, one after the other, instead
 * of the whole tail again with every heartbeat while the first copy is in flight.
 */
const MAX_ENTRIES_PER_APPEND = 100;

/** [L.3] send the follower the log entries starting at nextIndex (none: a heartbeat). */
function replicateTo(rf: Raft, peer: number): void {
  const s = rf.state;
  if (s.role !== 'leader') return;
  const prevLogIndex = s.nextIndex[peer] - 1;
  if (prevLogIndex < rf.log.firstIndex) {
    sendInstallSnapshot(rf, peer); // the entries it needs are gone into our snapshot (§7)
    return;
  }
  const args: AppendEntriesArgs = {
    term: rf.currentTerm,
    leaderId: rf.me,
    prevLogIndex,
    prevLogTerm: rf.log.term(prevLogIndex) as number,
    entries: rf.log.entriesFrom(prevLogIndex + 1, MAX_ENTRIES_PER_APPEND),
    leaderCommit: rf.commitIndex,
  };
  void sendAppendEntries(rf, peer, args);
}

async function sendAppendEntries(rf: Raft, peer: number, args: AppendEntriesArgs): Promise<void> {
  const reply = await rf.peers[peer].call<AppendEntriesArgs, AppendEntriesReply>('Raft.AppendEntries', args);
  if (reply === null || rf.killed()) return;
  rf.observeTerm(reply.term, `AppendEntries reply from S${peer}`); // [All.2]
  const s = rf.state;
  if (s.role !== 'leader' || rf.currentTerm !== args.term) return; // a reply to an older term's RPC
  if (reply.success) {
    // [L.3a] success: update nextIndex and matchIndex for the follower (never backwards: replies reorder)
    const match = args.prevLogIndex + args.entries.length;
    s.matchIndex[peer] = Math.max(s.matchIndex[peer], match);
    s.nextIndex[peer] = Math.max(s.nextIndex[peer], match + 1);
    advanceCommitIndex(rf);
    // A full batch: the follower is catching up, so send the next one now rather than at the heartbeat.
    if (args.entries.length === MAX_ENTRIES_PER_APPEND && s.nextIndex[peer] <= rf.log.lastIndex) {
      replicateTo(rf, peer);
    }
    return;
  }
  // [L.3b] log inconsistency: decrement nextIndex and retry; [beyond Fig. 2] jump by the conflict hint.
  const before = s.nextIndex[peer];
  const hinted = Math.min(backtrack(rf.log, reply), args.prevLogIndex);
  s.nextIndex[peer] = Math.max(s.matchIndex[peer] + 1, Math.min(before, hinted));
  if (s.nextIndex[peer] < before) replicateTo(rf, peer);
}

/** [beyond Fig. 2] where to try next: after our last entry of the follower's conflicting term, if we have one. */
function backtrack(log: RaftLog, reply: AppendEntriesReply): number {
  if (reply.conflictTerm === null) return reply.conflictIndex;
  const last = log.lastIndexOfTerm(reply.conflictTerm);
  return last === undefined ? reply.conflictIndex : last + 1;
}

/** [L.4] commit the highest N > commitIndex replicated on a majority, if log[N].term == currentTerm (§5.4.2). */
function advanceCommitIndex(rf: Raft): void {
  const s = rf.state;
  if (s.role !== 'leader') return;
  for (let n = rf.log.lastIndex; n > rf.commitIndex; n--) {
    // Entries from earlier terms are never committed by counting; they commit with a current-term one.
    if ((rf.log.term(n) as number) < rf.currentTerm) return;
    // [M.2] a majority of the configuration in effect (of C_old and of C_new while joint); [M.5] a
    // leader outside a set does not count for it.
    if (hasQuorum(rf.config(), (i) => s.matchIndex[i] >= n)) {
      rf.commitTo(n);
      return;
    }
  }
}
// #endregion
