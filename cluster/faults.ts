/**
 * Faults on a real network, injected with msw inside each server process: the labrpc fault model
 * (catalog §1) applied to the peer calls this process sends.
 *
 * msw's request interception sees every outgoing `fetch` to a peer's /rpc/ route before it leaves:
 * - partitioned away (the supervisor's current partition puts the peer in another group): the call
 *   fails after 0–99 ms, as labrpc fails a call to an unreachable server;
 * - unreliable: every request waits 0–26 ms; 10 % are dropped (the handler never runs); of the rest,
 *   the request is sent for real with msw's `bypass` and 10 % of the replies are dropped after the
 *   peer's handler ran, with its side effects — the case that tests duplicate detection;
 * - otherwise the request passes through untouched.
 * Both ends of a partitioned link refuse to send, so a partition cuts traffic both ways, as labrpc's
 * disabled ends do. Client (Clerk) requests come from outside the server processes and are not touched,
 * as in the Go tests, where partitions separate servers only.
 */
import { HttpResponse, bypass, http, passthrough } from 'msw';
import { setupServer } from 'msw/node';
import { randomInt, sleep } from '../labrpc';
import { RPC_PREFIX } from './transport';

export interface FaultCounts {
  /** Calls refused because the peer was in another partition group. */
  partitioned: number;
  /** Unreliable: requests delayed before sending (all of them). */
  delayed: number;
  droppedRequests: number;
  droppedReplies: number;
}

/** What the supervisor can change while the process runs. */
export class FaultState {
  reliable: boolean;
  /** Peers (by index) this process cannot reach now. */
  blocked = new Set<number>();
  readonly counts: FaultCounts = { partitioned: 0, delayed: 0, droppedRequests: 0, droppedReplies: 0 };

  constructor(reliable: boolean) {
    this.reliable = reliable;
  }
}

/** Start intercepting calls to the peers listening on `peerPorts` (index = peer number). */
export function installFaults(peerPorts: readonly number[], faults: FaultState): { close(): void } {
  const peerOfPort = new Map(peerPorts.map((port, peer) => [port, peer]));
  const interceptor = setupServer(
    http.post(new RegExp(`^http://127\\.0\\.0\\.1:\\d+${RPC_PREFIX}`), async ({ request }) => {
      const peer = peerOfPort.get(Number(new URL(request.url).port));
      if (peer === undefined) return passthrough();
      if (faults.blocked.has(peer)) {
        faults.counts.partitioned += 1;
        await sleep(randomInt(100));
        return HttpResponse.error();
      }
      if (faults.reliable) return passthrough();
      faults.counts.delayed += 1;
      await sleep(randomInt(27));
      if (randomInt(1000) < 100) {
        faults.counts.droppedRequests += 1;
        return HttpResponse.error();
      }
      let response: Response;
      try {
        response = await fetch(bypass(request));
      } catch {
        return HttpResponse.error(); // the peer is down or reset the connection: no reply, as without msw
      }
      if (randomInt(1000) < 100) {
        faults.counts.droppedReplies += 1;
        return HttpResponse.error();
      }
      return response;
    }),
  );
  interceptor.listen({ onUnhandledRequest: 'bypass' });
  return { close: () => interceptor.close() };
}
