/**
 * What a peer writes to stable storage (Figure 2, "Persistent state on all servers"), and reading it back.
 *
 * The state is encoded with the project's codec (msgpack) into the Persister's raft-state bytes; the
 * snapshot, when there is one, is saved beside it in the same call (saveStateAndSnapshot), so that a crash
 * never finds a log trimmed for a snapshot that was not saved. An empty raft state means a fresh boot.
 */
import { decode, encode } from '../labrpc';
import type { LogEntry } from './types';

/** Figure 2's persistent state, plus where the log starts after a snapshot (Figure 13, 2D). */
export interface PersistentState {
  // Your data here (2C, 2D).
  // #region SOLUTION 2C
  currentTerm: number;
  votedFor: number | null;
  /** lastIncludedIndex and lastIncludedTerm of the snapshot; 0 and 0 before the first one. */
  lastIncludedIndex: number;
  lastIncludedTerm: number;
  /** The log after lastIncludedIndex. */
  entries: LogEntry[];
  // #endregion
}

export function encodeState(state: PersistentState): Uint8Array {
  return encode(state, 'state');
}

/** The persisted state, or null on a fresh boot (nothing saved yet). */
export function decodeState(bytes: Uint8Array): PersistentState | null {
  if (bytes.length < 1) return null;
  return decode<PersistentState>(bytes);
}
