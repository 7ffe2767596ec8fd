/**
 * Record a Network's RPC events into a run's trace, with the sender and receiver named the way the test
 * names servers (end names are random strings; the config knows which end is whose). Arguments and
 * replies go in as the bytes the network encoded: no second encoding, and a summary only if the trace
 * is saved.
 */
import type { Network, NetworkEvent } from '../../labrpc';
import type { Trace } from './trace';

/** Who an end belongs to and where it points; undefined for ends the config does not know. */
export type EndpointOf = (endName: string) => { from: number | string; to: number | string } | undefined;

export function traceNetwork(trace: Trace, net: Network, endpointOf: EndpointOf): void {
  net.observe((event: NetworkEvent) => {
    switch (event.kind) {
      case 'send': {
        const ends = endpointOf(event.end);
        const fields = {
          rpc: event.rpc,
          from: ends?.from ?? event.end,
          to: ends?.to ?? event.server ?? null,
          svcMeth: event.svcMeth,
          bytes: event.bytes,
        };
        trace.recordEncoded('rpc.send', fields, 'args', event.encoded);
        return;
      }
      case 'reply':
        trace.recordEncoded('rpc.reply', { rpc: event.rpc, bytes: event.bytes }, 'reply', event.encoded);
        return;
      default: {
        const { kind, ...rest } = event;
        trace.record(`rpc.${kind}`, rest);
      }
    }
  });
}
