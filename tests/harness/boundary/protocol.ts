/**
 * What crosses the boundary between the tester and the code it judges (design.md, "Judging from outside
 * the judged code"). The tester sends commands; the student side runs a batch of them, lets everything
 * they set off run (one native setImmediate hop), and answers with the effects they caused, in the order
 * they happened. Everything is plain data, and every value of the lab's own is codec bytes: nothing is
 * shared, so the same batches and effects can cross a process boundary unchanged.
 *
 * The same student-side host (student-host.ts) runs the batches in both modes: in the tester's own
 * thread (`npm test`) and in a sandboxed child process (grading). Given the same seed the two modes run
 * the same steps in the same order, so their traces hash the same (boundary.e2e.ts checks it).
 */

/** A student-side object, numbered by the tester: a Raft peer, a service's server, or a clerk. */
export type Handle = number;

/**
 * What the tester can build on the student side: a Raft peer (2A–2E); a server of a service built on
 * Raft — kvraft's KVServer (3A–3C), the shard controller (4A) or a shardkv server (4B); or a clerk of
 * one of those services.
 */
export type StudentKind = 'raft' | ServerKind | ClerkKind;
export type ServerKind = 'kvserver' | 'ctrler' | 'shardkv';
export type ClerkKind = 'kvclerk' | 'ctrlerclerk' | 'shardclerk';

export interface RaftSpec {
  kind: 'raft';
  /** The names of the client ends the peer is given, one per peer (index = server number). */
  ends: string[];
  me: number;
  /** What its persister holds at the start (zero-length: nothing). */
  raftState: Uint8Array;
  snapshot: Uint8Array;
  /** 2E: the initial configuration. */
  initial: number[];
  /**
   * The tester hands the peer a snapshot from inside the apply of each command whose index + 1 is a
   * multiple of this (2D's applier); only those applies wait for the tester. null: none ever waits.
   */
  snapshotEvery: number | null;
}

/** A service's server: `new KVServer(ends, me, persister, maxraftstate, initial)`, and its kin. */
export interface ServerSpec {
  kind: ServerKind;
  /** Its ends to its own group's servers, one per server (index = server number). */
  ends: string[];
  me: number;
  raftState: Uint8Array;
  snapshot: Uint8Array;
  /** Snapshot when the raft state reaches this many bytes (-1: never); the controller has none. */
  maxraftstate: number;
  /** 3C: Raft's initial configuration (null: every server, as in 3A and 3B). */
  initial: number[] | null;
  /** shardkv: its replica group's id, and its ends to the shard controllers (it also gets a makeEnd). */
  gid: number;
  ctrlers: string[];
}

/**
 * A clerk: `new Clerk(ends)` for kvraft's and the controller's; `new Clerk(ends, makeEnd)` for shardkv's,
 * whose `ends` lead to the controllers. An end from makeEnd(name) is named `make:<name>#<n>` across the
 * boundary, so the tester knows which server it leads to.
 */
export interface ClerkSpec {
  kind: ClerkKind;
  ends: string[];
}

export type Spec = RaftSpec | ServerSpec | ClerkSpec;

/** The prefix of the names of the ends a student's makeEnd(name) makes (shardkv): `make:<name>#<n>`. */
export const MADE_END = /^make:(.*)#\d+$/s;

export type Command =
  /** Build a student object; the constructor runs now. */
  | { op: 'construct'; call: number; handle: Handle; spec: Spec }
  /**
   * Call one of the lab's API methods (INVOKABLE): getState, start, snapshot, changeConfig, kill on a peer;
   * a clerk's operations; `raft.getState` and `raft.changeConfig` on a server's Raft peer.
   */
  | { op: 'invoke'; call: number; handle: Handle; method: string; args: Uint8Array }
  /** Hand an RPC request to the object's handler. */
  | { op: 'deliver'; rpc: number; handle: Handle; svcMeth: string; args: Uint8Array }
  /** The answer to an outgoing call: the reply's bytes, or null when it failed. */
  | { op: 'reply'; call: number; reply: Uint8Array | null }
  /** The tester took an applyCh message: the student's applyCh call returns. */
  | { op: 'applied'; apply: number }
  /** A timer the student side set is due now (the tester's clock orders every timer). */
  | { op: 'fire'; timer: number };

/** What a peer's getState() said when it sent an RPC, or what it threw. */
export type SampledState = { term: number; isLeader: boolean } | { error: string };

export type Effect =
  /** The student side set a timer (`repeat`: setInterval; `immediate`: setImmediate). */
  | { op: 'timer'; timer: number; ms: number; repeat: boolean; immediate: boolean }
  /** The student side cleared a timer (or refreshed it: a clear, then the same timer again). */
  | { op: 'clear'; timer: number }
  /** An outgoing RPC, with its sender's getState() at the send (Election Safety is checked from it). */
  | {
      op: 'call';
      call: number;
      handle: Handle;
      end: string;
      svcMeth: string;
      args: Uint8Array;
      state: SampledState | null;
    }
  /** A persister save (`snapshot` null: saveRaftState, which keeps the snapshot). */
  | { op: 'persist'; handle: Handle; raftState: Uint8Array; snapshot: Uint8Array | null }
  /**
   * An applyCh message; `constructing`: sent from inside the constructor; `held`: the student's applyCh
   * call returns only when the tester says so (an `applied` command), after what it does about it.
   */
  | { op: 'apply'; apply: number; handle: Handle; msg: Uint8Array; constructing: boolean; held: boolean }
  /** An invoke's (or a construct's) outcome: the return value's bytes, or what it threw. */
  | { op: 'result'; call: number; value?: Uint8Array; error?: string }
  /** An RPC handler's outcome: the reply's bytes, or what it threw. */
  | { op: 'handled'; rpc: number; reply?: Uint8Array; error?: string }
  /** A debugLog line (`group`: Lab 4's gid, when the line names one). */
  | { op: 'debug'; server: number; topic: string; msg: string; group?: number }
  /** Student code threw where nothing catches it (a timer; in child mode, an unhandled rejection too). */
  | { op: 'crash'; error: string };

/** The methods the tester may invoke on each kind of student object. */
export const INVOKABLE: Readonly<Record<StudentKind, readonly string[]>> = {
  raft: ['getState', 'start', 'snapshot', 'changeConfig', 'kill'],
  kvserver: ['kill', 'raft.getState', 'raft.changeConfig'],
  ctrler: ['kill', 'raft.getState'],
  shardkv: ['kill', 'raft.getState'],
  kvclerk: ['get', 'put', 'append'],
  ctrlerclerk: ['query', 'join', 'leave', 'move'],
  shardclerk: ['get', 'put', 'append'],
};

/** The names under which the student side's StudentModules holds each class (student-host.ts). */
export type StudentModuleKey =
  'Raft' | 'KVServer' | 'KVClerk' | 'ShardCtrler' | 'CtrlerClerk' | 'ShardKV' | 'ShardClerk';

/**
 * Where each kind's class comes from: the lab folder and the name it exports, as the handouts declare
 * them, and its key in StudentModules. One table for everything that names them: the child's bundle
 * loads each folder and export (bundle.ts), the tester's bundle leaves those folders out, messages name
 * the class, and a server's handlers go by its class name ("KVServer.Get"; its Raft peer's by "Raft"),
 * as Go's labrpc names a service by its type.
 */
export const STUDENT_CLASS: Readonly<
  Record<StudentKind, { module: StudentModuleKey; folder: string; exported: string }>
> = {
  raft: { module: 'Raft', folder: 'raft', exported: 'Raft' },
  kvserver: { module: 'KVServer', folder: 'kvraft', exported: 'KVServer' },
  kvclerk: { module: 'KVClerk', folder: 'kvraft', exported: 'Clerk' },
  ctrler: { module: 'ShardCtrler', folder: 'shardctrler', exported: 'ShardCtrler' },
  ctrlerclerk: { module: 'CtrlerClerk', folder: 'shardctrler', exported: 'Clerk' },
  shardkv: { module: 'ShardKV', folder: 'shardkv', exported: 'ShardKV' },
  shardclerk: { module: 'ShardClerk', folder: 'shardkv', exported: 'Clerk' },
};

type FieldType =
  'number' | 'number?' | 'string' | 'boolean' | 'bytes' | 'bytes?' | 'bytes|null' | 'string?' | 'state|null';
const FIELDS: Readonly<Record<Effect['op'], Readonly<Record<string, FieldType>>>> = {
  timer: { timer: 'number', ms: 'number', repeat: 'boolean', immediate: 'boolean' },
  clear: { timer: 'number' },
  call: {
    call: 'number',
    handle: 'number',
    end: 'string',
    svcMeth: 'string',
    args: 'bytes',
    state: 'state|null',
  },
  persist: { handle: 'number', raftState: 'bytes', snapshot: 'bytes|null' },
  apply: { apply: 'number', handle: 'number', msg: 'bytes', constructing: 'boolean', held: 'boolean' },
  result: { call: 'number', value: 'bytes?', error: 'string?' },
  handled: { rpc: 'number', reply: 'bytes?', error: 'string?' },
  debug: { server: 'number', topic: 'string', msg: 'string', group: 'number?' },
  crash: { error: 'string' },
};

function fieldOk(value: unknown, type: FieldType): boolean {
  switch (type) {
    case 'bytes':
      return value instanceof Uint8Array;
    case 'bytes?':
      return value === undefined || value instanceof Uint8Array;
    case 'bytes|null':
      return value === null || value instanceof Uint8Array;
    case 'string?':
      return value === undefined || typeof value === 'string';
    case 'number?':
      return value === undefined || typeof value === 'number';
    case 'state|null': {
      if (value === null) return true;
      const s = value as Record<string, unknown>;
      return (
        typeof s === 'object' &&
        (typeof s.error === 'string' || (typeof s.term === 'number' && typeof s.isLeader === 'boolean'))
      );
    }
    default:
      return typeof value === type;
  }
}

/**
 * Whether `value` is a well-formed effect. What comes out of a child process is checked with this before
 * the tester looks at any of it: the code under test runs there and may send anything.
 */
export function isEffect(value: unknown): value is Effect {
  if (typeof value !== 'object' || value === null) return false;
  const fields = FIELDS[(value as { op?: unknown }).op as Effect['op']] as
    Record<string, FieldType> | undefined;
  if (fields === undefined) return false;
  const record = value as Record<string, unknown>;
  return Object.entries(fields).every(([key, type]) => fieldOk(record[key], type));
}
