/** The shard controller (Lab 4A): the only door into shardctrler/. */
export { Clerk, nrand } from './client';
export { ShardCtrler } from './server';
export { NShards, initialConfig } from './common';
export type { Config, Err } from './common';
