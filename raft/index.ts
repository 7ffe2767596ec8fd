/** The Raft peer: the only door into raft/. */
export { Raft } from './raft';
export type { ApplyMsg, ApplyCh, ConfigChangeResult, Configuration, StartResult } from './types';
export { NotImplementedError, RaftInvariantError } from './errors';
