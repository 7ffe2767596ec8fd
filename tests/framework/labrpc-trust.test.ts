/**
 * What labrpc guarantees a test can rely on even when the code under test misbehaves: a reply is the
 * handler's reply as it returned it; an oversized RPC fails the run at once, naming the method and size;
 * a handler that never returns is listed as pending; the framework's classes cannot be patched.
 */
import os from 'node:os';
import path from 'node:path';
import {
  ClientEnd,
  MAX_RPC_BYTES,
  Network,
  Persister,
  Server,
  Service,
  sleep,
  type PendingHandler,
} from '../../labrpc';
import { defineLabTest, runLabTest, type LabContext, type RunResult } from '../harness';

const traceDir = path.join(os.tmpdir(), 'raftlab-labrpc-trust-tests');

function run(body: (ctx: LabContext) => Promise<void>): Promise<RunResult> {
  const test = defineLabTest({ part: 'labrpc', title: 'trust probe', body });
  return runLabTest(test, { seed: 1, replay: 'replay', write: () => {}, traceDir });
}

/** A network with one server (1) running `receiver`'s handlers, and one enabled end to it. */
function rig(receiver: object): { net: Network; end: ClientEnd } {
  const net = new Network();
  const server = new Server();
  server.addService(Service.of(receiver));
  net.addServer(1, server);
  const end = net.makeEnd('end');
  net.connect('end', 1);
  net.enable('end', true);
  return { net, end };
}

describe('a reply is encoded when the handler returns it', () => {
  test('a change the handler makes from a queued microtask after returning never reaches the caller', async () => {
    let seen: unknown;
    const result = await run(async () => {
      class Peer {
        Vote(): { granted: boolean } {
          const reply = { granted: false };
          queueMicrotask(() => (reply.granted = true));
          return reply;
        }
      }
      seen = await rig(new Peer()).end.call('Peer.Vote', {});
    });
    expect(result.passed).toBe(true);
    expect(seen).toEqual({ granted: false });
  });

  test('an async handler: a change from a timer after its promise settled never reaches the caller', async () => {
    let seen: unknown;
    const result = await run(async () => {
      class Peer {
        async Vote(): Promise<{ granted: boolean }> {
          await sleep(5);
          const reply = { granted: false };
          setTimeout(() => (reply.granted = true), 0);
          return reply;
        }
      }
      seen = await rig(new Peer()).end.call('Peer.Vote', {});
    });
    expect(result.passed).toBe(true);
    expect(seen).toEqual({ granted: false });
  });
});

describe('one RPC has a size cap', () => {
  test('a request over the cap fails the run at once, naming the method and the size', async () => {
    let sentAt = -1;
    const result = await run(async (ctx) => {
      class Peer {
        AppendEntries(): boolean {
          return true;
        }
      }
      const { end } = rig(new Peer());
      await sleep(100);
      sentAt = ctx.now();
      const reply = await end.call('Peer.AppendEntries', { junk: 'x'.repeat(MAX_RPC_BYTES + 1) });
      expect(reply).toBeNull();
      await sleep(60_000); // the run must end long before this
    });
    expect(result.passed).toBe(false);
    expect(sentAt).toBe(100);
    expect(result.virtualMs).toBeLessThanOrEqual(101);
    expect(result.error?.message).toMatch(
      /RpcTooLargeError: Peer\.AppendEntries: a request of 167772\d\d bytes \(16\.0 MiB\) is more than labrpc carries in one RPC \(16\.0 MiB\)/,
    );
  });

  test('a reply over the cap fails the run too', async () => {
    const result = await run(async () => {
      class Peer {
        Snapshot(): string {
          return 'x'.repeat(MAX_RPC_BYTES);
        }
      }
      await rig(new Peer()).end.call('Peer.Snapshot', {});
      await sleep(60_000);
    });
    expect(result.passed).toBe(false);
    expect(result.error?.message).toMatch(/RpcTooLargeError: Peer\.Snapshot: a reply of \d+ bytes/);
  });

  test('an RPC just under the cap goes through', async () => {
    let seen: unknown;
    const result = await run(async () => {
      class Peer {
        Len(s: string): number {
          return s.length;
        }
      }
      seen = await rig(new Peer()).end.call('Peer.Len', 'x'.repeat(MAX_RPC_BYTES - 16));
    });
    expect(result.passed).toBe(true);
    expect(seen).toBe(MAX_RPC_BYTES - 16);
  });
});

describe('pending handlers', () => {
  test('a handler whose promise never settles stays listed; one that returned does not', async () => {
    let pending: PendingHandler[] = [];
    const result = await run(async () => {
      class Peer {
        Stuck(): Promise<void> {
          return new Promise(() => {});
        }
        Quick(): number {
          return 1;
        }
      }
      const { net, end } = rig(new Peer());
      void end.call('Peer.Stuck', {});
      await end.call('Peer.Quick', {});
      await sleep(1000);
      pending = net.pendingHandlers();
    });
    expect(result.passed).toBe(true);
    expect(pending).toEqual([{ rpc: 1, server: 1, svcMeth: 'Peer.Stuck' }]);
  });
});

describe("the framework's classes cannot be patched by the code under test", () => {
  test.each([
    ['Network.prototype.reliable', Network.prototype, 'reliable'],
    ['ClientEnd.prototype.call', ClientEnd.prototype, 'call'],
    ['Server.prototype.dispatch', Server.prototype, 'dispatch'],
    ['Service.prototype.handler', Service.prototype, 'handler'],
    ['Persister.prototype.saveRaftState', Persister.prototype, 'saveRaftState'],
  ])('assigning %s throws, and the method stays', (_, proto: object, key: string) => {
    const before = (proto as Record<string, unknown>)[key];
    expect(() => {
      (proto as Record<string, unknown>)[key] = () => {};
    }).toThrow(TypeError);
    expect(() => Object.defineProperty(proto, key, { value: () => {} })).toThrow(TypeError);
    expect((proto as Record<string, unknown>)[key]).toBe(before);
  });

  test('an unreliable network stays unreliable when a submission tries to patch it', async () => {
    let dropped = 0;
    const result = await run(async () => {
      class Peer {
        Echo(x: number): number {
          return x;
        }
      }
      const { net, end } = rig(new Peer());
      try {
        (Network.prototype as unknown as Record<string, unknown>).reliable = () => {};
      } catch {
        // a strict-mode TypeError: what a submission gets
      }
      net.reliable(false);
      const replies = await Promise.all(Array.from({ length: 200 }, (_, k) => end.call('Peer.Echo', k)));
      dropped = replies.filter((x) => x === null).length;
    });
    expect(result.passed).toBe(true);
    expect(dropped).toBeGreaterThan(10); // ~19 % of 200 are lost on an unreliable network
  });
});
