/**
 * What the shard controller's Clerk and servers say to each other (6.824 shardctrler/common.go, catalog
 * §2.1), and the Config they manage.
 *
 * The controller keeps a numbered sequence of configurations. Config #0 is the initial one: no groups,
 * every shard on gid 0, "the invalid group". Each Join, Leave or Move that changes something makes the
 * next one. Query(num) answers config #num, or the latest when num is -1 or beyond the latest.
 *
 *   "ShardCtrler.Join":  JoinArgs  → JoinReply    gid → server names of the new groups
 *   "ShardCtrler.Leave": LeaveArgs → LeaveReply   gids of groups that leave
 *   "ShardCtrler.Move":  MoveArgs  → MoveReply    one shard to one group (for tests)
 *   "ShardCtrler.Query": QueryArgs → QueryReply
 *
 * Everything here crosses the codec, so it stays plain data. Students add fields to the argument types.
 */

/** The number of shards. */
export const NShards = 10;

/**
 * A configuration: which group serves each shard, and the servers of each group. Do not change it: the
 * tests and the shard servers read it. `groups` is a record keyed by gid (the codec carries no Map).
 */
export interface Config {
  /** The config number. */
  num: number;
  /** shard → gid; always NShards long. */
  shards: number[];
  /** gid → server names. */
  groups: Record<number, string[]>;
}

/** Config #0: no groups, every shard on the invalid gid 0. */
export function initialConfig(): Config {
  return { num: 0, shards: new Array<number>(NShards).fill(0), groups: {} };
}

/** OK; ErrWrongLeader and ErrTimeout (not committed in time) mean "try another server". */
export type Err = 'OK' | 'ErrWrongLeader' | 'ErrTimeout';

export interface JoinArgs {
  /** new gid → its server names */
  servers: Record<number, string[]>;
  // You'll have to add definitions here.
  // #region SOLUTION 4A
  clientId: number;
  seq: number;
  // #endregion
}

export interface JoinReply {
  wrongLeader: boolean;
  err: Err;
}

export interface LeaveArgs {
  gids: number[];
  // You'll have to add definitions here.
  // #region SOLUTION 4A
  clientId: number;
  seq: number;
  // #endregion
}

export interface LeaveReply {
  wrongLeader: boolean;
  err: Err;
}

export interface MoveArgs {
  shard: number;
  gid: number;
  // You'll have to add definitions here.
  // #region SOLUTION 4A
  clientId: number;
  seq: number;
  // #endregion
}

export interface MoveReply {
  wrongLeader: boolean;
  err: Err;
}

export interface QueryArgs {
  /** The desired config number; -1 for the latest. */
  num: number;
  // You'll have to add definitions here.
  // #region SOLUTION 4A
  clientId: number;
  seq: number;
  // #endregion
}

export interface QueryReply {
  wrongLeader: boolean;
  err: Err;
  config: Config;
}
