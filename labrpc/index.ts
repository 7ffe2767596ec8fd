/** The framework layer that Raft and the KV service run on: network, codec, persister, sleep. */
import { freezeClass } from './freeze';
import { Persister } from './persister';

export { Network, ClientEnd, LINK_LATENCY_MS, MAX_RPC_BYTES } from './network';
export type {
  CallTransport,
  FaultDecision,
  HandlerReturn,
  LinkFaults,
  NetworkEvent,
  NetworkObserver,
  PendingHandler,
  RpcTarget,
  ServerName,
} from './network';
export { Server, Service } from './service';
export type { Handler } from './service';
export { Persister, freezeClass };
export { encode, decode, deepCopy, codecStats, resetCodecWarnings, setCodecWarningSink } from './codec';
export { EncodedList, encodeArray } from './encoded-list';
export { sleep, randomInt } from './sleep';
export { CodecError, LabrpcError, RpcHandlerError, RpcTooLargeError } from './errors';
export { currentDebugSink, debugLog, setDebugSink } from './debug';
export type { DebugSink } from './debug';

// persister.ts belongs to the storage code; its class is frozen here, when the framework's entry point
// loads (the tests, the reference and the skeleton all import labrpc through it). See freeze.ts.
freezeClass(Persister);
