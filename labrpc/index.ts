/** The framework layer that Raft and the KV service run on: network, codec, persister, sleep. */
export { Network, ClientEnd, LINK_LATENCY_MS } from './network';
export type { NetworkEvent, NetworkObserver, ServerName } from './network';
export { Server, Service } from './service';
export type { Handler } from './service';
export { Persister } from './persister';
export { encode, decode, deepCopy, codecStats, resetCodecWarnings, setCodecWarningSink } from './codec';
export { sleep, randomInt } from './sleep';
export { CodecError, LabrpcError, RpcHandlerError } from './errors';
export { debugLog, setDebugSink } from './debug';
export type { DebugSink } from './debug';
