/** The sharded key/value service (Lab 4B): the only door into shardkv/. */
export { Clerk } from './client';
export { ShardKV } from './server';
export { key2shard } from './common';
export type { Err, GetArgs, GetReply, PutAppendArgs, PutAppendReply } from './common';
