/**
 * The types a Raft peer shares with its callers (the tester, the KV service) and with other peers.
 *
 * ApplyMsg and ApplyCh are the service-facing API and are fixed: the tester relies on them. The RPC
 * argument and reply types are Figure 2's and Figure 13's boxes; students fill in their fields.
 * Everything here is plain data, because it crosses the codec (labrpc/codec.ts) on every RPC and persist.
 */

/**
 * A cluster configuration (2E, §6 of the paper): the servers whose votes and log copies count. A
 * plain configuration has `newServers` null. During joint consensus the entry C_old,new holds both:
 * `servers` is C_old and `newServers` is C_new, and every election and every commit needs a majority
 * of each. Server numbers are indices into the peers array every peer is given.
 */
export interface Configuration {
  servers: number[];
  newServers: number[] | null;
}

/**
 * One message on the apply channel: a committed command, a snapshot that replaces the state machine,
 * or (2E) a committed configuration entry, delivered in log order like a command.
 */
export type ApplyMsg =
  | { kind: 'command'; command: unknown; commandIndex: number }
  | { kind: 'snapshot'; snapshot: Uint8Array; snapshotTerm: number; snapshotIndex: number }
  | { kind: 'config'; config: Configuration; configIndex: number };

/**
 * Raft calls this once per message, in order, and awaits it before delivering the next (Go's unbuffered
 * applyCh). The tester calls `rf.snapshot(...)` synchronously from inside it.
 */
export type ApplyCh = (msg: ApplyMsg) => void | Promise<void>;

/** What start() returns: where the command will appear if it commits, and whether this peer is leader. */
export interface StartResult {
  index: number;
  term: number;
  isLeader: boolean;
}

/**
 * What changeConfig() returns (2E): like start(), and `refused` says why a leader did not append the
 * change (another change is in progress, or a joining server is still catching up); null when it did.
 * A refused change may be asked again later; a non-leader always refuses.
 */
export interface ConfigChangeResult extends StartResult {
  refused: string | null;
}

/**
 * One log entry: the command and the term in which a leader received it. A configuration entry (2E)
 * carries `config`, and its command is null; other entries have no `config` property at all.
 */
export interface LogEntry {
  // Your data here (2B, 2E).
  // #region SOLUTION 2B
  term: number;
  command: unknown;
  config?: Configuration;
  // #endregion
}

/** RequestVote RPC arguments (Figure 2). */
export interface RequestVoteArgs {
  // Your data here (2A, 2B).
  // #region SOLUTION 2A
  term: number;
  candidateId: number;
  lastLogIndex: number;
  lastLogTerm: number;
  // #endregion
}

/** RequestVote RPC reply (Figure 2). */
export interface RequestVoteReply {
  // Your data here (2A).
  // #region SOLUTION 2A
  term: number;
  voteGranted: boolean;
  // #endregion
}

/** AppendEntries RPC arguments (Figure 2). */
export interface AppendEntriesArgs {
  // Your data here (2A, 2B).
  // #region SOLUTION 2A
  term: number;
  leaderId: number;
  prevLogIndex: number;
  prevLogTerm: number;
  entries: LogEntry[];
  leaderCommit: number;
  // #endregion
}

/** AppendEntries RPC reply (Figure 2, plus the hint for fast backtracking). */
export interface AppendEntriesReply {
  // Your data here (2A, 2B).
  // #region SOLUTION 2A
  term: number;
  success: boolean;
  /**
   * [beyond Fig. 2] fast backtracking (§5.3, last paragraphs; the 6.824 lecture's XTerm/XIndex/XLen):
   * on a mismatch, the follower's term at prevLogIndex (null if it has no entry there) and the first
   * index the leader should try next: the first index of that term, or one past the follower's log.
   */
  conflictTerm: number | null;
  conflictIndex: number;
  // #endregion
}

/** InstallSnapshot RPC arguments (Figure 13; the whole snapshot in one RPC, so no offset/done). */
export interface InstallSnapshotArgs {
  // Your data here (2D).
  // #region SOLUTION 2D
  term: number;
  leaderId: number;
  lastIncludedIndex: number;
  lastIncludedTerm: number;
  data: Uint8Array;
  /** [M.7] the configuration as of lastIncludedIndex (2E): the log that held it is gone. */
  config: Configuration;
  // #endregion
}

/** InstallSnapshot RPC reply (Figure 13). */
export interface InstallSnapshotReply {
  // Your data here (2D).
  // #region SOLUTION 2D
  term: number;
  // #endregion
}
