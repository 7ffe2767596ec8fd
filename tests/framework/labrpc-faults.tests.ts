/**
 * The failure model of labrpc, number by number (catalog §1.4, §1.6). Delays are read off the network's
 * own events in virtual time, so they are exact. Fractions are checked over samples large enough that a
 * correct network misses the bound with negligible probability on any seed (≥ 4.5 standard deviations).
 */
import { LINK_LATENCY_MS, Network, Server, Service, encode, sleep, type NetworkEvent } from '../../labrpc';
import { check, defineLabTest, traceNetwork, type LabContext, type LabTest } from '../harness';

const part = 'labrpc';

/** A service whose handler waits the given number of ms, and counts the calls it ran. */
class Slow {
  ran = 0;
  async Wait(ms: number): Promise<number> {
    await sleep(ms);
    this.ran += 1;
    return ms;
  }
  /** Answers at once (no timer of its own), so a round trip is the network's time only. */
  Echo(x: number): number {
    this.ran += 1;
    return x;
  }
}

interface Rig {
  net: Network;
  slow: Slow;
  server: Server;
  /** Virtual times of each event kind, per rpc id. */
  times: Map<string, Map<number, number>>;
  events: NetworkEvent[];
  /** `n` fresh ends connected to server 1; enabled unless said otherwise. */
  ends(n: number, enabled?: boolean): ReturnType<Network['makeEnd']>[];
}

function rig(ctx: LabContext): Rig {
  const net = new Network();
  traceNetwork(ctx.trace, net, (end) => ({ from: end, to: 1 }));
  const slow = new Slow();
  const server = new Server();
  server.addService(Service.of(slow));
  net.addServer(1, server);
  const times = new Map<string, Map<number, number>>();
  const events: NetworkEvent[] = [];
  net.observe((event) => {
    events.push(event);
    if (!times.has(event.kind)) times.set(event.kind, new Map());
    times.get(event.kind)?.set(event.rpc, ctx.now());
  });
  let made = 0;
  return {
    net,
    slow,
    server,
    times,
    events,
    ends(n, enabled = true) {
      return Array.from({ length: n }, () => {
        const name = `end-${made++}`;
        const end = net.makeEnd(name);
        net.connect(name, 1);
        net.enable(name, enabled);
        return end;
      });
    },
  };
}

function count(r: Rig, kind: NetworkEvent['kind']): number {
  return r.times.get(kind)?.size ?? 0;
}

/** Delay from one event kind to another, for every rpc that has both. */
function delays(r: Rig, from: NetworkEvent['kind'], to: NetworkEvent['kind']): number[] {
  const start = r.times.get(from) ?? new Map<number, number>();
  return [...(r.times.get(to) ?? new Map<number, number>())].map(([rpc, t]) => t - (start.get(rpc) ?? NaN));
}

function between(x: number, lo: number, hi: number, what: string): void {
  check(x >= lo && x <= hi, `${what} was ${x}, expected ${lo}..${hi}`);
}

const N = 6000;

const unreliableNumbers = defineLabTest({
  part,
  title: 'unreliable: 0-26 ms delay, 10 % of requests and 10 % of replies dropped',
  async body(ctx) {
    const r = rig(ctx);
    r.net.reliable(false);
    const replies = await Promise.all(r.ends(N).map((end) => end.call('Slow.Wait', 0)));
    const d = delays(r, 'send', 'deliver')
      .concat(delays(r, 'send', 'drop-request'))
      .map((x) => x - LINK_LATENCY_MS);
    check(d.length === N, `${d.length} of ${N} requests were delivered or dropped`);
    check(
      Math.min(...d) === 0 && Math.max(...d) === 26,
      `request delays beyond the link latency ranged ${Math.min(...d)}..${Math.max(...d)} ms, expected 0..26`,
    );
    // 10 %: σ = √(0.09/6000) ≈ 0.0039, so ±0.02 is > 5σ.
    between(count(r, 'drop-request') / N, 0.08, 0.12, 'the fraction of dropped requests');
    const delivered = count(r, 'deliver');
    check(r.server.count === delivered, `server count ${r.server.count} ≠ ${delivered} delivered requests`);
    between(count(r, 'drop-reply') / delivered, 0.075, 0.125, 'the fraction of dropped replies');
    // A dropped reply still ran its handler: side effects happen although the caller sees a failure.
    check(
      r.slow.ran === delivered,
      `handlers ran ${r.slow.ran} times, expected ${delivered} (dropped replies included)`,
    );
    const ok = replies.filter((x) => x !== null).length;
    check(ok === count(r, 'reply'), `${ok} calls succeeded but ${count(r, 'reply')} replies were delivered`);
  },
});

const longReordering = defineLabTest({
  part,
  title: 'long reordering: 2/3 of replies held back 200-2199 ms, skewed short',
  async body(ctx) {
    const r = rig(ctx);
    r.net.longReordering(true);
    await Promise.all(r.ends(N).map((end) => end.call('Slow.Echo', 0)));
    // 2/3: σ = √((2/9)/6000) ≈ 0.0061, so ±0.03 is ~5σ.
    between(count(r, 'reorder') / N, 0.637, 0.697, 'the fraction of held-back replies');
    const held = delays(r, 'reorder', 'reply')
      .filter((x) => !Number.isNaN(x))
      .map((x) => x - LINK_LATENCY_MS);
    check(
      Math.min(...held) >= 200 && Math.max(...held) <= 2199,
      `hold-back ranged ${Math.min(...held)}..${Math.max(...held)} ms`,
    );
    // 200 + rand(1 + rand(2000)) has mean ≈ 700 ms; a uniform 200..2199 would have mean ≈ 1200 ms.
    const mean = held.reduce((a, b) => a + b, 0) / held.length;
    between(Math.round(mean), 650, 750, 'the mean hold-back (ms)');
    const roundTrips = delays(r, 'send', 'reply');
    const immediate = roundTrips.filter((x) => x === 2 * LINK_LATENCY_MS).length;
    check(immediate === N - held.length, 'a reply that was not held back took more than the link latency');
  },
});

function unreachableTest(longDelays: boolean, max: number): LabTest {
  return defineLabTest({
    part,
    title: `unreachable destinations fail after 0-${max} ms (long delays ${longDelays ? 'on' : 'off'})`,
    async body(ctx) {
      const r = rig(ctx);
      r.net.longDelays(longDelays);
      const replies = await Promise.all(r.ends(N, false).map((end) => end.call('Slow.Wait', 0)));
      check(
        replies.every((x) => x === null),
        'a call to a disabled end succeeded',
      );
      const failedAfter = r.events.flatMap((e) => (e.kind === 'unreachable' ? [e.delayMs] : []));
      check(failedAfter.length === N, `${failedAfter.length} of ${N} calls failed as unreachable`);
      // With 6000 samples, both ends of the range are hit to within 2 % (a miss has probability < e^-100).
      check(
        Math.min(...failedAfter) <= max / 50 && Math.max(...failedAfter) >= max - max / 50,
        `failure delays ranged ${Math.min(...failedAfter)}..${Math.max(...failedAfter)} ms`,
      );
      check(
        Math.max(...failedAfter) <= max,
        `a failure took ${Math.max(...failedAfter)} ms, more than ${max}`,
      );
      check(ctx.now() <= max + 1, `the last failure came at ${ctx.now()} ms`);
      check(r.server.count === 0, 'a handler ran for an unreachable destination');
    },
  });
}

const latency = defineLabTest({
  part,
  title: `reliable links: every request and every reply takes ${LINK_LATENCY_MS} ms`,
  async body(ctx) {
    const r = rig(ctx);
    const replies = await Promise.all(r.ends(100).map((end) => end.call('Slow.Echo', 0)));
    check(
      replies.every((x) => x === 0),
      'a call on a reliable link failed',
    );
    const requests = new Set(delays(r, 'send', 'deliver'));
    const roundTrips = new Set(delays(r, 'send', 'reply'));
    check(
      requests.size === 1 && requests.has(LINK_LATENCY_MS),
      `requests took ${[...requests].join(', ')} ms, expected ${LINK_LATENCY_MS}`,
    );
    check(
      roundTrips.size === 1 && roundTrips.has(2 * LINK_LATENCY_MS),
      `round trips took ${[...roundTrips].join(', ')} ms, expected ${2 * LINK_LATENCY_MS}`,
    );
  },
});

/** Two peers whose timers fire at the same instant both act before either hears from the other (as in Go). */
const sameInstantRace = defineLabTest({
  part,
  title: "peers whose timers fire at the same instant race: each acts before the other's request arrives",
  async body(ctx) {
    const net = new Network();
    traceNetwork(ctx.trace, net, (end) => ({ from: end, to: end === 'a-b' ? 'b' : 'a' }));
    const fired = { a: false, b: false };
    const sawOtherFired: boolean[] = [];
    class Peer {
      constructor(readonly me: 'a' | 'b') {}
      Ask(): boolean {
        sawOtherFired.push(fired[this.me]);
        return true;
      }
    }
    for (const [me, other] of [
      ['a', 'b'],
      ['b', 'a'],
    ] as const) {
      const server = new Server();
      server.addService(Service.of(new Peer(me)));
      net.addServer(me, server);
      const end = net.makeEnd(`${me}-${other}`);
      net.connect(`${me}-${other}`, other);
      net.enable(`${me}-${other}`, true);
      setTimeout(() => {
        fired[me] = true;
        void end.call('Peer.Ask', me);
      }, 300);
    }
    await sleep(310);
    check(sawOtherFired.length === 2, `${sawOtherFired.length} of 2 requests arrived`);
    check(
      sawOtherFired.every((x) => x),
      "a request arrived before its receiver's own timer (due at the same instant) had fired",
    );
  },
});

const deadPolling = defineLabTest({
  part,
  title: 'a destination that dies while its handler runs is noticed at the next 100 ms poll',
  async body(ctx) {
    const r = rig(ctx);
    const [disabled, deleted] = r.ends(2);
    let a: number | null | undefined;
    let b: number | null | undefined;
    // The handler starts once the request has crossed the link; the polls count from there.
    const poll3 = 300 + LINK_LATENCY_MS;
    void disabled.call<number, number>('Slow.Wait', 10_000).then((x) => (a = x));
    await sleep(250);
    r.net.enable('end-0', false);
    await sleep(poll3 - 250 - 1);
    check(a === undefined, `the call returned at ${ctx.now()} ms, before the poll at ${poll3} ms`);
    await sleep(1);
    check(
      a === null,
      `a call to an end disabled at 250 ms returned ${a} by ${poll3} ms, expected null at that poll`,
    );
    void deleted.call<number, number>('Slow.Wait', 10_000).then((x) => (b = x));
    const t0 = ctx.now();
    await sleep(120);
    r.net.deleteServer(1);
    while (b === undefined) await sleep(1);
    check(
      b === null && ctx.now() - t0 === 200 + LINK_LATENCY_MS,
      `deleted server: returned ${b} after ${ctx.now() - t0} ms, expected null after ${200 + LINK_LATENCY_MS}`,
    );
  },
});

/** A restart of server 1: the old one deleted, a fresh one with a Slow of its own added in its place. */
function replaceServer(r: Rig): { slow: Slow; server: Server } {
  r.net.deleteServer(1);
  const slow = new Slow();
  const server = new Server();
  server.addService(Service.of(slow));
  r.net.addServer(1, server);
  return { slow, server };
}

/** A fault layer that holds every request until the returned function lets them go. */
function holdRequests(r: Rig): () => void {
  let release = (): void => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  r.net.injectFaults({ request: () => held, reply: () => 0 });
  return release;
}

const recheckOnReply = defineLabTest({
  part,
  title: 'a reply from a server replaced while its handler ran is not delivered',
  async body(ctx) {
    const r = rig(ctx);
    const [end] = r.ends(1);
    const pending = end.call<number, number>('Slow.Wait', 50);
    await sleep(20);
    const fresh = replaceServer(r).server; // replaced before the 100 ms poll, so only the re-check can see it
    const reply = await pending;
    check(r.slow.ran === 1, 'the old handler should have run to completion');
    check(reply === null, `the reply of a replaced server was delivered (${reply}) at ${ctx.now()} ms`);
    check((await end.call('Slow.Wait', 0)) === 0, 'the replacement server does not answer');
    check(fresh.count === 1 && r.net.getCount(1) === 1, 'the replacement server should count from 0');
  },
});

const heldAcrossRestart = defineLabTest({
  part,
  title: 'a request a fault layer held reaches the server that holds the address when it is let go',
  async body(ctx) {
    const r = rig(ctx);
    const [end] = r.ends(1);
    const release = holdRequests(r);
    const pending = end.call<number, number>('Slow.Echo', 5);
    await sleep(20);
    const fresh = replaceServer(r).slow; // a restart while the request is in the network
    release();
    check((await pending) === 5, 'the held request got no answer from the restarted server');
    check(r.slow.ran === 0 && fresh.ran === 1, 'a held request must run on the new server, not the old');
    // Let go while its server is gone: lost, as any message to a crashed server.
    const again = holdRequests(r);
    const lost = end.call<number, number>('Slow.Echo', 6);
    await sleep(20);
    r.net.deleteServer(1);
    again();
    check((await lost) === null, 'a held request whose server is gone must be lost');
    check(fresh.ran === 1, 'the deleted server ran a request');
  },
});

const counters = defineLabTest({
  part,
  title: 'counters: total counts every call, bytes count requests always and replies only when delivered',
  async body(ctx) {
    const r = rig(ctx);
    const [on] = r.ends(1);
    const [off] = r.ends(1, false);
    const req = encode(7, 'args').length;
    const rep = encode(7, 'reply').length;
    check((await on.call('Slow.Wait', 7)) === 7, 'a reliable call failed');
    check(
      r.net.getTotalBytes() === req + rep,
      `bytes ${r.net.getTotalBytes()} after one call, expected ${req + rep}`,
    );
    check((await off.call('Slow.Wait', 7)) === null, 'a call on a disabled end succeeded');
    check(r.net.getTotalBytes() === 2 * req + rep, 'an unreachable call must count its request bytes only');
    check(
      r.net.getTotalCount() === 2 && r.net.getCount(1) === 1,
      'total count 2 (both calls), server count 1',
    );
    r.net.cleanup();
    let settled = false;
    void on.call('Slow.Wait', 7).then(() => (settled = true));
    await sleep(10_000);
    check(!settled && r.net.getTotalCount() === 2, 'after cleanup() a call must never complete nor count');
  },
});

export const faultTests: LabTest[] = [
  latency,
  sameInstantRace,
  unreliableNumbers,
  longReordering,
  unreachableTest(false, 99),
  unreachableTest(true, 6999),
  deadPolling,
  recheckOnReply,
  heldAcrossRestart,
  counters,
];
