/**
 * The errors a Raft peer throws. Each sets `name`, so a failure says what kind of mistake it was first.
 */

/** A part of the handout that has not been written yet; the message names the part and the box. */
export class NotImplementedError extends Error {
  override name = 'NotImplementedError';
}

/** A broken invariant inside the peer (an illegal role change, an index outside the log). */
export class RaftInvariantError extends Error {
  override name = 'RaftInvariantError';
}

/** Throw a RaftInvariantError unless `condition` holds. */
export function assert(condition: boolean, message: () => string): asserts condition {
  if (!condition) throw new RaftInvariantError(message());
}
