/**
 * What the tester sees of a running cluster, kept for two jobs (the Raft and the KV configs both use it):
 *
 * - **Election Safety** (Figure 3: at most one leader in a given term), checked by the tester itself, so
 *   that no test relies on a peer's own assertions. Every leadership claim the tester sees is recorded:
 *   the sender of every RPC is asked `getState()` as it sends, and every `getState()` or `start()` a check
 *   makes is reported through `claim`. A second server claiming a term fails the run at once.
 * - **The diagnosis** printed under a failure (registered with `ctx.diagnose`): each server's term and role, when it last
 *   received an AppendEntries, the RPCs it sent, received and answered in the last second, the handlers
 *   that never returned, and the hints that tell the classic stuck states apart (no RPC from anyone; a
 *   leader that stopped sending AppendEntries; a getState that is not written yet). A server that is not
 *   running is told apart too: crashed by the tester, never started, or its constructor threw (the configs
 *   build every peer through `construct`).
 *
 * It reads RPCs by their method name only (`…AppendEntries`), never their fields, which students choose.
 */
import { freezeClass, type Network, type NetworkEvent, type ServerName } from '../../labrpc';
import { LabCheckFailure, formatVirtual, type LabContext } from '../harness';
import { InvariantMonitor } from './invariant-monitor';
import { STALL_WINDOW_MS, explainStall } from './stall-patterns';
import { raftMethod } from './wire';

/** What the tester may ask a peer: Raft's getState (null: it has not said yet, behind the boundary). */
export interface WatchedPeer {
  getState(): { term: number; isLeader: boolean } | null;
  /**
   * Behind the boundary, getState() is what the peer last said, at this virtual time: the diagnosis runs
   * after the failure and can no longer ask, so it says when.
   */
  reportedAt?(): number | null;
}

/** The cluster as the config knows it. */
export interface WatchedCluster {
  readonly ctx: LabContext;
  readonly n: number;
  readonly net: Network;
  /** The live peer of server i; null once crashed (and before its first start). */
  peer(i: number): WatchedPeer | null;
  /** How server i is attached, in a few words ("connected", "disconnected", "reaches S0 S2"). */
  attachment(i: number): string;
  /** Who owns an end: a server (number), a client or the tester (string); undefined if unknown. */
  endpointOf(end: string): { from: number | string; to: number } | undefined;
  /** The number of voters if membership never changes; null if the test may change it (2E, 3C). */
  readonly voters: number | null;
  /** Whether servers may compact their logs (a test with snapshots). */
  readonly compacts: boolean;
}

/** The diagnosis counts RPCs over this window: longer than any sensible election timeout. */
export const DIAGNOSIS_WINDOW_MS = 1000;
/** Entries committed while a service request waits over 1 s (its own op, likely): a finding. */
const STALLED_COMMITS = 1;
/** This many new leaders within CHURN_WINDOW_MS is an unstable cluster (a stable one elects one). */
const CHURN_LEADERS = 4;
const CHURN_WINDOW_MS = 5000;

interface RpcInfo {
  from: number | string;
  to: number;
  svcMeth: string;
  /** The term its sender claimed to lead when it sent it (getState at the send), if it claimed to. */
  leaderTerm?: number;
  deliveredAt?: number;
  answered?: boolean;
  /** A service request (not Raft's): the index its server had committed when it arrived. */
  commitAtDelivery?: number;
}

interface Counts {
  sent: number[];
  delivered: number[];
  answered: number[];
}

type Probe = { term: number; isLeader: boolean } | { error: string } | { unknown: true };

/** A thrown value as its headline: `Name: message`, first line only. */
function headline(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.split('\n')[0];
}

const isAppendEntries = (svcMeth: string): boolean => svcMeth.endsWith('AppendEntries');

export class ClusterWatch {
  /** Figure 3's properties, checked from the wire and applyCh (invariant-monitor.ts). */
  readonly monitor: InvariantMonitor;
  readonly #cluster: WatchedCluster;
  /** term → the first server seen leading it, and when. */
  readonly #leaders = new Map<number, { server: number; at: number }>();
  readonly #rpcs = new Map<number, RpcInfo>();
  readonly #counts: Counts[];
  readonly #lastAppendHeard: ({ at: number; from: number | string } | null)[];
  readonly #lastAppendSent: (number | null)[];
  /** Each server's last start: when, and the headline of what its constructor threw, if it did. */
  readonly #starts: ({ at: number; threw?: string } | undefined)[];
  /**
   * Per server, term → the servers that received an AppendEntries it sent while it led that term (maps
   * by number: this is updated at every AppendEntries delivered, where a string key cost one per RPC).
   */
  readonly #heard: Map<number, Set<number>>[];
  #anySent = false;
  #violated = false;
  #sealed: string[] | undefined;

  constructor(cluster: WatchedCluster) {
    this.#cluster = cluster;
    const n = cluster.n;
    this.#counts = Array.from({ length: n }, () => ({ sent: [], delivered: [], answered: [] }));
    this.#lastAppendHeard = new Array<null>(n).fill(null);
    this.#lastAppendSent = new Array<null>(n).fill(null);
    this.#starts = new Array<undefined>(n).fill(undefined);
    this.#heard = Array.from({ length: n }, () => new Map<number, Set<number>>());
    this.monitor = new InvariantMonitor(cluster);
    cluster.net.observe((event) => this.#see(event));
    cluster.ctx.diagnose(() => this.diagnose());
  }

  /**
   * A leadership claim the tester saw: server `i` reported `term` and `isLeader`. A second server leading
   * a term fails the run at once, naming the term, both servers and when each was seen leading.
   */
  claim(i: number, state: { term: number; isLeader: boolean }): void {
    if (!state.isLeader) return;
    const now = this.#cluster.ctx.now();
    const first = this.#leaders.get(state.term);
    if (first === undefined) {
      this.#leaders.set(state.term, { server: i, at: now });
      return;
    }
    if (first.server === i || this.#violated) return;
    this.#violated = true;
    this.#cluster.ctx.fail(
      new LabCheckFailure(
        `Election Safety violated: S${first.server} and S${i} were both leader in term ${state.term} ` +
          `(S${first.server} seen leading at ${formatVirtual(first.at)}, S${i} at ${formatVirtual(now)}). ` +
          'At most one leader per term (Figure 3): does each peer vote at most once per term, and ' +
          'remember its vote across a restart?',
      ),
    );
  }

  /**
   * Beyond Go: the wire's evidence that server i led `term` — how many other servers received an
   * AppendEntries it sent while it said it led that term. A peer that only *says* it leads has none.
   */
  leaderEvidence(i: number, term: number): number {
    return this.#heard[i]?.get(term)?.size ?? 0;
  }

  /**
   * Start server i: run its constructor (`make`, e.g. \`new Raft(…)\`) and return the peer, remembering
   * whether it threw (the error goes on to fail the test), so the diagnosis can say so rather than
   * calling the server crashed.
   */
  construct<T>(i: number, make: () => T): T {
    const at = this.#cluster.ctx.now();
    this.monitor.restarted(i);
    try {
      const made = make();
      this.#starts[i] = { at };
      return made;
    } catch (error) {
      this.#starts[i] = { at, threw: headline(error) };
      throw error;
    }
  }

  /** Server i is being started across the boundary (its constructor runs at the next exchange). */
  constructing(i: number): void {
    this.monitor.restarted(i);
    this.#starts[i] = { at: this.#cluster.ctx.now() };
  }

  /** Server i's constructor threw (across the boundary): the diagnosis says so. */
  constructorThrew(i: number, error: string): void {
    const start = this.#starts[i];
    this.#starts[i] = { at: start?.at ?? this.#cluster.ctx.now(), threw: error.split('\n')[0] };
  }

  /** Why server i has no live peer: its constructor threw, it was never started, or it crashed. */
  #down(i: number): string {
    const start = this.#starts[i];
    if (start === undefined) return 'not started (the test stopped before starting it)';
    if (start.threw !== undefined) {
      return `down: its constructor threw at ${formatVirtual(start.at)}: ${start.threw}`;
    }
    return 'crashed';
  }

  /**
   * Why the cluster stopped making progress, if the RPCs of the last few seconds match a known pattern
   * (stall-patterns.ts): each a sentence naming its rule, most specific first.
   */
  explainStall(): string[] {
    const now = this.#cluster.ctx.now();
    return explainStall(this.monitor.recent(STALL_WINDOW_MS), { now, voters: this.#cluster.voters });
  }

  /** Ask server i for its state, reporting a leadership claim; a getState that throws is described. */
  probe(i: number): Probe | null {
    const peer = this.#cluster.peer(i);
    if (peer === null) return null;
    try {
      const state = peer.getState();
      if (state === null) return { unknown: true };
      this.claim(i, state);
      return state;
    } catch (error) {
      return { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
    }
  }

  #see(event: NetworkEvent): void {
    const now = this.#cluster.ctx.now();
    if (event.kind === 'send') {
      const ends = this.#cluster.endpointOf(event.end);
      if (ends === undefined) return;
      this.#rpcs.set(event.rpc, { from: ends.from, to: ends.to, svcMeth: event.svcMeth });
      if (typeof ends.from !== 'number') return;
      this.#anySent = true;
      push(this.#counts[ends.from].sent, now);
      if (isAppendEntries(event.svcMeth)) this.#lastAppendSent[ends.from] = now;
      const state = this.probe(ends.from); // Election Safety: is the sender a leader, and in which term?
      if (state !== null && 'isLeader' in state && state.isLeader) {
        (this.#rpcs.get(event.rpc) as RpcInfo).leaderTerm = state.term;
      }
      return;
    }
    const rpc = this.#rpcs.get(event.rpc);
    if (rpc === undefined) return;
    switch (event.kind) {
      case 'deliver':
        rpc.deliveredAt = now;
        if (raftMethod(rpc.svcMeth) === null) rpc.commitAtDelivery = this.monitor.commitOf(rpc.to);
        push(this.#counts[rpc.to].delivered, now);
        if (isAppendEntries(rpc.svcMeth)) {
          this.#lastAppendHeard[rpc.to] = { at: now, from: rpc.from };
          const terms = typeof rpc.from === 'number' ? this.#heard[rpc.from] : undefined;
          if (rpc.leaderTerm !== undefined && rpc.to !== rpc.from && terms !== undefined) {
            const heard = terms.get(rpc.leaderTerm);
            if (heard === undefined) terms.set(rpc.leaderTerm, new Set([rpc.to]));
            else heard.add(rpc.to);
          }
        }
        return;
      case 'reorder':
      case 'drop-reply':
      case 'reply':
        if (!rpc.answered) push(this.#counts[rpc.to].answered, now);
        rpc.answered = true;
        if (event.kind !== 'reorder') this.#rpcs.delete(event.rpc);
        return;
      default: // unreachable, dropped request, dead destination: nothing more will happen to it
        this.#rpcs.delete(event.rpc);
    }
  }

  /**
   * Keep the diagnosis as the cluster is now. The configs call this in their cleanup, just before they
   * kill the peers: the harness asks for the diagnosis after cleanup, when the peers are gone.
   */
  seal(): void {
    this.#sealed ??= this.#describe();
  }

  /** A few lines that say what the cluster was doing when the run failed (as sealed, if it was). */
  diagnose(): string[] {
    return this.#sealed ?? this.#describe();
  }

  #describe(): string[] {
    const { ctx, n } = this.#cluster;
    const now = ctx.now();
    const since = now - DIAGNOSIS_WINDOW_MS;
    const lines = [`what the tester saw (at ${formatVirtual(now)}; RPC counts over the last 1 s):`];
    const hints: string[] = [];
    const states = Array.from({ length: n }, (_, i) => this.probe(i));
    for (let i = 0; i < n; i++) {
      const state = states[i];
      if (state === null) {
        lines.push(`  S${i}  ${this.#down(i)}`);
        continue;
      }
      let role: string;
      if ('unknown' in state) {
        role = 'no state reported yet';
      } else if ('error' in state) {
        role = 'getState() threw';
        hints.push(`  getState() of S${i} threw ${state.error}`);
      } else {
        role = `T${state.term} ${state.isLeader ? 'leader' : 'not leader'}`;
        const at = this.#cluster.peer(i)?.reportedAt?.() ?? null;
        if (at !== null && at < now) role += ` (as it said at ${formatVirtual(at)})`;
      }
      const heard = this.#lastAppendHeard[i];
      const heardText = heard === null ? 'never' : `${formatVirtual(heard.at)} from ${name(heard.from)}`;
      const c = this.#counts[i];
      const pending = this.#pendingAt(i).length;
      lines.push(
        `  S${i}  ${this.#cluster.attachment(i)}, ${role}; last AppendEntries received: ${heardText}; ` +
          `sent ${within(c.sent, since)}, received ${within(c.delivered, since)}, ` +
          `answered ${within(c.answered, since)}, handlers running ${pending}`,
      );
      if ('isLeader' in state && state.isLeader) {
        const sent = this.#lastAppendSent[i];
        if (sent === null || sent < since) {
          hints.push(
            `  S${i} is leader in T${state.term} but sent no AppendEntries since ` +
              `${sent === null ? 'it started' : formatVirtual(sent)}: are its heartbeats on a timer the ` +
              'virtual clock drives (setTimeout/setInterval called when needed, not one captured at load)?',
          );
        }
      }
    }
    const recent = [...this.#leaders].filter(([, leader]) => leader.at >= now - CHURN_WINDOW_MS);
    if (recent.length >= CHURN_LEADERS) {
      const terms = recent.map(([term, leader]) => `T${term} S${leader.server}`).join(', ');
      hints.push(
        `  ${recent.length} new leaders in the last ${CHURN_WINDOW_MS / 1000} s (${terms}): leadership keeps ` +
          'changing. Does the leader send heartbeats at a steady rate, from a timer the virtual clock ' +
          'drives, and does a follower reset its election timer when one arrives?',
      );
    }
    const threw = this.#starts.flatMap((start, i) => (start?.threw === undefined ? [] : [`S${i}`]));
    if (threw.length > 0) {
      hints.push(
        `  the constructor of ${threw.join(', ')} threw, so the test could not go on: it must return ` +
          'quickly with a working peer (the stack below shows where it threw).',
      );
    } else if (!this.#anySent && now >= DIAGNOSIS_WINDOW_MS) {
      // (Within the first second an election timeout may not have expired yet: silence says nothing.)
      hints.push(
        '  no server has sent a single RPC since the test began: does each peer start its election ' +
          'timer in the constructor, and does the timer start an election (RequestVote to every peer)?',
      );
    }
    // A constructor that threw explains the silence; a stall pattern read from it would only mislead.
    if (threw.length === 0) hints.push(...this.explainStall().map((why) => `  ${why}`));
    const stuck = this.#stuckHandlers(now);
    if (stuck.length > 0) {
      hints.push(
        '  handlers that have not returned for over 1 s (their callers get no reply: a promise that never settles?):',
      );
      hints.push(...stuck.map((line) => `    ${line}`));
    }
    return [...lines, ...hints];
  }

  /** Handlers of server i still running, as the network reports them. */
  #pendingAt(i: number): { rpc: number; svcMeth: string }[] {
    return this.#cluster.net.pendingHandlers().filter((h) => h.server === (i as ServerName));
  }

  /** Handlers running for longer than the window, one line per server and method, oldest first. */
  #stuckHandlers(now: number): string[] {
    // Only handlers running for longer than the window: a KV handler waiting a few ms for its entry to
    // commit is normal.
    const groups = new Map<string, { count: number; oldest: number; from: string; committed: number }>();
    for (const handler of this.#cluster.net.pendingHandlers()) {
      const rpc = this.#rpcs.get(handler.rpc);
      const at = rpc?.deliveredAt;
      if (rpc === undefined || at === undefined || at > now - DIAGNOSIS_WINDOW_MS) continue;
      const key = `S${String(handler.server)} ${handler.svcMeth}`;
      // Entries its server committed since the oldest call arrived (service requests only).
      const since =
        rpc.commitAtDelivery === undefined ? 0 : this.monitor.commitOf(rpc.to) - rpc.commitAtDelivery;
      const group = groups.get(key);
      if (group === undefined)
        groups.set(key, { count: 1, oldest: at, from: name(rpc.from), committed: since });
      else group.count += 1;
    }
    return [...groups]
      .sort(([, a], [, b]) => a.oldest - b.oldest)
      .map(
        ([key, { count, oldest, from, committed }]) =>
          `${key}: ${count} call${count === 1 ? '' : 's'}, the oldest from ${from}, running since ` +
          `${formatVirtual(oldest)} (${now - oldest} ms)` +
          (committed < STALLED_COMMITS
            ? ''
            : `; its Raft committed ${committed} entr${committed === 1 ? 'y' : 'ies'} since it arrived: [KV.2] ` +
              'committed but never answered? When ' +
              'the service applies an entry, it must wake the handler waiting for that index (and answer ' +
              'ErrWrongLeader if another op took it); a blocked applyCh consumer stops this too'),
      );
  }
}

function name(who: number | string): string {
  return typeof who === 'number' ? `S${who}` : who;
}

/** Append a time, forgetting those older than the diagnosis needs (times only grow). */
function push(times: number[], now: number): void {
  times.push(now);
  if (times.length > 256 && times[0] < now - 2 * DIAGNOSIS_WINDOW_MS) {
    const keep = times.findIndex((t) => t >= now - DIAGNOSIS_WINDOW_MS);
    times.splice(0, keep === -1 ? times.length : keep);
  }
}

function within(times: number[], since: number): number {
  let count = 0;
  for (let k = times.length - 1; k >= 0 && times[k] >= since; k--) count++;
  return count;
}

// Frozen where it is defined: every run shares this module (worker/shared-modules.ts), and a run that
// froze it later would look like one that changed it (worker/leftovers.ts). See labrpc/freeze.ts.
freezeClass(ClusterWatch);
