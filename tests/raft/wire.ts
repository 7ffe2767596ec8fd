/**
 * Reading Raft's RPCs off the wire, for the invariant monitor. The argument and reply shapes belong to
 * the student (raft/types.ts is theirs to fill in), so nothing here may assume them: a field is found by
 * Figure 2's name, case-insensitively (`prevLogIndex`, `PrevLogIndex`, `prevlogindex`), and a message
 * that lacks one of the fields a reader needs, or holds a value of the wrong type there, reads as null.
 * The monitor then says nothing about that RPC: silence, never a false alarm.
 *
 * The method is told by its name's end, as the API contract in GUIDE.md fixes it: handlers are named
 * `RequestVote` and `AppendEntries`, and the snapshot RPC's name contains `Snapshot`.
 */

export type RaftMethod = 'RequestVote' | 'AppendEntries' | 'InstallSnapshot';

export function raftMethod(svcMeth: string): RaftMethod | null {
  if (svcMeth.endsWith('AppendEntries')) return 'AppendEntries';
  if (svcMeth.endsWith('RequestVote')) return 'RequestVote';
  if (svcMeth.includes('Snapshot')) return 'InstallSnapshot';
  return null;
}

export interface AppendEntriesView {
  term: number;
  prevLogIndex: number;
  prevLogTerm: number;
  /** How many entries it carries (kept when `terms` and `entries` are let go, see releaseEntries). */
  count: number;
  /** terms[k]: the term of the entry at prevLogIndex + 1 + k. */
  terms: readonly number[];
  /** The entries as sent (compared whole for Log Matching). */
  entries: readonly Record<string, unknown>[];
  /** null if the student's arguments have no `leaderCommit` field. */
  leaderCommit: number | null;
}

export interface RequestVoteView {
  term: number;
  /** null if the student's arguments do not carry the candidate's last log entry. */
  lastLog: { index: number; term: number } | null;
}

export interface InstallSnapshotView {
  term: number;
  lastIncludedIndex: number;
  lastIncludedTerm: number;
}

/** A reply: its term if it has one, and the boolean outcome (`success` or `voteGranted`). */
export interface ReplyView {
  term: number | null;
  ok: boolean;
}

type Fields = Record<string, unknown>;

/** Field names by their lower-case spelling, per set of keys (shapes repeat: one lookup per shape). */
const shapes = new Map<string, Map<string, string>>();

function lowerNames(value: Fields): Map<string, string> {
  const keys = Object.keys(value);
  const shape = keys.join('\u0000');
  let names = shapes.get(shape);
  if (names === undefined) {
    names = new Map(keys.map((k) => [k.toLowerCase(), k]));
    if (shapes.size < 1000) shapes.set(shape, names);
  }
  return names;
}

function isFields(value: unknown): value is Fields {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array)
  );
}

/**
 * A field by its Figure 2 name: as written (`prevLogIndex`, the fast path, no lookup), else under any
 * capitalisation (`PrevLogIndex`).
 */
function field(value: Fields, name: string): unknown {
  const direct = value[name];
  if (direct !== undefined) return direct;
  const key = lowerNames(value).get(name.toLowerCase());
  return key === undefined ? undefined : value[key];
}

function int(value: unknown): number | null {
  return typeof value === 'number' && Number.isSafeInteger(value) ? value : null;
}

export function readAppendEntries(args: unknown): AppendEntriesView | null {
  if (!isFields(args)) return null;
  const term = int(field(args, 'term'));
  const prevLogIndex = int(field(args, 'prevLogIndex'));
  const prevLogTerm = int(field(args, 'prevLogTerm'));
  const raw = field(args, 'entries');
  if (term === null || prevLogIndex === null || prevLogTerm === null || !Array.isArray(raw)) return null;
  const entries = raw as unknown[];
  const terms: number[] = new Array<number>(entries.length);
  for (let k = 0; k < entries.length; k++) {
    const entry = entries[k];
    const entryTerm = isFields(entry) ? int(field(entry, 'term')) : null;
    if (entryTerm === null) return null;
    terms[k] = entryTerm;
  }
  const leaderCommit = int(field(args, 'leaderCommit'));
  return {
    term,
    prevLogIndex,
    prevLogTerm,
    count: entries.length,
    terms,
    entries: entries as Record<string, unknown>[],
    leaderCommit,
  };
}

export function readRequestVote(args: unknown): RequestVoteView | null {
  if (!isFields(args)) return null;
  const term = int(field(args, 'term'));
  if (term === null) return null;
  const index = int(field(args, 'lastLogIndex'));
  const lastTerm = int(field(args, 'lastLogTerm'));
  return { term, lastLog: index === null || lastTerm === null ? null : { index, term: lastTerm } };
}

export function readInstallSnapshot(args: unknown): InstallSnapshotView | null {
  if (!isFields(args)) return null;
  const term = int(field(args, 'term'));
  const lastIncludedIndex = int(field(args, 'lastIncludedIndex'));
  const lastIncludedTerm = int(field(args, 'lastIncludedTerm'));
  if (term === null || lastIncludedIndex === null || lastIncludedTerm === null) return null;
  return { term, lastIncludedIndex, lastIncludedTerm };
}

/** Let go of an AppendEntries' entries once it is done with (the stall explanations keep it a while). */
export function releaseEntries(view: AppendEntriesView): void {
  view.terms = [];
  view.entries = [];
}

/** `outcome` is the reply's boolean: 'success' for AppendEntries, 'voteGranted' for RequestVote. */
export function readReply(reply: unknown, outcome: 'success' | 'voteGranted'): ReplyView | null {
  if (!isFields(reply)) return null;
  const ok = field(reply, outcome);
  if (typeof ok !== 'boolean') return null;
  return { term: int(field(reply, 'term')), ok };
}

/** The command an entry carries, by the field name `command` (undefined if it has none). */
export function entryCommand(entry: Record<string, unknown>): unknown {
  return field(entry, 'command');
}

/** Plain data equal in value: what Log Matching compares two entries of one index and term by. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return Number.isNaN(a) && Number.isNaN(b);
  }
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    if (!(a instanceof Uint8Array && b instanceof Uint8Array) || a.length !== b.length) return false;
    return a.every((byte, k) => byte === b[k]);
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  const fa = a as Fields;
  const fb = b as Fields;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(fb, k) && sameValue(fa[k], fb[k]));
}

/** A copy of plain data, so that a peer changing its own objects later cannot change what was seen. */
export function copyValue<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Uint8Array) return new Uint8Array(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => copyValue(v)) as T;
  const out: Fields = {};
  for (const [k, v] of Object.entries(value as Fields)) out[k] = copyValue(v);
  return out as T;
}
