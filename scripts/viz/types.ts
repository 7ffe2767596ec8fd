/**
 * The data the timeline page draws, computed from a trace in TypeScript (model.ts, roles.ts) so the
 * page's script only lays out and reacts. Times are virtual ms. Servers are the numbers the test uses.
 */

export type Role = 'follower' | 'candidate' | 'leader';

/** A stretch of time in which a server held one role in one term. */
export interface RoleSpan {
  readonly server: number;
  readonly start: number;
  readonly end: number;
  readonly role: Role;
  readonly term: number;
  /** What told us: a debug line of the peer's own, or an inference from the RPCs it sent or saw. */
  readonly source: string;
}

/** A stretch of time in which a server was crashed or cut off from the network. */
export interface DownSpan {
  readonly server: number;
  readonly start: number;
  readonly end: number;
  readonly kind: 'crashed' | 'disconnected';
}

/** A stretch in which the whole network was unreliable or reordering replies. */
export interface NetSpan {
  readonly start: number;
  readonly end: number;
  readonly kind: string;
}

/**
 * One RPC. `fate`: ok (reply came back), late (reply held back 200–2199 ms by long reordering),
 * drop-request / drop-reply (the unreliable net lost it), unreachable (destination disabled),
 * dead (destination died while handling), pending (the run ended first).
 */
export interface VizRpc {
  readonly id: number;
  readonly from: number;
  readonly to: number;
  readonly method: string;
  readonly send: number;
  /** When the request reached the handler, if it did. */
  readonly deliver: number | null;
  /** When the caller saw the reply or the failure. */
  readonly end: number | null;
  readonly fate: 'ok' | 'late' | 'drop-request' | 'drop-reply' | 'unreachable' | 'dead' | 'pending';
  /** AppendEntries without entries. */
  readonly heartbeat: boolean;
  readonly args: unknown;
  readonly reply: unknown;
}

/** A point on the timeline worth stepping to (faults, role changes, applies, debug lines, output). */
export interface VizEvent {
  readonly t: number;
  /** The server it concerns, or null for the whole test. */
  readonly server: number | null;
  /** fault, role, apply, log, print, error, codec, rpc */
  readonly kind: string;
  readonly text: string;
  /** For rpc events: the RPC's id. */
  readonly rpc?: number;
  readonly detail: unknown;
}

/**
 * 2E: a stretch in which a server was a voter of the committed configuration — `voter` in a plain one
 * (or in both halves of a joint one), `leaving` in C_old only, `joining` in C_new only. No span: not a
 * voter. Empty when no configuration entry was applied (2A–2D: every server votes throughout).
 */
export interface VoterSpan {
  readonly server: number;
  readonly start: number;
  readonly end: number;
  readonly membership: 'voter' | 'leaving' | 'joining';
  /** The configuration, e.g. "{0,1,2}->{2,3,4}". */
  readonly config: string;
}

/** One timeline lane: a server, or in Lab 4 one server of one group (lanes.ts). */
export interface VizLane {
  readonly id: number;
  /** The server's number in its group (its `me`). */
  readonly server: number;
  /** Its replica group's gid; null for a shard controller, and for every server before Lab 4. */
  readonly gid: number | null;
  /** "S2", drawn in the lane. */
  readonly label: string;
  /** "G101 S2", in titles and details. */
  readonly name: string;
}

/** Lab 4: a block of lanes, the shard controllers or one replica group. */
export interface VizGroup {
  readonly gid: number | null;
  /** "controllers", "gid 101". */
  readonly label: string;
  readonly lanes: number[];
}

/** Lab 4: replica group `gid` moved to configuration `num` (first seen on `lane`). */
export interface ConfigMark {
  readonly t: number;
  readonly gid: number;
  readonly num: number;
  readonly lane: number;
}

/** Lab 4: `shards` moved from group `from` to group `to` with configuration `num`. */
export interface ShardMove {
  readonly t: number;
  readonly num: number;
  readonly from: number;
  readonly to: number;
  readonly shards: number[];
}

export interface VizApply {
  readonly server: number;
  readonly t: number;
  readonly index: number;
  readonly command: unknown;
}

export interface VizData {
  readonly title: string;
  readonly test: string | null;
  readonly seed: number | null;
  readonly passed: boolean | null;
  readonly replay: string | null;
  readonly error: string | null;
  readonly endMs: number;
  /** Lane numbers, in drawing order (before Lab 4: the servers' own numbers). */
  readonly servers: readonly number[];
  /** One per lane number in `servers`. */
  readonly lanes: readonly VizLane[];
  /** Lab 4: the lane blocks, controllers first; empty before Lab 4. */
  readonly groups: readonly VizGroup[];
  readonly configMarks: readonly ConfigMark[];
  readonly shardMoves: readonly ShardMove[];
  readonly roles: readonly RoleSpan[];
  readonly down: readonly DownSpan[];
  readonly net: readonly NetSpan[];
  readonly rpcs: readonly VizRpc[];
  readonly applies: readonly VizApply[];
  readonly voters: readonly VoterSpan[];
  /** Sorted by time; the page steps through these with the arrow keys. */
  readonly events: readonly VizEvent[];
  /** A linearizability page for the same run, relative to the timeline page, if there is one. */
  readonly history: string | null;
}
