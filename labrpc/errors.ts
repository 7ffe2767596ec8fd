/**
 * The errors the framework layer throws. Each sets `name`, so a failure report says what kind of
 * mistake it was before it says where.
 */

/** A value that cannot be carried by the codec at all (a cycle, a BigInt). */
export class CodecError extends Error {
  override name = 'CodecError';
}

/** A misuse of the simulated network: an unknown service or method, a duplicate end name. */
export class LabrpcError extends Error {
  override name = 'LabrpcError';
}

/** An RPC handler threw. The call returns null to its caller; the test fails with this error. */
export class RpcHandlerError extends Error {
  override name = 'RpcHandlerError';
}

/** One RPC's request or reply is larger than labrpc carries (MAX_RPC_BYTES). The test fails with it. */
export class RpcTooLargeError extends Error {
  override name = 'RpcTooLargeError';
}
