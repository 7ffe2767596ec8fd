/**
 * InstallSnapshot (Figure 13, §7): a leader whose log no longer holds the entries a follower needs
 * sends its snapshot instead, whole, in one RPC (so Figure 13's offset and done fields, [IS.2]–[IS.5],
 * do not apply).
 */
// #region SOLUTION 2D
/*
 * The follower keeps the log entries that follow the snapshot if its log agrees at the snapshot point,
 * and hands the snapshot to the service through the apply loop (apply-loop.ts).
 */
// #endregion
import { debugLog } from '../labrpc';
import type { Raft } from './raft';
import type { InstallSnapshotArgs, InstallSnapshotReply } from './types';
// #region SOLUTION 2D
// SKELETON: import { todo } from './todo';
// #endregion

/** The InstallSnapshot receiver. Persists the snapshot with the state before it returns the reply. */
export function handleInstallSnapshot(rf: Raft, args: InstallSnapshotArgs): InstallSnapshotReply {
  // Your code here (2D).
  // #region SOLUTION 2D
  // SKELETON: return todo('2D: InstallSnapshot receiver, Figure 13');
  const reply = { term: rf.currentTerm };
  if (rf.killed() || args.term < rf.currentTerm) return reply; // [IS.1] reply immediately if term < currentTerm
  if (args.term > rf.currentTerm || rf.state.role !== 'follower') {
    rf.becomeFollower(args.term, `InstallSnapshot from leader S${args.leaderId}`); // [All.2], [C.3]
  }
  rf.timers.resetElection(); // [F.2] it comes from the current leader
  rf.leaderHeardAt = Date.now(); // [M.8]
  reply.term = rf.currentTerm;
  const { lastIncludedIndex: index, lastIncludedTerm: term } = args;
  // [beyond Fig. 2] we already committed everything it covers: installing it could only go backwards.
  if (index <= rf.commitIndex) return reply;
  if (rf.log.term(index) === term) {
    rf.log.compactTo(index); // [IS.6] our log has the snapshot's last entry: keep the entries after it
  } else {
    rf.log.resetTo(index, term, args.config); // [IS.7] otherwise discard the entire log; [M.7]
  }
  rf.snapshotData = args.data;
  rf.persist(); // state and snapshot in one save, before replying
  rf.commitTo(index); // the snapshot holds only committed entries
  rf.offerSnapshot({ data: args.data, term, index }); // [IS.8] reset the state machine from the snapshot
  debugLog(rf.me, 'snap', `T${rf.currentTerm} installed snapshot at ${index} from S${args.leaderId}`);
  return reply;
  // #endregion
}

/** Send our snapshot to a follower that needs entries we have compacted away. */
export function sendInstallSnapshot(rf: Raft, peer: number): void {
  // Your code here (2D).
  // #region SOLUTION 2D
  // SKELETON: todo('2D: send InstallSnapshot');
  const args: InstallSnapshotArgs = {
    term: rf.currentTerm,
    leaderId: rf.me,
    lastIncludedIndex: rf.log.firstIndex,
    lastIncludedTerm: rf.log.firstTerm,
    data: rf.snapshotData,
    config: rf.log.firstConfig, // [M.7]
  };
  void sendAndHandle(rf, peer, args);
  // #endregion
}

// #region SOLUTION 2D
async function sendAndHandle(rf: Raft, peer: number, args: InstallSnapshotArgs): Promise<void> {
  const reply = await rf.peers[peer].call<InstallSnapshotArgs, InstallSnapshotReply>(
    'Raft.InstallSnapshot',
    args,
  );
  if (reply === null || rf.killed()) return;
  rf.observeTerm(reply.term, `InstallSnapshot reply from S${peer}`); // [All.2]
  const s = rf.state;
  if (s.role !== 'leader' || rf.currentTerm !== args.term) return; // a reply to an older term's RPC
  // The follower now holds everything up to the snapshot point (never move backwards: replies reorder).
  s.matchIndex[peer] = Math.max(s.matchIndex[peer], args.lastIncludedIndex);
  s.nextIndex[peer] = Math.max(s.nextIndex[peer], args.lastIncludedIndex + 1);
}
// #endregion
