/**
 * Who was leader, candidate or follower, in which term, over the run — for any implementation, since a
 * student's Raft logs nothing we could rely on. Two sources:
 *
 * - The peer's own debug lines, when the trace has them (the reference logs "T5 became leader (…)",
 *   "T5 became candidate (…)", "T5 became follower (…)", "T5 new term (…)", topic `role`/`term`). If any
 *   peer logs role changes, these lines alone decide roles.
 * - Otherwise, what the RPCs imply (Figure 2): a RequestVote sender is a candidate in args.term; an
 *   AppendEntries or InstallSnapshot sender is leader in args.term; a server that receives a request
 *   or a reply with a higher term is a follower in that term, and a candidate that receives an
 *   AppendEntries of its own term steps down.
 *
 * Crashes end a server's span; a restart begins it again as a follower in the last term it was seen in
 * (currentTerm is persistent state).
 */
import type { TraceEvent } from './trace-file';
import type { Role, RoleSpan, VizEvent } from './types';

interface State {
  role: Role;
  term: number;
  since: number;
  source: string;
  up: boolean;
}

const LOG_ROLE = /\bT(\d+) became (leader|candidate|follower)\b/;
const LOG_TERM = /\bT(\d+) new term\b/;

/** The term an RPC's arguments or reply carry (Go-style `Term` accepted too), or null. */
export function termOf(value: unknown): number | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as { term?: unknown; Term?: unknown };
  const term = v.term ?? v.Term;
  return typeof term === 'number' ? term : null;
}

export class RoleTracker {
  readonly spans: RoleSpan[] = [];
  readonly changes: VizEvent[] = [];
  readonly #states = new Map<number, State>();

  state(server: number): State | undefined {
    return this.#states.get(server);
  }

  #close(server: number, state: State, t: number): void {
    if (!state.up) return;
    const { role, term, since, source } = state;
    if (t > since) this.spans.push({ server, start: since, end: t, role, term, source });
  }

  /** Server `server` is `role` in `term` from time t on (nothing if that is already so). */
  set(server: number, t: number, role: Role, term: number, source: string): void {
    const state = this.#states.get(server);
    if (state !== undefined && state.up && state.role === role && state.term === term) return;
    if (state !== undefined) this.#close(server, state, t);
    this.#states.set(server, { role, term, since: t, source, up: true });
    this.changes.push({
      t,
      server,
      kind: 'role',
      text: `S${server} ${role} in T${term}`,
      detail: { role, term, source },
    });
  }

  crash(server: number, t: number): void {
    const state = this.#states.get(server);
    if (state === undefined || !state.up) return;
    this.#close(server, state, t);
    state.up = false;
  }

  start(server: number, t: number): void {
    const term = this.#states.get(server)?.term ?? 0;
    this.set(server, t, 'follower', term, 'started (currentTerm is persistent)');
  }

  finish(t: number): void {
    for (const [server, state] of this.#states) this.#close(server, state, t);
    this.spans.sort((a, b) => a.server - b.server || a.start - b.start);
  }
}

function fromLogLine(tracker: RoleTracker, e: TraceEvent): void {
  if (typeof e.server !== 'number') return;
  const msg = String(e.msg);
  const role = LOG_ROLE.exec(msg);
  if (role !== null) return tracker.set(e.server, e.t, role[2] as Role, Number(role[1]), `log: ${msg}`);
  const term = LOG_TERM.exec(msg);
  if (term !== null)
    tracker.set(e.server, e.t, tracker.state(e.server)?.role ?? 'follower', Number(term[1]), `log: ${msg}`);
}

interface Sent {
  from: number;
  to: number;
  method: string;
  term: number | null;
}

/** Figure 2's implications of one RPC event (see the header). */
function fromRpc(tracker: RoleTracker, e: TraceEvent, sent: Map<unknown, Sent>): void {
  if (e.kind === 'rpc.send') {
    if (typeof e.from !== 'number' || typeof e.to !== 'number') return;
    const s: Sent = { from: e.from, to: e.to, method: String(e.svcMeth), term: termOf(e.args) };
    sent.set(e.rpc, s);
    const cur = tracker.state(s.from);
    if (s.term === null || (cur !== undefined && s.term < cur.term)) return;
    if (s.method.endsWith('RequestVote')) {
      if (cur === undefined || s.term > cur.term || cur.role === 'follower') {
        tracker.set(s.from, e.t, 'candidate', s.term, `sent RequestVote in T${s.term}`);
      }
    } else if (/AppendEntries|InstallSnapshot/.test(s.method)) {
      tracker.set(s.from, e.t, 'leader', s.term, `sent ${s.method.split('.').pop()} in T${s.term}`);
    }
    return;
  }
  const s = sent.get(e.rpc);
  if (s === undefined) return;
  if (e.kind === 'rpc.deliver' && s.term !== null) {
    const cur = tracker.state(s.to);
    const stepDown = cur?.role === 'candidate' && s.term === cur.term && s.method.endsWith('AppendEntries');
    if (cur === undefined || s.term > cur.term || stepDown) {
      tracker.set(s.to, e.t, 'follower', s.term, `got ${s.method} from S${s.from} in T${s.term}`);
    }
  } else if (e.kind === 'rpc.reply') {
    const term = termOf(e.reply);
    const cur = tracker.state(s.from);
    if (term !== null && cur !== undefined && term > cur.term) {
      tracker.set(s.from, e.t, 'follower', term, `reply to ${s.method} from S${s.to} carried T${term}`);
    }
  }
}

/** Role spans and role-change events over a whole trace. */
export function inferRoles(events: readonly TraceEvent[], endMs: number): RoleTracker {
  const tracker = new RoleTracker();
  const useLogs = events.some((e) => e.kind === 'log' && LOG_ROLE.test(String(e.msg)));
  const sent = new Map<unknown, Sent>();
  for (const e of events) {
    if (e.kind === 'fault' && typeof e.server === 'number') {
      if (e.action === 'crash') tracker.crash(e.server, e.t);
      if (e.action === 'start') tracker.start(e.server, e.t);
    } else if (useLogs && e.kind === 'log') {
      fromLogLine(tracker, e);
    } else if (!useLogs && e.kind.startsWith('rpc.')) {
      fromRpc(tracker, e, sent);
    }
  }
  tracker.finish(endMs);
  return tracker;
}
