/**
 * The invariant monitor: Figure 3's properties, checked from what the network carries and what servers
 * apply, never from a peer's internals (design.md, "Judging from outside the judged code"). Always on in
 * the Raft and KV testers. It fails the run at the FIRST violation, naming the RPC that showed it, before
 * the downstream symptom (an apply mismatch seconds later, or nothing at all):
 *
 *   Election Safety      two servers send AppendEntries/InstallSnapshot in one term; a voter grants two
 *                        candidates in one term [RV.2]; a leader without a majority of votes [C.2]
 *   terms                a server accepts an RPC older than a term it already sent or replied [AE.1] [RV.1]
 *   Leader Append-Only   a server sends a log that contradicts what it sent or acknowledged before
 *   Log Matching         two entries at one index and term; a follower accepting a prevLogTerm it does not
 *                        hold, or refusing one it holds [AE.2]
 *   Leader Completeness  a later leader contradicts a committed entry; a vote for a log behind [RV.2]
 *   commit rules         committed = an entry of its leader's term that a majority acknowledged in that
 *                        term, and all before it: leaderCommit beyond that [L.4]; a leader applying an
 *                        earlier term's entry it counted replicas of (Figure 8) [L.4]; applying beyond
 *                        what an accepted AppendEntries allowed [All.1]
 *   State Machine Safety a server applies, at a committed index, another command
 *
 * Shapes are the student's (wire.ts): a message it cannot read leaves the monitor silent about it, and
 * commit counting, which needs every message, switches off for the run. Membership changes (2E, 3C)
 * switch off the majority checks. It adds no trace event unless it finds a violation.
 */
import type { Network, NetworkEvent } from '../../labrpc';
import { LabCheckFailure, formatVirtual, type LabContext } from '../harness';
import { CommittedEntries, EntryRegistry, type Fact, type Source } from './log-knowledge';
import { derive, majorityAck, type Leadership } from './monitor-commits';
import * as M from './monitor-messages';
import { RecentRpcs, ServerState, describeRpc, readRpc, type Rpc } from './monitor-rpc';
import {
  entryCommand,
  raftMethod,
  readReply,
  releaseEntries,
  sameValue,
  type AppendEntriesView,
} from './wire';

export interface MonitoredCluster {
  readonly ctx: LabContext;
  readonly n: number;
  readonly net: Network;
  /** The number of voters if membership never changes (2A–2D, 3A–3B); null if it may (2E, 3C). */
  readonly voters: number | null;
  /**
   * Whether servers may compact their logs (snapshots): then a follower may refuse an AppendEntries
   * whose prevLogIndex its snapshot covers, and a refusal says nothing about its log.
   */
  readonly compacts: boolean;
  endpointOf(end: string): { from: number | string; to: number } | undefined;
}

/** Applies that must match the wire before the monitor trusts that its indices are applyCh's. */
const ALIGNED_APPLIES = 3;

export class InvariantMonitor {
  readonly #c: MonitoredCluster;
  readonly #rpcs = new Map<number, Rpc>();
  readonly #servers: ServerState[];
  readonly #leaders = new Map<number, Leadership>();
  /** term → voter → the candidate it granted, and the reply that showed it. */
  readonly #votes = new Map<number, Map<number, { candidate: number; source: Source }>>();
  readonly #entries = new EntryRegistry();
  readonly #committed = new CommittedEntries();
  /** Every AppendEntries and InstallSnapshot so far was readable: commit counting may rely on the wire. */
  #commitReadable = true;
  #votesReadable = true;
  #aligned = 0;
  #misaligned = false;
  #violation: string | null = null;
  /** Switched off for this run (LabContext.monitor): it sees nothing and checks nothing. */
  #off = false;
  /** The Raft RPCs servers sent lately, oldest first, for the stall explanations (stall-patterns.ts). */
  readonly #recent = new RecentRpcs();

  readonly #running: (rpc: number) => boolean;

  constructor(cluster: MonitoredCluster) {
    this.#c = cluster;
    this.#running = (rpc) => cluster.net.handlerRunning(rpc);
    this.#servers = Array.from({ length: cluster.n }, () => new ServerState());
    if (cluster.ctx.monitor === false) {
      this.#off = true; // npm run bench measuring the monitor's cost: the run as if it were not there
      return;
    }
    cluster.net.observe((event) => {
      if (this.#violation === null) this.#see(event);
    });
  }

  /** The first violation's message, or null. */
  get violation(): string | null {
    return this.#violation;
  }

  /** The Raft RPCs servers sent in the last `ms` of virtual time, oldest first, with their outcomes. */
  recent(ms: number): readonly Rpc[] {
    return this.#recent.since(this.#c.ctx.now() - ms);
  }

  /** The indices near `near` at which the wire carried an entry with this command (start()'s index, [L.2]). */
  indicesOf(command: unknown, near: number): number[] {
    return [-3, -2, -1, 0, 1, 2, 3].map((d) => near + d).filter((at) => this.#entries.holds(at, command));
  }

  /** The highest index server i is known (or may be) to have committed, as the wire shows. */
  commitOf(i: number): number {
    return this.#servers[i].mayCommit();
  }

  /** Server i was (re)started: what it persisted stays, what ran in its old instance is gone. */
  restarted(i: number): void {
    this.#servers[i].restart(this.#c.ctx.now());
  }

  #see(event: NetworkEvent): void {
    if (event.kind === 'send') {
      const ends = this.#c.endpointOf(event.end);
      const method = raftMethod(event.svcMeth);
      if (ends === undefined || method === null || ends.to >= this.#c.n) return;
      const rpc = readRpc(event.rpc, method, ends.from, ends.to, this.#c.ctx.now(), event.args);
      // Commit counting needs every AppendEntries and InstallSnapshot, with leaderCommit.
      if (method !== 'RequestVote' && (rpc === null || rpc.ae?.leaderCommit === null))
        this.#commitReadable = false;
      if (rpc === null) return;
      this.#rpcs.set(event.rpc, rpc);
      if (typeof rpc.from === 'number') {
        this.#recent.push(rpc);
        this.#sent(rpc, rpc.from);
      }
      return;
    }
    const rpc = this.#rpcs.get(event.rpc);
    if (rpc === undefined) return;
    switch (event.kind) {
      case 'deliver':
        this.#delivered(rpc);
        return;
      case 'reorder':
        this.#handlerDone(rpc, false);
        return;
      case 'reply':
        this.#handlerDone(rpc, false);
        this.#rpcs.delete(event.rpc);
        this.#replied(rpc, event.reply);
        if (rpc.ae !== undefined) releaseEntries(rpc.ae);
        return;
      default: // dropped reply or dead destination (outcome unknown); unreachable; dropped request
        this.#handlerDone(rpc, true);
        this.#rpcs.delete(event.rpc);
        if (rpc.ae !== undefined) releaseEntries(rpc.ae);
    }
  }

  #source(rpc: Rpc, how: Source['how']): Source {
    const { id, method, from, to, term } = rpc;
    return { rpc: id, method, from, to, term, at: this.#c.ctx.now(), how };
  }

  /** Whether a handler of server i that may change its log is still running. */
  #busy(i: number): boolean {
    return this.#servers[i].settle(this.#running, false);
  }

  // --- sends: leadership, and what a sender's log holds ---------------------------------------------

  #sent(rpc: Rpc, i: number): void {
    const s = this.#servers[i];
    if (s.highestSent === null || rpc.term > s.highestSent.term) {
      s.highestSent = { term: rpc.term, source: this.#source(rpc, 'sent') };
    }
    if (rpc.ae !== undefined) {
      this.#leads(rpc, i);
      const { prevLogIndex, prevLogTerm, terms, entries } = rpc.ae;
      this.#claims(rpc, i, prevLogIndex, prevLogTerm, terms, entries);
      this.#checkLeaderCommit(rpc, i, rpc.ae);
    } else if (rpc.is !== undefined) {
      this.#leads(rpc, i);
      this.#claims(rpc, i, rpc.is.lastIncludedIndex, rpc.is.lastIncludedTerm, [], []);
    }
  }

  /** The sender of an AppendEntries or InstallSnapshot leads its term: one leader per term. */
  #leads(rpc: Rpc, i: number): void {
    if (this.#violation !== null) return;
    const lead = this.#leaders.get(rpc.term);
    if (lead === undefined) {
      const source = this.#source(rpc, 'sent');
      this.#leaders.set(rpc.term, { server: i, source, acks: new Map(), derived: 0, lastAck: null });
      this.#checkElected(rpc, i);
      return;
    }
    if (lead.server === i) return;
    this.#fail(rpc, M.twoLeaders(rpc.term, lead.server, lead.source, i));
  }

  /** [C.2] a new leader had votes from a majority (every vote it counted came back on the wire). */
  #checkElected(rpc: Rpc, i: number): void {
    const voters = this.#c.voters;
    if (voters === null || !this.#votesReadable) return;
    const granted = new Set<number>([i]);
    for (const [voter, vote] of this.#votes.get(rpc.term) ?? []) if (vote.candidate === i) granted.add(voter);
    if (granted.size > voters / 2) return;
    this.#fail(rpc, M.leaderWithoutMajority(i, rpc.term, [...granted], voters));
  }

  /**
   * What a sender's RPC says its log holds: it must agree with what the server sent or acknowledged
   * before, with the entry seen at that index and term, and, for a later leader, with committed entries.
   */
  #claims(
    rpc: Rpc,
    i: number,
    prevIndex: number,
    prevTerm: number,
    terms: readonly number[],
    entries: readonly Record<string, unknown>[],
  ): void {
    const s = this.#servers[i];
    let source: Source | null = null; // made only when needed (one object per RPC adds up)
    for (let k = -1; k < terms.length && this.#violation === null; k++) {
      const index = prevIndex + 1 + k;
      const term = k < 0 ? prevTerm : terms[k];
      const fact = s.log.get(index);
      if (fact !== undefined && fact.term !== term) return this.#logChanged(rpc, i, index, term, fact);
      const committed = this.#committed.get(index);
      if (committed !== undefined && rpc.term > committed.commitTerm && committed.term !== term) {
        return this.#fail(rpc, M.leaderLacksCommitted(i, rpc.term, index, term, committed));
      }
      // An entry this server already sent at this index and term was compared then.
      if (k >= 0 && (fact === undefined || fact.source.how !== 'sent')) {
        this.#sameEntry(rpc, index, term, entries[k], (source ??= this.#source(rpc, 'sent')));
      }
    }
    if (this.#violation !== null || this.#busy(i)) return; // a running handler may cut this log
    for (let k = -1; k < terms.length; k++) {
      const term = k < 0 ? prevTerm : terms[k];
      if (s.log.get(prevIndex + 1 + k)?.term !== term)
        s.log.set(prevIndex + 1 + k, term, (source ??= this.#source(rpc, 'sent')));
    }
  }

  /** Log Matching: one index and term, one entry (only the leader of that term makes it). */
  #sameEntry(rpc: Rpc, index: number, term: number, entry: Record<string, unknown>, source: Source): void {
    const seen = this.#entries.get(index, term);
    if (seen === undefined) return this.#entries.add(index, term, entry, source);
    if (seen.ref === entry || seen.equal.includes(entry)) return;
    if (sameValue(seen.entry, entry)) {
      if (seen.equal.length < 8) seen.equal.push(entry); // the same object is not compared again
      return;
    }
    this.#fail(rpc, M.twoEntries(index, term, entry, seen));
  }

  #logChanged(rpc: Rpc, i: number, index: number, term: number, fact: Fact): void {
    const sameLeader = fact.source.how === 'sent' && fact.source.term === rpc.term && fact.source.from === i;
    const restarted = this.#servers[i].restartsSince(fact.source.at);
    this.#fail(rpc, M.logChanged(i, index, term, fact, sameLeader, restarted));
  }

  /** [L.4] leaderCommit never runs ahead of what a majority acknowledged in the leader's term. */
  #checkLeaderCommit(rpc: Rpc, i: number, ae: AppendEntriesView): void {
    if (this.#violation !== null || ae.leaderCommit === null || !this.#commitReadable) return;
    if (this.#c.voters === null || this.#c.voters < 2) return;
    const lead = this.#leaders.get(rpc.term);
    if (lead === undefined || lead.server !== i) return;
    const c = ae.leaderCommit;
    if (c <= Math.max(lead.derived, this.#servers[i].mayCommit())) return;
    if (lead.lastAck !== null) this.#derive(lead, rpc.term, lead.lastAck); // its log may be known now
    if (c <= lead.derived) return;
    const m = majorityAck(lead, this.#c.voters);
    let older: number | null = null;
    if (m !== null && c <= m) {
      older = this.#servers[i].log.get(m)?.term ?? null;
      if (older === null || older === rpc.term) return; // its entry there is unknown: say nothing
    }
    // Only now, for the message: this point is reached on many sends that then return above.
    this.#fail(rpc, M.commitAhead(i, rpc.term, c, m, older, describeAcks(lead)));
  }

  // --- deliveries: what may change the receiver's log -----------------------------------------------

  #delivered(rpc: Rpc): void {
    const s = this.#servers[rpc.to];
    const ae = rpc.ae;
    const prior = ae === undefined ? undefined : s.log.get(ae.prevLogIndex);
    const voterLast = rpc.rv === undefined ? null : s.log.last();
    if (ae !== undefined || rpc.is !== undefined) {
      s.settle(this.#running, true);
      // A correct peer refuses an AppendEntries older than a term it sent in, and its log stays.
      const stale = s.highestSent !== null && rpc.term < s.highestSent.term;
      let from = Infinity;
      if (ae !== undefined) {
        if (!stale) from = s.log.mayReceive(ae.prevLogIndex, ae.terms);
        if (ae.leaderCommit !== null) {
          s.commitPending.set(rpc.id, Math.min(ae.leaderCommit, ae.prevLogIndex + ae.count));
        }
      } else if (rpc.is !== undefined) {
        const { lastIncludedIndex, lastIncludedTerm } = rpc.is;
        if (!stale && s.log.get(lastIncludedIndex)?.term !== lastIncludedTerm) {
          s.log.forgetFrom(0);
          from = 0;
        }
        s.commitKnown = Math.max(s.commitKnown, lastIncludedIndex);
        s.installedAt = this.#c.ctx.now();
      }
      s.epoch += 1;
      s.mayChange(s.epoch, from);
      s.inFlight.add(rpc);
    }
    const answered = s.highestAnswered;
    rpc.delivered = {
      epoch: s.epoch,
      at: this.#c.ctx.now(),
      incarnation: s.incarnation,
      prior,
      voterLast,
      termBefore: answered !== null && answered.term > (s.highestSent?.term ?? -1) ? answered : s.highestSent,
      clean: undefined,
    };
  }

  /** Something new reaches server s: decide, for each earlier delivery, whether its handler had returned. */
  #handlerDone(rpc: Rpc, outcomeUnknown: boolean): void {
    if (rpc.done || rpc.delivered === null) return;
    rpc.done = true;
    const s = this.#servers[rpc.to];
    s.inFlight.delete(rpc);
    const pending = s.commitPending.get(rpc.id);
    if (pending !== undefined && outcomeUnknown) s.commitKnown = Math.max(s.commitKnown, pending);
    if (outcomeUnknown) s.commitPending.delete(rpc.id);
  }

  // --- replies: what the receiver did ---------------------------------------------------------------

  #replied(rpc: Rpc, reply: unknown): void {
    const d = rpc.delivered;
    if (d === null || this.#violation !== null) return;
    const s = this.#servers[rpc.to];
    const current = d.incarnation === s.incarnation;
    const clean = current && (d.clean ?? true);
    if (rpc.ae !== undefined) {
      const r = readReply(reply, 'success');
      const pending = s.commitPending.get(rpc.id);
      s.commitPending.delete(rpc.id);
      if (r === null) {
        this.#commitReadable = false;
        return;
      }
      rpc.outcome = { ok: r.ok, term: r.term, at: this.#c.ctx.now() };
      this.#answered(rpc, r.term, d);
      if (!r.ok) return this.#refused(rpc, rpc.ae, r.term, d, clean);
      if (pending !== undefined) s.commitKnown = Math.max(s.commitKnown, pending);
      this.#accepted(rpc, rpc.ae, r.term, d, clean, current ? s.unchangedBelow(d.epoch) : 0);
    } else if (rpc.rv !== undefined) {
      const r = readReply(reply, 'voteGranted');
      if (r === null) {
        this.#votesReadable = false;
        return;
      }
      rpc.outcome = { ok: r.ok, term: r.term, at: this.#c.ctx.now() };
      this.#answered(rpc, r.term, d);
      if (r.ok) this.#granted(rpc, r.term, d, clean);
    }
  }

  /**
   * A reply came back with the receiver's term: from now on an RPC of an older term reaching it must be
   * refused (its handler returned before the reply left). Counted from the delivery, so that a restart
   * in between (the term must have been saved before the reply left) reads as [P.1].
   */
  #answered(rpc: Rpc, term: number | null, d: NonNullable<Rpc['delivered']>): void {
    const s = this.#servers[rpc.to];
    if (term === null || term <= (s.highestAnswered?.term ?? -1)) return;
    const { id, method, from, to } = rpc;
    s.highestAnswered = {
      term,
      source: { rpc: id, method, from, to, term: rpc.term, at: d.at, how: 'answered' },
    };
  }

  /** [AE.1] [RV.1] a server that already moved past the RPC's term must refuse it. */
  #checkTerm(rpc: Rpc, replyTerm: number | null, d: NonNullable<Rpc['delivered']>, rule: string): void {
    const what = rpc.method === 'AppendEntries' ? 'accepted' : 'granted';
    if (replyTerm !== null && replyTerm > rpc.term) {
      return this.#fail(
        rpc,
        M.olderTermAccepted(rpc.to, what, rpc.term, rule, { term: replyTerm, source: null }, false),
      );
    }
    const before = d.termBefore;
    if (before === null || before.term <= rpc.term) return;
    const restarted = this.#servers[rpc.to].restartsSince(before.source.at);
    this.#fail(rpc, M.olderTermAccepted(rpc.to, what, rpc.term, rule, before, restarted));
  }

  #accepted(
    rpc: Rpc,
    ae: AppendEntriesView,
    replyTerm: number | null,
    d: NonNullable<Rpc['delivered']>,
    clean: boolean,
    unchangedBelow: number,
  ): void {
    this.#checkTerm(rpc, replyTerm, d, '[AE.1]');
    if (this.#violation !== null) return;
    const f = rpc.to;
    const { prevLogIndex: p, prevLogTerm, terms } = ae;
    if (clean && d.prior !== undefined && d.prior.term !== prevLogTerm) {
      return this.#fail(rpc, M.acceptedMismatch(f, p, prevLogTerm, d.prior));
    }
    const s = this.#servers[f];
    // What it acknowledged, except where something that reached it since may have changed its log, and
    // except where a fact says otherwise (which came last is not known).
    let source: Source | null = null;
    for (let k = -1; k < terms.length && p + 1 + k < unchangedBelow; k++) {
      if (s.log.get(p + 1 + k) !== undefined) continue;
      s.log.set(p + 1 + k, k < 0 ? prevLogTerm : terms[k], (source ??= this.#source(rpc, 'acknowledged')));
    }
    if (typeof rpc.from !== 'number' || (replyTerm !== null && replyTerm !== rpc.term)) return;
    const lead = this.#leaders.get(rpc.term);
    if (lead === undefined || lead.server !== rpc.from) return;
    const match = p + ae.count;
    if (match <= (lead.acks.get(f) ?? -1)) return;
    lead.acks.set(f, match);
    source ??= this.#source(rpc, 'acknowledged');
    lead.lastAck = source;
    if (match > lead.derived) this.#derive(lead, rpc.term, source);
  }

  /**
   * A follower refusing, in the RPC's own term, an AppendEntries whose previous entry it holds: it lost
   * or cut an entry it acknowledged, though nothing that conflicts reached it ([AE.3] cuts only at a
   * conflict; a late, shorter AppendEntries of the same leader cuts nothing).
   */
  #refused(
    rpc: Rpc,
    ae: AppendEntriesView,
    replyTerm: number | null,
    d: NonNullable<Rpc['delivered']>,
    clean: boolean,
  ): void {
    const prior = d.prior;
    if (this.#c.compacts || !clean || replyTerm !== rpc.term || prior === undefined) return;
    if (prior.term !== ae.prevLogTerm || prior.source.how !== 'acknowledged' || prior.source.to !== rpc.to)
      return;
    const restarted = this.#servers[rpc.to].restartsSince(prior.source.at);
    this.#fail(rpc, M.refusedMatching(rpc.to, rpc.term, ae.prevLogIndex, ae.prevLogTerm, prior, restarted));
  }

  #derive(lead: Leadership, term: number, source: Source): void {
    if (!this.#commitReadable) return;
    const violation = derive(lead, term, source, this.#servers[lead.server], this.#committed, this.#c.voters);
    if (violation !== null) this.#fail(null, violation);
  }

  /** A vote granted: once per term [RV.2], never for an older term [RV.1], never to a log behind [RV.2]. */
  #granted(rpc: Rpc, replyTerm: number | null, d: NonNullable<Rpc['delivered']>, clean: boolean): void {
    this.#checkTerm(rpc, replyTerm, d, '[RV.1]');
    if (this.#violation !== null || typeof rpc.from !== 'number') return;
    const voter = rpc.to;
    const candidate = rpc.from;
    const votes = this.#votes.get(rpc.term) ?? new Map<number, { candidate: number; source: Source }>();
    this.#votes.set(rpc.term, votes);
    const earlier = votes.get(voter);
    if (earlier !== undefined && earlier.candidate !== candidate) {
      const restarted = this.#servers[voter].restartsSince(earlier.source.at);
      return this.#fail(rpc, M.doubleVote(voter, rpc.term, earlier, candidate, restarted));
    }
    votes.set(voter, { candidate, source: this.#source(rpc, 'acknowledged') });
    const last = d.voterLast;
    const lastLog = rpc.rv?.lastLog;
    if (!clean || last === null || lastLog == null) return;
    const behind =
      lastLog.term < last.fact.term || (lastLog.term === last.fact.term && lastLog.index < last.index);
    if (!behind) return;
    const s = this.#servers[voter];
    const lost = s.restartsSince(last.fact.source.at)
      ? '[P.1]'
      : s.installedAt >= last.fact.source.at
        ? '[IS.6]'
        : null;
    this.#fail(rpc, M.voteForBehind(voter, lastLog, last, lost));
  }

  // --- applyCh ----------------------------------------------------------------------------------------

  /**
   * Server i applied `command` at `index` (the Raft tester's appliers report it; the KV tester cannot see
   * applyCh). Its indices are compared with the wire's only once a few applies showed they are the same.
   */
  applied(i: number, index: number, command: unknown): void {
    if (this.#off || this.#violation !== null || this.#misaligned) return;
    if (this.#c.voters === null || this.#c.voters < 2) return;
    if (!this.#commitReadable) return;
    if (this.#aligned < ALIGNED_APPLIES) {
      const e = this.#entries;
      if (e.holds(index, command)) this.#aligned += 1;
      else if (e.all(index).length > 0 || e.holds(index - 1, command) || e.holds(index + 1, command))
        this.#misaligned = true;
      return;
    }
    const committed = this.#committed.get(index);
    const entry = committed === undefined ? undefined : this.#entries.get(index, committed.term);
    if (committed !== undefined && entry !== undefined && !sameValue(entryCommand(entry.entry), command)) {
      return this.#fail(null, M.appliedOther(i, index, command, entryCommand(entry.entry), committed));
    }
    const allowed = this.#servers[i].mayCommit();
    if (index > allowed)
      this.#fail(null, this.#countedEarlierTerm(i, index) ?? M.appliedUncommitted(i, index, allowed));
  }

  /**
   * [L.4] Figure 8, for a server that applied beyond what the wire lets it know committed: if it led a
   * term in which a majority acknowledged that index, but its entry there is of an earlier term, it
   * committed that entry by counting replicas. Its own apply is the first sign (it applies before any
   * AppendEntries carries the new leaderCommit), so the apply check names the rule broken upstream.
   */
  #countedEarlierTerm(i: number, index: number): M.Violation | null {
    let led: { term: number; lead: Leadership } | null = null;
    for (const [term, lead] of this.#leaders) {
      if (lead.server === i && (led === null || term > led.term)) led = { term, lead };
    }
    if (led === null) return null;
    const { term, lead } = led;
    const m = majorityAck(lead, this.#c.voters);
    if (m === null || index > m) return null;
    // Its entry at `index` is of an earlier term if one at or after it (up to m) is: terms never decrease
    // along a log. An entry of its own term up to m would have let it commit: then this is not Figure 8.
    const log = this.#servers[i].log;
    let held: { index: number; term: number } | null = null;
    for (let j = index; j <= m; j++) {
      const t = log.get(j)?.term;
      if (t === undefined) continue;
      if (t >= term) return null;
      held ??= { index: j, term: t };
    }
    if (held === null) return null;
    return M.countedEarlierTerm(i, term, index, held, describeAcks(lead));
  }

  // --- the report ------------------------------------------------------------------------------------

  #fail(rpc: Rpc | null, { property, rule, what }: M.Violation): void {
    if (this.#violation !== null) return;
    const at = formatVirtual(this.#c.ctx.now());
    const where = rpc === null ? '' : ` on ${describeRpc(rpc)}`;
    const message = `${property} violated ${rule} at ${at}${where}: ${what}`;
    this.#violation = message;
    this.#c.ctx.trace.record('monitor', { property, rule, rpc: rpc?.id ?? null, msg: message });
    this.#c.ctx.fail(new LabCheckFailure(`invariant monitor: ${message}`));
  }
}

/** A leader's acknowledgements, for a message: "S1 up to 4, S2 up to 4". */
function describeAcks(lead: Leadership): string {
  return [...lead.acks].map(([f, at]) => `S${f} up to ${at}`).join(', ') || 'none';
}
