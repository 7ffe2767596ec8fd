/**
 * The invariant monitor's records (invariant-monitor.ts): one RPC as read off the wire, and what the
 * monitor keeps per server. Plus how a violation names the RPC that showed it.
 */
import { formatVirtual } from '../harness';
import { KnownLog, type Fact, type Source } from './log-knowledge';
import {
  readAppendEntries,
  readInstallSnapshot,
  readRequestVote,
  type AppendEntriesView,
  type InstallSnapshotView,
  type RaftMethod,
  type RequestVoteView,
} from './wire';

/** What the receiver was like when the RPC reached it (its handler runs then). */
export interface Delivery {
  epoch: number;
  incarnation: number;
  /** AppendEntries: the receiver's known entry at prevLogIndex. */
  prior: Fact | undefined;
  /** RequestVote: the voter's known entry of highest index. */
  voterLast: { index: number; fact: Fact } | null;
  /** When it reached the receiver (virtual ms). */
  at: number;
  /** The highest term the receiver had shown before: sent an RPC in, or answered one with. */
  termBefore: { term: number; source: Source } | null;
  /**
   * Whether the handler returned before anything else reached the receiver: then its outcome reflects
   * the receiver as it was at delivery. undefined until something else arrives (then it is decided).
   */
  clean: boolean | undefined;
}

export interface Rpc {
  id: number;
  method: RaftMethod;
  from: number | string;
  to: number;
  /** The RPC's term (every Raft RPC carries one). */
  term: number;
  at: number;
  ae?: AppendEntriesView;
  rv?: RequestVoteView;
  is?: InstallSnapshotView;
  delivered: Delivery | null;
  done: boolean;
  /** The reply's outcome (success / voteGranted) and term, once a readable reply came back. */
  outcome?: { ok: boolean; term: number | null; at: number };
}

export class ServerState {
  readonly log = new KnownLog();
  /** Bumped by everything that may change the log: an AppendEntries or InstallSnapshot reaching it, a restart. */
  epoch = 0;
  incarnation = 0;
  /** Delivered AppendEntries/InstallSnapshot whose handler may still run. */
  readonly inFlight = new Set<Rpc>();
  highestSent: { term: number; source: Source } | null = null;
  /**
   * The highest term it answered an RPC with, from replies that came back: Figure 2's reply term is the
   * receiver's currentTerm, so it had reached that term before anything delivered after the reply.
   */
  highestAnswered: { term: number; source: Source } | null = null;
  /** The highest index an AppendEntries it accepted (or might have) let it commit. */
  commitKnown = 0;
  /** rpc → what a delivered AppendEntries lets it commit, until its outcome is known. */
  readonly commitPending = new Map<number, number>();
  readonly #restarts: number[] = [];
  /** Recent deliveries that may have changed the log: their epoch and the lowest index they could change. */
  #changes: { epoch: number; from: number }[] = [];
  /** Deliveries before this epoch are no longer in #changes. */
  #changesSince = 0;

  /** A delivery (now at `epoch`) may have changed the log from index `from` on. */
  mayChange(epoch: number, from: number): void {
    if (from === Infinity) return;
    this.#changes.push({ epoch, from });
    if (this.#changes.length > 256) {
      this.#changesSince = this.#changes[128].epoch;
      this.#changes = this.#changes.slice(128);
    }
  }

  /**
   * The lowest index anything that reached the server after `epoch` may have changed (Infinity if
   * nothing did; 0 if that is no longer known): what an acknowledgement of that epoch still shows.
   */
  unchangedBelow(epoch: number): number {
    if (epoch < this.#changesSince) return 0;
    // #changes is in epoch order (epochs only grow): look only at those after `epoch`, usually the last
    // few, found by bisection (a reply otherwise scanned up to 256 of them).
    const changes = this.#changes;
    let lo = 0;
    let hi = changes.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (changes[mid].epoch > epoch) hi = mid;
      else lo = mid + 1;
    }
    let least = Infinity;
    for (let k = lo; k < changes.length; k++) if (changes[k].from < least) least = changes[k].from;
    return least;
  }

  /** When an InstallSnapshot last reached it (a buggy one may drop entries there, [IS.6]). */
  installedAt = -1;

  restart(at: number): void {
    this.#restarts.push(at);
    this.incarnation += 1;
    this.epoch += 1;
    this.inFlight.clear();
    // commitPending stays: what the old instance learned committed stays committed (and its snapshot,
    // which a restart reads back, covers only what it applied).
  }

  /**
   * Drop the deliveries whose handler returned (`running(rpc)` asks the network); with `decide`,
   * something new is arriving: each earlier delivery learns whether its handler had returned first
   * (Delivery.clean). Returns whether a handler may still be running.
   */
  settle(running: (rpc: number) => boolean, decide: boolean): boolean {
    for (const rpc of this.inFlight) {
      const still = running(rpc.id);
      if (decide && rpc.delivered !== null) rpc.delivered.clean ??= !still;
      if (!still) this.inFlight.delete(rpc);
    }
    return this.inFlight.size > 0;
  }

  restartsSince(at: number): boolean {
    return this.#restarts.some((t) => t >= at);
  }

  /** The highest index it may have committed: accepted, or not yet known to be refused. */
  mayCommit(): number {
    let most = this.commitKnown;
    for (const index of this.commitPending.values()) if (index > most) most = index;
    return most;
  }
}

/**
 * One RPC as the monitor reads it at its send, or null if its arguments are not readable (wire.ts).
 * An AppendEntries without leaderCommit is read, with leaderCommit null.
 */
export function readRpc(
  id: number,
  method: RaftMethod,
  from: number | string,
  to: number,
  at: number,
  args: unknown,
): Rpc | null {
  const rpc: Rpc = { id, method, from, to, at, term: 0, delivered: null, done: false };
  if (method === 'AppendEntries') rpc.ae = readAppendEntries(args) ?? undefined;
  else if (method === 'InstallSnapshot') rpc.is = readInstallSnapshot(args) ?? undefined;
  else rpc.rv = readRequestVote(args) ?? undefined;
  const view = rpc.ae ?? rpc.is ?? rpc.rv;
  if (view === undefined) return null;
  rpc.term = view.term;
  return rpc;
}

/** Raft RPCs kept for the stall explanations: about the last few seconds of an unreliable test. */
const RECENT_RPCS = 4000;

/** The RPCs servers sent lately, oldest first (stall-patterns.ts reads them). */
export class RecentRpcs {
  #rpcs: Rpc[] = [];

  push(rpc: Rpc): void {
    this.#rpcs.push(rpc);
    if (this.#rpcs.length > RECENT_RPCS) this.#rpcs = this.#rpcs.slice(RECENT_RPCS / 2);
  }

  /** Those sent at virtual time `at` or later. */
  since(at: number): readonly Rpc[] {
    const first = this.#rpcs.findIndex((rpc) => rpc.at >= at);
    return first === -1 ? [] : this.#rpcs.slice(first);
  }
}

function who(x: number | string): string {
  return typeof x === 'number' ? `S${x}` : x;
}

/** "AppendEntries #812 S0→S2 (T5, prevLogIndex 7, prevLogTerm 4, 2 entries, leaderCommit 6) sent at 1.234 s". */
export function describeRpc(rpc: Rpc): string {
  let fields = `T${rpc.term}`;
  if (rpc.ae !== undefined) {
    const { prevLogIndex, prevLogTerm, count, leaderCommit } = rpc.ae;
    fields +=
      `, prevLogIndex ${prevLogIndex}, prevLogTerm ${prevLogTerm}, ${count} ` +
      `entr${count === 1 ? 'y' : 'ies'}` +
      (leaderCommit === null ? '' : `, leaderCommit ${leaderCommit}`);
  } else if (rpc.rv?.lastLog != null) {
    fields += `, lastLogIndex ${rpc.rv.lastLog.index}, lastLogTerm ${rpc.rv.lastLog.term}`;
  } else if (rpc.is !== undefined) {
    fields += `, lastIncludedIndex ${rpc.is.lastIncludedIndex}, lastIncludedTerm ${rpc.is.lastIncludedTerm}`;
  }
  return `${rpc.method} #${rpc.id} ${who(rpc.from)}→S${rpc.to} (${fields}) sent at ${formatVirtual(rpc.at)}`;
}

/** A value in a message: JSON, cut short. */
export function show(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length <= 60 ? text : `${text.slice(0, 60)}…`;
}
