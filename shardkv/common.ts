/**
 * What the shardkv Clerk and servers say to each other (6.824 shardkv/common.go, catalog §3.1).
 *
 * The keys are split into NShards shards (key2shard); each shard is served by one replica group, as the
 * shard controller's current configuration says. Groups hand shards to each other when the
 * configuration changes. Everything here crosses the codec, so it stays plain data.
 *
 *   Err: 'OK' | 'ErrNoKey' | 'ErrWrongGroup' | 'ErrWrongLeader' | 'ErrTimeout'
 *   "ShardKV.Get":       GetArgs → GetReply
 *   "ShardKV.PutAppend": PutAppendArgs → PutAppendReply
 */
import { NShards } from '../shardctrler';

/**
 * OK and ErrNoKey are answers. ErrWrongGroup: this group does not serve the key's shard (now): ask the
 * controller for the latest configuration. ErrWrongLeader and ErrTimeout: try another server.
 */
export type Err = 'OK' | 'ErrNoKey' | 'ErrWrongGroup' | 'ErrWrongLeader' | 'ErrTimeout';

export interface PutAppendArgs {
  key: string;
  value: string;
  op: 'Put' | 'Append';
  // You'll have to add definitions here.
  // #region SOLUTION 4B
  clientId: number;
  seq: number;
  // #endregion
}

export interface PutAppendReply {
  err: Err;
}

export interface GetArgs {
  key: string;
  // You'll have to add definitions here.
  // #region SOLUTION 4B
  clientId: number;
  seq: number;
  // #endregion
}

export interface GetReply {
  err: Err;
  value: string;
}

/**
 * Which shard a key belongs to: its first byte (UTF-8) modulo NShards; the empty key is shard 0. Please
 * use this function, and do not change it: the tests compute shards with it.
 */
export function key2shard(key: string): number {
  if (key.length === 0) return 0;
  return Buffer.from(key, 'utf8')[0] % NShards;
}
