/**
 * What a peer writes to stable storage (Figure 2, "Persistent state on all servers", which is "updated on
 * stable storage before responding to RPCs"), and reading it back.
 *
 * The state is encoded with the project's codec (msgpack) into the Persister's raft-state bytes; the
 * snapshot, when there is one, is saved beside it in the same call (saveStateAndSnapshot), so that a crash
 * never finds a log trimmed for a snapshot that was not saved. An empty raft state means a fresh boot.
 */
import { decode, encode } from '../labrpc';
import type { Configuration, LogEntry } from './types';
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
  /** [M.7] the configuration as of lastIncludedIndex (2E): the initial one before any snapshot. */
  lastIncludedConfig: Configuration;
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
  lastIncludedConfig: Configuration;
  /** The positions of the configuration entries (2E), whose commands column holds their configuration. */
  configAt: number[];
  terms: number[];
  commands: unknown[];
}

/** What the commands column holds for an entry: its command, or its configuration (2E). */
function storedCommand(entry: LogEntry): unknown {
  return entry.config ?? entry.command;
}
// SKELETON: /**
// SKELETON:  * The bytes persist() saves. Only your raft/ calls encodeState and decodeState: their signatures are
// SKELETON:  * yours to change. Encoding the whole state at once is the place to start (2C). Once logs grow long
// SKELETON:  * (3A), GUIDE's "Tip: persist incrementally" keeps the log's entries encoded as they enter the log,
// SKELETON:  * in an EncodedList (from ../labrpc), and passes its bytes here instead of the entries:
// SKELETON:  * `encodeState(state, logBytes: EncodedList<LogEntry>)`, with `state` the other fields, returning
// SKELETON:  * `encodeArray([encode(state.currentTerm), …, logBytes.bytes()])`; decodeState reads that array
// SKELETON:  * back with one `decode`.
// SKELETON:  */
// #endregion
export function encodeState(state: PersistentState): Uint8Array {
  // Your code here (2C).
  // #region SOLUTION 2C
  // SKELETON: return todo('2C: encode the persistent state');
  const { entries } = state;
  const stored: StoredState = {
    currentTerm: state.currentTerm,
    votedFor: state.votedFor,
    lastIncludedIndex: state.lastIncludedIndex,
    lastIncludedTerm: state.lastIncludedTerm,
    lastIncludedConfig: state.lastIncludedConfig,
    configAt: entries.flatMap((entry, k) => (entry.config === undefined ? [] : [k])),
    terms: entries.map((entry) => entry.term),
    commands: entries.map(storedCommand),
  };
  return encode(stored, 'state');
  // #endregion
}

// #region SOLUTION 2C
/**
 * The same bytes as encodeState, without re-encoding the whole log on every save.
 *
 * Figure 2 makes a peer save its state before it answers an RPC, so a follower persists on every
 * AppendEntries that brings new entries, and a leader on every start(). encodeState encodes the whole
 * log each time: a log of n entries built one entry at a time costs n²/2 entry encodings, which is
 * where a busy KV test spends most of its time. But a log only changes at its end (append, or a
 * conflict cutting off the tail) and at its start (a snapshot). So a StateEncoder (one per peer) keeps
 * the two encoded columns of the entries it wrote last time, finds the first entry that is not the one
 * it encoded there, cuts the columns back to that point and encodes only the rest. A save then costs
 * one copy of bytes that are already encoded, and the output stays exactly what encodeState would give,
 * so the persisted format and the tests' byte bounds do not change.
 *
 * It relies on entries never being modified in place once they are in the log (they never are here:
 * the log replaces entries, it does not edit them).
 *
 * The commands column, the bulk of the state, is kept with free room in front of it, and the rest of the
 * state (the small fields and the terms column) is written into that room at each save: the bytes are
 * assembled where they already are, with no copy of the log. The array `encode` returns is therefore a
 * view that the next `encode` overwrites: hand it to the persister (which keeps its own copy) at once.
 */
export class StateEncoder {
  /** The entries encoded last time, in log order, after the snapshot point `#lastIncludedIndex`. */
  #entries: LogEntry[] = [];
  #lastIncludedIndex = -1;
  readonly #terms = new Column();
  readonly #commands = new Column();
  /** The positions of the configuration entries among #entries (2E). */
  #configAt: number[] = [];

  encode(state: PersistentState): Uint8Array {
    this.#update(state.lastIncludedIndex, state.entries);
    const n = state.entries.length;
    // A MessagePack map: how many keys, then each key followed by its value, in StoredState's order.
    return this.#commands.behind([
      MAP_OF_EIGHT_KEYS,
      KEYS.currentTerm,
      encode(state.currentTerm, 'state.currentTerm'),
      KEYS.votedFor,
      encode(state.votedFor, 'state.votedFor'),
      KEYS.lastIncludedIndex,
      encode(state.lastIncludedIndex, 'state.lastIncludedIndex'),
      KEYS.lastIncludedTerm,
      encode(state.lastIncludedTerm, 'state.lastIncludedTerm'),
      KEYS.lastIncludedConfig,
      encode(state.lastIncludedConfig, 'state.lastIncludedConfig'),
      KEYS.configAt,
      encode(this.#configAt, 'state.configAt'),
      KEYS.terms,
      arrayHeader(n),
      this.#terms.bytes(),
      KEYS.commands,
      arrayHeader(n),
    ]);
  }

  /** Make the columns hold exactly `entries`, encoding only those not encoded last time. */
  #update(lastIncludedIndex: number, entries: readonly LogEntry[]): void {
    if (lastIncludedIndex !== this.#lastIncludedIndex) {
      // A snapshot moved the start of the log (rare, and the log is short after it): start over.
      this.#lastIncludedIndex = lastIncludedIndex;
      this.#entries = [];
      this.#configAt = [];
      this.#terms.cutTo(0);
      this.#commands.cutTo(0);
    }
    const encoded = this.#entries; // a local: this loop runs over the whole log at every save
    let same = 0;
    const common = Math.min(entries.length, encoded.length);
    while (same < common && entries[same] === encoded[same]) same += 1;
    encoded.length = same;
    if (this.#configAt.some((k) => k >= same)) this.#configAt = this.#configAt.filter((k) => k < same);
    this.#terms.cutTo(same);
    this.#commands.cutTo(same);
    for (let k = same; k < entries.length; k++) {
      encoded.push(entries[k]);
      if (entries[k].config !== undefined) this.#configAt.push(k);
      this.#terms.push(encode(entries[k].term, `state.terms[${k}]`));
      this.#commands.push(encode(storedCommand(entries[k]), `state.commands[${k}]`));
    }
  }
}

/**
 * One column of encoded values, back to back, remembering where each value ends so it can be cut, and
 * with free room in front of it, where `behind` writes what comes before the column in the output.
 */
class Column {
  #data = new Uint8Array(1024);
  /** Where the column starts in #data: the room in front of it. */
  #start = 0;
  /** ends[k] is the length of the column's first k + 1 values. */
  readonly #ends: number[] = [];

  /** The encoded values, back to back (a view: valid until the next change). */
  bytes(): Uint8Array {
    return this.#data.subarray(this.#start, this.#start + this.#length());
  }

  push(value: Uint8Array): void {
    const at = this.#start + this.#length();
    if (at + value.length > this.#data.length) {
      const room = this.#data.length - this.#start;
      this.#regrow(this.#start, Math.max(2 * room, this.#length() + value.length));
    }
    this.#data.set(value, at);
    this.#ends.push(at + value.length - this.#start);
  }

  /** Keep the first `count` values. */
  cutTo(count: number): void {
    this.#ends.length = count;
  }

  /** `parts` written back to back, followed by the column: one view, valid until the next change. */
  behind(parts: readonly Uint8Array[]): Uint8Array {
    let front = 0;
    for (const part of parts) front += part.length;
    // Room for twice what is needed now: the terms column in front grows with the log.
    if (front > this.#start) this.#regrow(2 * front + 64, this.#data.length - this.#start);
    let at = this.#start - front;
    for (const part of parts) {
      this.#data.set(part, at);
      at += part.length;
    }
    return this.#data.subarray(this.#start - front, this.#start + this.#length());
  }

  /** A new #data with `start` bytes of room in front of the column and `room` bytes for it. */
  #regrow(start: number, room: number): void {
    const length = this.#length();
    const grown = new Uint8Array(start + room);
    grown.set(this.#data.subarray(this.#start, this.#start + length), start);
    this.#data = grown;
    this.#start = start;
  }

  #length(): number {
    return this.#ends.length === 0 ? 0 : this.#ends[this.#ends.length - 1];
  }
}

// The MessagePack headers msgpackr writes for StoredState (fixmap, fixarray / array 16 / array 32).
const MAP_OF_EIGHT_KEYS = Uint8Array.of(0x88);
const KEYS: Readonly<Record<keyof StoredState, Uint8Array>> = {
  currentTerm: encode('currentTerm'),
  votedFor: encode('votedFor'),
  lastIncludedIndex: encode('lastIncludedIndex'),
  lastIncludedTerm: encode('lastIncludedTerm'),
  lastIncludedConfig: encode('lastIncludedConfig'),
  configAt: encode('configAt'),
  terms: encode('terms'),
  commands: encode('commands'),
};

function arrayHeader(n: number): Uint8Array {
  if (n < 16) return Uint8Array.of(0x90 | n);
  if (n < 0x10000) return Uint8Array.of(0xdc, n >> 8, n & 0xff);
  return Uint8Array.of(0xdd, n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
}
// #endregion

/** The persisted state, or null on a fresh boot (nothing saved yet). */
export function decodeState(bytes: Uint8Array): PersistentState | null {
  if (bytes.length < 1) return null;
  // Your code here (2C).
  // #region SOLUTION 2C
  // SKELETON: return todo('2C: decode the persistent state');
  const { terms, commands, configAt, ...rest } = decode<StoredState>(bytes);
  const entries: LogEntry[] = terms.map((term, k) => ({ term, command: commands[k] }));
  for (const k of configAt) {
    entries[k] = { term: terms[k], command: null, config: commands[k] as Configuration };
  }
  return { ...rest, entries };
  // #endregion
}
