/**
 * What a peer writes to stable storage (Figure 2, "Persistent state on all servers"), and reading it back.
 *
 * The state is encoded with the project's codec (msgpack) into the Persister's raft-state bytes; the
 * snapshot, when there is one, is saved beside it in the same call (saveStateAndSnapshot), so that a crash
 * never finds a log trimmed for a snapshot that was not saved. An empty raft state means a fresh boot.
 */
import { decode, encode } from '../labrpc';
import type { LogEntry } from './types';
// #region SOLUTION 2C
// SKELETON: import { todo } from './todo';
// #endregion

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

// #region SOLUTION 2C
/**
 * On disk the log is stored as two columns, terms and commands, rather than one object per entry: the
 * codec inspects every object it encodes, and the log is the bulk of the state, so columns make each
 * save of a long log several times cheaper (measured on the churn tests, whose logs pass 1500 entries).
 */
interface StoredState {
  currentTerm: number;
  votedFor: number | null;
  lastIncludedIndex: number;
  lastIncludedTerm: number;
  terms: number[];
  commands: unknown[];
}
// #endregion

export function encodeState(state: PersistentState): Uint8Array {
  // Your code here (2C).
  // #region SOLUTION 2C
  // SKELETON: return todo('2C: encode the persistent state');
  const { entries, ...rest } = state;
  const stored: StoredState = {
    ...rest,
    terms: entries.map((entry) => entry.term),
    commands: entries.map((entry) => entry.command),
  };
  return encode(stored, 'state');
  // #endregion
}

/** The persisted state, or null on a fresh boot (nothing saved yet). */
export function decodeState(bytes: Uint8Array): PersistentState | null {
  if (bytes.length < 1) return null;
  // Your code here (2C).
  // #region SOLUTION 2C
  // SKELETON: return todo('2C: decode the persistent state');
  const { terms, commands, ...rest } = decode<StoredState>(bytes);
  return { ...rest, entries: terms.map((term, k) => ({ term, command: commands[k] })) };
  // #endregion
}
