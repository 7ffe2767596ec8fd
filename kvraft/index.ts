/** The key/value service on Raft (Lab 3): the only door into kvraft/. */
export { Clerk, nrand } from './client';
export { KVServer } from './server';
export type { Err, GetArgs, GetReply, PutAppendArgs, PutAppendReply } from './common';
