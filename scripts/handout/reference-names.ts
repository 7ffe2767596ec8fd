/**
 * Names that only the reference solution has: its helpers, classes, constants and private methods. A
 * handout's raft/ and kvraft/ must contain none of them (the self-check looks for each as a whole word),
 * and no other shipped file may carry many of them (a copy of the reference, e.g. a grader fixture that
 * should have been instructor-only). The skeleton's own scaffold (Raft, PeerTimers and its timer stubs, RaftLog,
 * runApplyLoop, startElection, replicateAll, sendInstallSnapshot, encodeState, decodeState, the
 * handle* functions, Clerk, KVServer) is not on this list: the handout keeps those on purpose.
 *
 * Keep it in step with the reference: the self-check fails when a listed name no longer appears there.
 */
export const REFERENCE_ONLY_NAMES: readonly string[] = [
  // raft/
  'RoleState',
  'Signal',
  'PendingSnapshot',
  'pendingSnapshot',
  'applySignal',
  'snapshotData',
  'becomeFollower',
  'becomeCandidate',
  'becomeLeader',
  'observeTerm',
  'commitTo',
  'offerSnapshot',
  'matchAndAppend',
  'mergeEntries',
  'replicateTo',
  'sendAppendEntries',
  'backtrack',
  'advanceCommitIndex',
  'MAX_ENTRIES_PER_APPEND',
  'requestVote',
  'isUpToDate',
  'nextApplyMsg',
  'sendAndHandle',
  'StoredState',
  'StateEncoder',
  'HEARTBEAT_MS',
  'ELECTION_TIMEOUT_MIN_MS',
  'ELECTION_TIMEOUT_SPREAD_MS',
  'ensureElection',
  'replicateSoon',
  'firstIndexOfTerm',
  'lastIndexOfTerm',
  'truncateFrom',
  'compactTo',
  'resetTo',
  'entriesFrom',
  'conflictTerm',
  'conflictIndex',
  // raft/, 2E
  'leaderHeardAt',
  'appendConfig',
  'replicatesTo',
  'afterCommit',
  'stepDown',
  'sameServers',
  'isVoter',
  'disruptive',
  'configAt',
  'firstConfig',
  'storedCommand',
  // kvraft/
  'PendingOps',
  'WRONG_LEADER',
  'Outcome',
  'TIMEOUT_MS',
  'CHECK_MS',
  'KVStore',
  'OpResult',
  'StoredSnapshot',
  'opsToCommand',
  'commandToOps',
  'BATCH_MS',
  'RETRY_ROUND_MS',
  'callLeader',
  'failAll',
  'coveredBy',
  'maybeSnapshot',
  'applySnapshot',
  'applyCommand',
];

/** The listed names that occur in `text` as whole words. */
export function referenceNamesIn(text: string): string[] {
  return REFERENCE_ONLY_NAMES.filter((name) => new RegExp(`(?<![\\w$])${name}(?![\\w$])`).test(text));
}
