/**
 * A server at the network's end whose handlers run across the boundary (tests/harness/boundary): the
 * network dispatches to it as to any labrpc Server, and the request goes to the student object's own
 * Server on the other side.
 */
import type { HandlerReturn, RpcTarget } from '../../labrpc';
import type { Boundary } from '../harness/boundary/boundary';
import type { Handle } from '../harness/boundary/protocol';

/** Server i at the network's end: its handlers run across the boundary. */
export class RemoteServer implements RpcTarget {
  count = 0;
  readonly #boundary: Boundary;
  readonly #handle: Handle;

  constructor(boundary: Boundary, handle: Handle) {
    this.#boundary = boundary;
    this.#handle = handle;
  }

  dispatch(svcMeth: string, argBytes: Uint8Array, returned?: HandlerReturn): Promise<Uint8Array> {
    this.count += 1;
    if (returned !== undefined) returned.later = true;
    // The network sets `pending` once dispatch returns, before the batch with the request runs.
    return this.#boundary.deliver(this.#handle, svcMeth, argBytes, () => returned?.pending?.());
  }
}
