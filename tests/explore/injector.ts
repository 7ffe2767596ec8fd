/**
 * Carries out explore's fault schedule (plan.ts) inside one run. A test config calls
 * `injectExploreFaults(target)` once, after building its network; without a plan (every ordinary run)
 * it does nothing at all, so the run's trace is the same as before.
 *
 * The faults are an overlay on the test's own network, never a change to what the test set up: a
 * partition here blocks messages on top of the test's connects and disconnects (healing it gives back
 * exactly the test's links), and a crash restarts the server attached as the test had it. What the
 * overlay sees of the cluster comes from the wire (who sends AppendEntries in which term), never from a
 * peer's internals. Each event that takes effect is a 'fault' line of the trace ("explore #7: isolate
 * S2 …"), which the timeline, the log viewer and the shrinker's story read.
 */
import type { FaultDecision, LinkFaults, Network } from '../../labrpc';
import type { LabContext } from '../harness';
import { recordFault } from '../raft/faults';
import { raftMethod } from '../raft/wire';
import { studentRandomSkew } from '../harness/student-random';
import { decodePlan, edgeText, eventRandom, type ExplorePlan, type FaultEvent } from './plan';

/** What a config offers explore: its network and how to read and act on it. */
export interface FaultTarget {
  readonly ctx: LabContext;
  readonly n: number;
  readonly net: Network;
  /** Who holds an end: a server index, or a string for the tester's and clients' ends. */
  endpointOf(end: string): { from: number | string; to: number } | undefined;
  /** Crash server i and start it again from what it persisted, attached as it was (absent: no crashes). */
  restart?(i: number): void;
}

/** The longest a 'straddle' holds one reply, in virtual ms, if its caller's term never moves on. */
const STRADDLE_CAP_MS = 3000;

interface Active {
  readonly event: FaultEvent;
  readonly random: () => number;
  /** partition, bridge, isolate-leader: side[i] is server i's side; -1 reaches both sides (a bridge). */
  readonly side?: readonly number[];
  /** timeouts: ends the skew. */
  readonly undo?: () => void;
  /** stale-request: the links ("from>to") on which it already kept a request back. */
  readonly keptOn?: Set<string>;
}

/** A request a stale-request event keeps back, until its target restarts or the event ends. */
interface Kept {
  readonly active: Active;
  readonly to: number;
  readonly what: string;
  readonly release: () => void;
}

/** The term field of a request, read by name as the monitor reads it (wire.ts): null if it has none. */
function termOf(args: unknown): number | null {
  if (typeof args !== 'object' || args === null) return null;
  for (const [key, value] of Object.entries(args)) {
    if (key.toLowerCase() === 'term' && typeof value === 'number') return value;
  }
  return null;
}

/** Whether a request carries a non-empty `entries` array (found by name, as termOf finds the term). */
function carriesEntries(args: unknown): boolean {
  if (typeof args !== 'object' || args === null) return false;
  for (const [key, value] of Object.entries(args)) {
    if (key.toLowerCase() === 'entries') return Array.isArray(value) && value.length > 0;
  }
  return false;
}

/** Put the run's fault schedule, if it has one (LabContext.plan), over the target's network. */
export function injectExploreFaults(target: FaultTarget): void {
  if (target.ctx.plan === undefined) return;
  const plan = decodePlan(target.ctx.plan);
  // No events, no layer: the run is then the test's own, step for step (its trace hash included).
  if (plan.events.length > 0) new Injector(target, plan);
}

class Injector implements LinkFaults {
  readonly #t: FaultTarget;
  readonly #seed: number;
  readonly #active = new Set<Active>();
  /** rpc → its path and method, while it is in flight. */
  readonly #rpcs = new Map<
    number,
    {
      /** A server, or a client's end (lossy windows reach clients' links; partitions only servers'). */
      from: number | 'client';
      to: number;
      method: string;
      term: number | null;
      carries: boolean;
    }
  >();
  /** The highest term each server has sent an RPC in: a server's term as the wire shows it. */
  readonly #sentTerm: number[];
  #leader: { server: number; term: number } | null = null;
  /** Replies held by a straddle, waiting for their caller's term to move on. */
  readonly #held: Array<{ from: number; term: number; release: () => void }> = [];
  /** The highest term of a request each server was handed: with #sentTerm, the term it has shown. */
  readonly #handedTerm: number[];
  /** Requests a stale-request keeps back, oldest first. */
  readonly #kept: Kept[] = [];
  /** rpc → the stale-request event that crashes its receiver as the reply leaves (a newer term reached it). */
  readonly #strikes = new Map<number, Active>();
  /** rpc → what to do once its reply came back, or was lost (stale-request's deliveries). */
  readonly #afterReply = new Map<number, () => void>();

  constructor(target: FaultTarget, { seed, events }: ExplorePlan) {
    this.#t = target;
    this.#seed = seed;
    this.#sentTerm = new Array<number>(target.n).fill(0);
    this.#handedTerm = new Array<number>(target.n).fill(0);
    target.net.observe((e) => {
      if (e.kind === 'send') this.#sent(e.rpc, e.end, e.svcMeth, e.args);
      else if (e.kind === 'deliver') this.#handed(e.rpc);
      else if (e.kind !== 'reorder') {
        this.#rpcs.delete(e.rpc);
        this.#strikes.delete(e.rpc);
        const after = this.#afterReply.get(e.rpc);
        this.#afterReply.delete(e.rpc);
        after?.();
      }
    });
    target.net.injectFaults(this);
    const ordered = [...events].sort((a, b) => a.at - b.at || a.id - b.id);
    this.#scheduleFrom(ordered, 0);
  }

  // --- the schedule ----------------------------------------------------------------------------------

  /** One timer at a time: the next event's start (a schedule of a hundred events sets a hundred timers, in turn). */
  #scheduleFrom(events: readonly FaultEvent[], k: number): void {
    if (k >= events.length) return;
    const wait = Math.max(0, events[k].at - this.#t.ctx.now());
    setTimeout(() => {
      this.#start(events[k]);
      this.#scheduleFrom(events, k + 1);
    }, wait);
  }

  #start(event: FaultEvent): void {
    const random = eventRandom(this.#seed, event.id);
    const n = this.#t.n;
    let side: number[] | undefined;
    let undo: (() => void) | undefined;
    let what: string;
    switch (event.kind) {
      case 'isolate-leader': {
        const leader = this.#leader?.server;
        if (leader === undefined) return this.#note(event, 'no leader seen yet: nothing to isolate');
        side = Array.from({ length: n }, (_, i) => (i === leader ? 1 : 0));
        what = `isolate S${leader} (leader in term ${this.#leader?.term}) for ${event.ms} ms`;
        break;
      }
      case 'partition': {
        side = shuffled(n, random).map((_, i, order) => (order.indexOf(i) < Math.floor(n / 2) ? 1 : 0));
        what = `partition ${halves(side)} for ${event.ms} ms`;
        break;
      }
      case 'bridge': {
        const order = shuffled(n, random);
        side = Array.from({ length: n }, (_, i) => {
          const k = order.indexOf(i);
          return k === 0 ? -1 : k % 2;
        });
        what = `bridge: ${halves(side)}, joined only through S${order[0]}, for ${event.ms} ms`;
        break;
      }
      case 'lossy':
        what = `lossy links for ${event.ms} ms (${Math.round((event.drop ?? 0) * 100)} % lost)`;
        break;
      case 'straddle':
        what = `hold replies until their caller's term moves on, for ${event.ms} ms`;
        break;
      case 'crash-after-reply':
        if (this.#t.restart === undefined)
          return this.#note(event, 'this test config cannot restart servers');
        what = `crash the next server to answer ${event.method === 'any' ? 'a Raft RPC' : event.method}`;
        break;
      case 'stale-request':
        if (this.#t.restart === undefined)
          return this.#note(event, 'this test config cannot restart servers');
        what = `keep back a request on each link for ${event.ms} ms; crash the next server they wait for to answer a newer term`;
        break;
      case 'timeouts': {
        const skew = studentRandomSkew(this.#t.ctx);
        if (skew === undefined)
          return this.#note(event, 'the peers run in another process: their timeouts cannot be skewed');
        undo = skew.push(event.edge ?? 'low');
        what = `election timeouts ${edgeText(event.edge)} for ${event.ms} ms`;
        break;
      }
    }
    const keptOn = event.kind === 'stale-request' ? new Set<string>() : undefined;
    const active: Active = { event, random, side, undo, keptOn };
    this.#active.add(active);
    this.#note(event, what);
    setTimeout(() => this.#stop(active), event.ms);
  }

  #stop(active: Active): void {
    if (!this.#active.delete(active)) return; // a crash-after-reply that already struck
    if (active.event.kind === 'straddle') this.#settleHeld(true);
    if (active.event.kind === 'stale-request') this.#releaseKept((k) => k.active === active);
    active.undo?.();
    if (active.side !== undefined) recordFault(this.#t.ctx, { action: 'explore-heal', id: active.event.id });
  }

  #note(event: FaultEvent, what: string): void {
    recordFault(this.#t.ctx, { action: 'explore', id: event.id, fault: event.kind, what });
  }

  // --- the wire --------------------------------------------------------------------------------------

  #sent(rpc: number, end: string, svcMeth: string, args: unknown): void {
    const path = this.#t.endpointOf(end);
    if (path === undefined) return;
    const method = raftMethod(svcMeth) ?? svcMeth;
    if (typeof path.from !== 'number') {
      // A KV client's end (or the tester's): lossy windows delay, drop and reorder its messages too.
      this.#rpcs.set(rpc, { from: 'client', to: path.to, method, term: null, carries: false });
      return;
    }
    const term = termOf(args);
    this.#rpcs.set(rpc, { from: path.from, to: path.to, method, term, carries: carriesEntries(args) });
    if (term === null) return;
    if (term > this.#sentTerm[path.from]) {
      this.#sentTerm[path.from] = term;
      this.#settleHeld(false);
    }
    if (method === 'AppendEntries' && term >= (this.#leader?.term ?? -1)) {
      this.#leader = { server: path.from, term };
    }
  }

  /**
   * crash-after-reply: the handler has returned and its reply is leaving the server (the network asks
   * the fault layer at exactly that point): crash the server now, before anything it deferred (a timer,
   * a save "in a moment") can run, and restart it; the reply still reaches its caller.
   */
  #crashAsReplyLeaves(rpc: number): void {
    const path = this.#rpcs.get(rpc);
    if (path === undefined || path.from === 'client' || raftMethod(path.method) === null) return;
    for (const active of this.#active) {
      const { event } = active;
      if (event.kind !== 'crash-after-reply') continue;
      if (event.method !== 'any' && event.method !== path.method) continue;
      // 'AppendEntries' aims where the server took entries in (their loss is what a crash can show);
      // 'any' takes heartbeats too (a newer term learnt from one must survive a crash as well).
      if (event.method === 'AppendEntries' && !path.carries) continue;
      this.#active.delete(active);
      recordFault(this.#t.ctx, {
        action: 'explore',
        id: event.id,
        fault: event.kind,
        what: `crash S${path.to} as its ${path.method} reply to S${path.from} leaves it; restart it`,
      });
      (this.#t.restart as (i: number) => void)(path.to);
      return;
    }
  }

  /** Server `to` was handed request `rpc`: it has shown that request's term (it took it, or refused it from a newer one). */
  #handed(rpc: number): void {
    const path = this.#rpcs.get(rpc);
    if (path === undefined || path.from === 'client' || path.term === null) return;
    this.#handedTerm[path.to] = Math.max(this.#handedTerm[path.to], path.term);
  }

  /** The highest term server i has shown on the wire: sent in, or handed a request of. */
  #shownTerm(i: number): number {
    return Math.max(this.#sentTerm[i], this.#handedTerm[i]);
  }

  /**
   * stale-request, when a request is handed on: the first one on each link of the term its receiver has
   * shown is kept back (a promise the network waits on, then delivers to whoever holds the address: the
   * restarted server); one of a newer term than its receiver had shown, to a receiver something is kept
   * back for, marks the receiver to crash as its reply leaves.
   */
  #staleRequest(rpc: number): Promise<void> | null {
    const path = this.#rpcs.get(rpc);
    if (path === undefined || path.from === 'client' || path.term === null) return null;
    if (raftMethod(path.method) === null) return null;
    for (const active of this.#active) {
      if (active.event.kind !== 'stale-request' || active.keptOn === undefined) continue;
      const shown = this.#shownTerm(path.to);
      if (path.term > shown) {
        // Aimed: only a server something was kept back for, which it would have taken before this term.
        const waiting = this.#kept.some((k) => k.active === active && k.to === path.to);
        if (waiting && !this.#strikes.has(rpc)) this.#strikes.set(rpc, active);
        continue;
      }
      // Kept: the first on each link of the term its receiver is in (it would take it now), to arrive
      // once the receiver has moved on to a newer term and restarted, as an older term's request.
      const link = `${path.from}>${path.to}`;
      if (path.term < shown || active.keptOn.has(link)) continue;
      active.keptOn.add(link);
      const what = `${path.method} T${path.term} from S${path.from}`;
      return new Promise((resolve) => this.#kept.push({ active, to: path.to, what, release: resolve }));
    }
    return null;
  }

  /** stale-request: the reply to a newer term leaves its server: crash it, restart it, hand it what was kept. */
  #crashOnNewTerm(rpc: number): void {
    const active = this.#strikes.get(rpc);
    this.#strikes.delete(rpc);
    const path = this.#rpcs.get(rpc);
    if (active === undefined || path === undefined || path.from === 'client') return;
    if (!this.#active.delete(active)) return; // it ended, or struck already
    for (const [other, a] of this.#strikes) if (a === active) this.#strikes.delete(other);
    const mine = this.#kept.filter((k) => k.active === active && k.to === path.to);
    const kept = mine.map((k) => k.what).join(', ');
    recordFault(this.#t.ctx, {
      action: 'explore',
      id: active.event.id,
      fault: active.event.kind,
      what: `crash S${path.to} as its ${path.method} reply to S${path.from} (T${path.term ?? '?'}, newer than it had shown) leaves it; restart it; deliver it the requests kept back: ${kept}`,
    });
    (this.#t.restart as (i: number) => void)(path.to);
    // Delivered once the reply has come back (or is lost): by then the caller, and whoever watches the
    // wire, knows the newer term the server answered with. Its own first, in the order they were kept.
    this.#afterReply.set(rpc, () => {
      this.#releaseKept((k) => k.active === active && k.to === path.to);
      this.#releaseKept((k) => k.active === active);
    });
  }

  #releaseKept(which: (k: Kept) => boolean): void {
    const chosen = this.#kept.filter(which);
    for (const k of chosen) this.#kept.splice(this.#kept.indexOf(k), 1);
    for (const k of chosen) k.release();
  }

  /** Release held replies whose caller's term moved on (all of them when a straddle ends). */
  #settleHeld(all: boolean): void {
    for (let k = this.#held.length - 1; k >= 0; k--) {
      const h = this.#held[k];
      if (all || this.#sentTerm[h.from] > h.term) {
        this.#held.splice(k, 1);
        h.release();
      }
    }
  }

  // --- LinkFaults: what the network asks -----------------------------------------------------------

  request(rpc: number): FaultDecision {
    const decision = this.#decide(rpc, 'request');
    if (decision === 'drop') return decision;
    const kept = this.#staleRequest(rpc);
    if (kept === null) return decision;
    // Kept back, then any delay the other faults drew for it.
    return typeof decision === 'number' && decision > 0
      ? kept.then(() => new Promise<void>((resolve) => setTimeout(resolve, decision)))
      : kept;
  }

  reply(rpc: number): FaultDecision {
    this.#crashAsReplyLeaves(rpc);
    this.#crashOnNewTerm(rpc);
    return this.#decide(rpc, 'reply');
  }

  #decide(rpc: number, leg: 'request' | 'reply'): FaultDecision {
    const path = this.#rpcs.get(rpc);
    if (path === undefined || this.#active.size === 0) return 0;
    let delayMs = 0;
    for (const { event, random, side } of this.#active) {
      if (side !== undefined && path.from !== 'client' && cut(side, path.from, path.to)) return 'drop';
      if (event.kind === 'lossy') {
        if (random() < (event.drop ?? 0)) return 'drop';
        delayMs += Math.floor(random() * ((event.delayMs ?? 0) + 1));
        // Held back long, as labrpc's long reordering does to replies; requests too, so that an old
        // request (a client's retried operation, a stale AppendEntries) arrives after newer ones.
        if (random() < (event.reorder ?? 0)) delayMs += 200 + Math.floor(random() * 2000);
      }
    }
    const straddle = leg === 'reply' ? [...this.#active].find((a) => a.event.kind === 'straddle') : undefined;
    if (straddle !== undefined && path.term !== null && path.from !== 'client') {
      // Released some time after the caller's term moved on, so that it may land once the caller has
      // settled into its new role (a candidate that won, a follower of the new leader).
      return this.#hold(path.from, path.term, delayMs + Math.floor(straddle.random() * 400));
    }
    return delayMs;
  }

  /**
   * A reply held until its caller sends in a later term (or STRADDLE_CAP_MS pass, or the straddle ends),
   * then `afterMs` more.
   */
  #hold(from: number, term: number, afterMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => release(), STRADDLE_CAP_MS);
      const release = (): void => {
        clearTimeout(timer);
        const k = this.#held.indexOf(entry);
        if (k >= 0) this.#held.splice(k, 1);
        if (afterMs > 0) setTimeout(resolve, afterMs);
        else resolve();
      };
      const entry = { from, term, release };
      this.#held.push(entry);
    });
  }
}

/** Whether a partition's sides keep `from` and `to` apart (a bridge, side -1, reaches both). */
function cut(side: readonly number[], from: number, to: number): boolean {
  const a = side[from];
  const b = side[to];
  return a !== undefined && b !== undefined && a !== -1 && b !== -1 && a !== b;
}

/** 0 … n-1 in an order drawn from `random`. */
function shuffled(n: number, random: () => number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** "{S0 S2} | {S1 S3 S4}". */
function halves(side: readonly number[]): string {
  const group = (s: number): string => `{${side.flatMap((v, i) => (v === s ? [`S${i}`] : [])).join(' ')}}`;
  return `${group(0)} | ${group(1)}`;
}
