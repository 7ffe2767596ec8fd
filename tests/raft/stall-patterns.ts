/**
 * Stall explanations: when a liveness check fails (one(), checkOneLeader, wait), the RPCs of the last
 * few seconds, as the invariant monitor read them off the wire, are matched against the classic ways a
 * Raft cluster stops making progress. Each pattern names its rule; the first that matches, most specific
 * first, goes into the failure's first line (`— why: …`), the others under it.
 *
 *   [L.3b] slow backtracking     a leader's prevLogIndex walks back one entry per refused AppendEntries
 *   [L.3b] stuck                 AppendEntries refused again and again at the same prevLogIndex
 *   [C.1]  no self-vote          a candidate one vote short of a majority never leads
 *   [All.2] stale votedFor       voters refuse a candidate in a term they granted no one (empty logs)
 *   [RV.2] no vote granted       no server grants any vote, though the voters refusing are not candidates
 *          / [All.2]             themselves (named [All.2] first when they answer in an older term)
 *   [F.2]  refusal resets timer  voters ahead of the candidates refuse them again and again and do not
 *                                stand themselves for 2.5 s (counted up to their own election, if any):
 *                                refusing a vote, or its newer term, restarted their election timers
 *   [F.2]  split votes           elections keep failing, the refusals coming from rival candidates
 *   [C.4]  no new election       no leader, and no one asks for votes any more
 *   [L.1]  slow heartbeats       followers start elections between a live leader's heartbeats
 *   [L.1]  RPC rate              AppendEntries far above the 10 heartbeats a second the lab allows
 *
 * Pure functions of the RPC list: the unit tests (stall-patterns.test.ts) feed them planted schedules.
 */
import type { Rpc } from './monitor-rpc';

/** The window the patterns read: a few election timeouts. */
export const STALL_WINDOW_MS = 3000;
/** Refusals in a row that make a pattern (fewer is an ordinary catch-up). */
const REFUSALS = 5;
/** AppendEntries per second to one follower beyond which the rate is a finding (10 heartbeats + work). */
const AE_RATE_LIMIT = 100;

export interface StallContext {
  /** Virtual ms now. */
  now: number;
  /** Voters (null if membership may change: majority patterns are skipped). */
  voters: number | null;
}

type Pattern = (rpcs: readonly Rpc[], ctx: StallContext) => string | null;

const S = (x: number | string): string => (typeof x === 'number' ? `S${x}` : x);

/** AppendEntries per (leader, follower, term), oldest first. */
function streams(rpcs: readonly Rpc[]): Rpc[][] {
  const by = new Map<string, Rpc[]>();
  for (const rpc of rpcs) {
    if (rpc.ae === undefined) continue;
    const key = `${String(rpc.from)}>${rpc.to}@${rpc.term}`;
    const list = by.get(key);
    if (list === undefined) by.set(key, [rpc]);
    else list.push(rpc);
  }
  return [...by.values()];
}

/** The refused AppendEntries of a stream, in order, from its last success on. */
function refusalsSinceSuccess(stream: readonly Rpc[]): Rpc[] {
  const answered = stream.filter((rpc) => rpc.outcome !== undefined);
  const lastOk = answered.map((rpc) => rpc.outcome?.ok).lastIndexOf(true);
  return answered.slice(lastOk + 1);
}

const slowBacktracking: Pattern = (rpcs) => {
  for (const stream of streams(rpcs)) {
    const refused = refusalsSinceSuccess(stream);
    // The longest run of refusals whose prevLogIndex drops by exactly one each time (repeats allowed).
    let best = { from: 0, to: 0, steps: 0 };
    let run = { from: 0, steps: 0 };
    for (let k = 1; k < refused.length; k++) {
      const step = (refused[k - 1].ae?.prevLogIndex ?? 0) - (refused[k].ae?.prevLogIndex ?? 0);
      if (step === 1) run.steps += 1;
      else if (step !== 0) run = { from: k, steps: 0 };
      if (run.steps > best.steps) best = { from: run.from, to: k, steps: run.steps };
    }
    if (best.steps < REFUSALS * 2) continue;
    const first = refused[best.from];
    const last = refused[best.to];
    return (
      `[L.3b] slow backtracking: ${S(last.from)}'s AppendEntries to S${last.to} (T${last.term}) were refused ` +
      `${best.to - best.from + 1} times in a row, prevLogIndex walking back one entry per round trip ` +
      `(${first.ae?.prevLogIndex} → ${last.ae?.prevLogIndex}). With fast backtracking ([beyond Fig. 2]) the ` +
      "refusal says where the follower's conflicting term starts (or where its log ends) and the leader " +
      'skips it in one step.'
    );
  }
  return null;
};

const stuckIndex: Pattern = (rpcs) => {
  for (const stream of streams(rpcs)) {
    const refused = refusalsSinceSuccess(stream);
    if (refused.length < REFUSALS) continue;
    const last = refused[refused.length - 1];
    const at = last.ae?.prevLogIndex;
    const same = refused.filter((rpc) => rpc.ae?.prevLogIndex === at).length;
    if (same < REFUSALS) continue;
    return (
      `[L.3b] ${S(last.from)}'s AppendEntries to S${last.to} (T${last.term}) were refused ${same} times at ` +
      `prevLogIndex ${at}, never accepted: on a refusal the leader must move nextIndex back (by one, or by the ` +
      "follower's hint) and retry, or the follower never catches up."
    );
  }
  return null;
};

interface Election {
  candidate: number;
  term: number;
  asked: number;
  granted: Set<number>;
  refusedBy: Rpc[];
  at: number;
}

function elections(rpcs: readonly Rpc[]): Election[] {
  const by = new Map<string, Election>();
  for (const rpc of rpcs) {
    if (rpc.rv === undefined || typeof rpc.from !== 'number') continue;
    const key = `${rpc.from}@${rpc.term}`;
    let e = by.get(key);
    if (e === undefined) {
      e = { candidate: rpc.from, term: rpc.term, asked: 0, granted: new Set(), refusedBy: [], at: rpc.at };
      by.set(key, e);
    }
    e.asked += 1;
    if (rpc.outcome?.ok === true && rpc.to !== rpc.from) e.granted.add(rpc.to);
    if (rpc.outcome?.ok === false) e.refusedBy.push(rpc);
  }
  return [...by.values()];
}

const leadersIn = (rpcs: readonly Rpc[]): Set<string> =>
  new Set(
    rpcs.filter((r) => r.ae !== undefined || r.is !== undefined).map((r) => `${String(r.from)}@${r.term}`),
  );

const noSelfVote: Pattern = (rpcs, { voters, now }) => {
  if (voters === null) return null;
  const led = leadersIn(rpcs);
  const majority = Math.floor(voters / 2) + 1;
  // (An election of the last second may just not have sent its first AppendEntries yet.)
  const e = elections(rpcs).find(
    (x) => x.granted.size === majority - 1 && !led.has(`${x.candidate}@${x.term}`) && x.at < now - 1000,
  );
  if (e === undefined) return null;
  const by = [...e.granted].map((v) => `S${v}`).join(', ');
  return (
    `[C.1] S${e.candidate} got the votes of ${by} in T${e.term}, with its own a majority of ${voters}, but ` +
    'never acted as leader: does a candidate vote for itself, and count that vote?'
  );
};

/** Whether `a` (index, term) is behind `b`: Figure 2's "at least as up-to-date" fails. */
function behind(a: { index: number; term: number }, b: { index: number; term: number }): boolean {
  return a.term !== b.term ? a.term < b.term : a.index < b.index;
}

/**
 * Whether a RequestVote's candidate was behind the voter's log when it arrived, by what the monitor knew
 * of that log then (entries the voter sent or acknowledged). Sound: the voter's real last entry is at
 * least as far on, in index and in term, as the last one known.
 */
function behindVoter(r: Rpc): boolean {
  const known = r.delivered?.voterLast ?? null;
  if (r.rv?.lastLog === undefined || r.rv.lastLog === null || known === null) return false;
  return behind(r.rv.lastLog, { index: known.index, term: known.fact.term });
}

/**
 * Refused RequestVotes that a split vote or an up-to-date check does not explain: the voter was not a
 * rival candidate of that term when it refused (it was no candidate in it, or it answered from an older
 * term, which [All.2] forbids anyway), and the candidate's log was not behind the last one the voter
 * advertised.
 */
function unexplainedRefusals(rpcs: readonly Rpc[]): Rpc[] {
  const candidates = new Set(
    rpcs.filter((r) => r.rv !== undefined).map((r) => `${String(r.from)}@${r.term}`),
  );
  const advertised = new Map<number | string, { index: number; term: number }>();
  const out: Rpc[] = [];
  for (const r of rpcs) {
    if (r.rv === undefined) continue;
    if (r.rv.lastLog !== null) advertised.set(r.from, r.rv.lastLog);
    if (r.outcome?.ok !== false) continue;
    if (candidates.has(`${r.to}@${r.term}`) && r.outcome.term === r.term) continue; // a rival's refusal
    const voterLog = advertised.get(r.to);
    if (voterLog !== undefined && (r.rv.lastLog === null || behind(r.rv.lastLog, voterLog))) continue;
    if (behindVoter(r)) continue;
    out.push(r);
  }
  return out;
}

const noVoteGranted: Pattern = (rpcs) => {
  const votes = rpcs.filter((r) => r.rv !== undefined && r.outcome !== undefined);
  if (votes.some((r) => r.outcome?.ok === true)) return null;
  const odd = unexplainedRefusals(rpcs);
  if (odd.length < 3 || elections(rpcs).length < 3) return null;
  const older = odd.filter((r) => r.outcome?.term !== null && (r.outcome?.term ?? 0) < r.term);
  const last = (older.length * 2 > odd.length ? older : odd).at(-1) as Rpc;
  const example = `S${last.to} refused S${String(last.from)}'s T${last.term} request${older.includes(last) ? `, answering in T${last.outcome?.term}` : ''}`;
  const count = `no vote was granted in the last ${STALL_WINDOW_MS / 1000} s: ${odd.length} RequestVotes refused by servers that were no rival candidates in that term when they answered, to candidates whose logs were not behind theirs (e.g. ${example})`;
  if (older.length * 2 > odd.length) {
    return (
      `[All.2] ${count}: a server that receives a RequestVote with a newer term must move to that term ` +
      '(currentTerm = T, votedFor = null) before it decides, and then grant [RV.2].'
    );
  }
  return (
    `[RV.2] ${count}: grant the vote when votedFor is null or the candidate and the candidate's log is at ` +
    'least as up-to-date as ours, and reset votedFor whenever the term moves on [All.2].'
  );
};

const staleVotedFor: Pattern = (rpcs) => {
  const sentRv = new Set(rpcs.filter((r) => r.rv !== undefined).map((r) => `${String(r.from)}@${r.term}`));
  const granted = new Set(
    rpcs.filter((r) => r.rv !== undefined && r.outcome?.ok === true).map((r) => `${r.to}@${r.term}`),
  );
  const odd = rpcs.filter(
    (r) =>
      r.rv !== undefined &&
      r.outcome?.ok === false &&
      r.outcome.term === r.term &&
      !sentRv.has(`${r.to}@${r.term}`) &&
      !granted.has(`${r.to}@${r.term}`) &&
      (r.rv.lastLog === null || (r.rv.lastLog.index === 0 && r.rv.lastLog.term === 0)),
  );
  if (odd.length < 3) return null;
  const last = odd[odd.length - 1];
  return (
    `[All.2] ${odd.length} votes refused by servers that granted no one in that term and asked no votes ` +
    `themselves (e.g. S${last.to} refused S${String(last.from)} in T${last.term}, with both logs empty): ` +
    'when a server moves to a newer term it must reset votedFor, or it keeps refusing everyone; and it ' +
    "grants a candidate when votedFor is null or the candidate and the candidate's log is up to date [RV.2]."
  );
};

/** Refusals (in a row, over at least this long) after which a correct voter would have stood itself. */
const REFUSED_SPAN_MS = 2500;

/**
 * A stretch of a voter's refusals that nothing on the wire explains its waiting through: between its
 * first right refusal and `until` (its own next election, or its last refusal), in one incarnation, it
 * asked no votes, granted none, led no one and no leader's AppendEntries or InstallSnapshot reached it.
 */
interface QuietStretch {
  voter: number;
  refused: Rpc[];
  /** When the stretch ends: the voter's own next RequestVote, or its last refusal. */
  until: number;
  /** The election the voter finally held, if it ends the stretch. */
  stood: Rpc[];
}

/**
 * The voter's own election may end a stretch only this soon after its last refusal: sooner than a restart
 * (which starts the timer afresh, and which the wire may not show) plus an election timeout.
 */
const STOOD_WITHIN_MS = 1000;

/** The longest quiet stretch of `voter`'s right refusals (`refused`, in order), or null. */
function longestQuiet(rpcs: readonly Rpc[], voter: number, refused: readonly Rpc[]): QuietStretch | null {
  // What restarts (or stops) a correct voter's election timer, as the wire shows it: its own election
  // (sent, reached anyone or not), a vote it granted, leading (AppendEntries or InstallSnapshot it sent),
  // or a leader's reaching it (in any term: a sloppy but harmless reset is not this finding).
  const resets = rpcs.filter(
    (r) =>
      (r.rv !== undefined && r.from === voter) ||
      (r.rv !== undefined && r.to === voter && r.outcome?.ok === true) ||
      ((r.ae !== undefined || r.is !== undefined) &&
        (r.from === voter || (r.to === voter && r.delivered !== null))),
  );
  let best: QuietStretch | null = null;
  for (let k = 0, j = 0; k < refused.length; k = j) {
    const first = refused[k];
    const incarnation = first.delivered?.incarnation;
    // The first reset at or after the stretch's first refusal ends it; so does a restart.
    const reset = resets.find((r) => r.at >= first.at);
    j = k + 1;
    while (
      j < refused.length &&
      (reset === undefined || refused[j].at < reset.at) &&
      refused[j].delivered?.incarnation === incarnation
    )
      j++;
    const stretch = refused.slice(k, j);
    const last = stretch[stretch.length - 1];
    const own =
      reset?.rv !== undefined &&
      reset.from === voter &&
      reset.at - last.at <= STOOD_WITHIN_MS &&
      (j === refused.length || refused[j].at >= reset.at)
        ? reset
        : undefined;
    const until = own?.at ?? last.at;
    if (stretch.length < 3 || (best !== null && until - first.at <= best.until - best.refused[0].at))
      continue;
    const stood =
      own === undefined
        ? []
        : rpcs.filter((r) => r.rv !== undefined && r.from === voter && r.term === own.term);
    best = { voter, refused: stretch, until, stood };
  }
  return best;
}

const secs = (ms: number): string => `${(ms / 1000).toFixed(3)} s`;

/** "S2, S3" from RPC senders. */
const senders = (rpcs: readonly Rpc[]): string => [...new Set(rpcs.map((r) => S(r.from)))].sort().join(', ');

/**
 * A voter whose log is ahead of the candidates' refuses them, rightly, but restarts its election timer
 * each time (on the refusal, or on the newer term each request brings), so the servers that could win
 * wait while the ones that cannot keep asking: elections fail for seconds and the refusing voter does not
 * stand, though nothing on the wire (a leader heard, a vote granted) gave it cause to wait. A correct
 * voter's timer runs on from the last leader it heard or vote it granted, so within one election timeout
 * it asks for votes itself (and wins). The stall may just have ended (the voter's timer at last beat the
 * candidates' next request): the stretch counts up to the voter's own election.
 */
const refusalResetsTimer: Pattern = (rpcs, { voters }) => {
  // (When membership may change, a server outside its own configuration rightly never stands [M.9], and
  // the candidates of an older configuration may still ask it: the wire does not say which it is.)
  if (voters === null) return null;
  const byVoter = new Map<number, Rpc[]>();
  for (const r of rpcs) {
    if (r.rv === undefined || r.outcome?.ok !== false || r.outcome.term !== r.term || !behindVoter(r))
      continue;
    byVoter.set(r.to, [...(byVoter.get(r.to) ?? []), r]);
  }
  const stuck: QuietStretch[] = [];
  for (const [voter, refused] of byVoter) {
    const quiet = longestQuiet(rpcs, voter, refused);
    if (quiet !== null && quiet.until - quiet.refused[0].at >= REFUSED_SPAN_MS) stuck.push(quiet);
  }
  if (stuck.length === 0) return null;
  const who = stuck.map((x) => `S${x.voter}`).join(', ');
  const one = stuck.length === 1;
  const all = stuck.flatMap((x) => x.refused);
  const since = Math.min(...all.map((r) => r.at));
  const lastRefusal = Math.max(...all.map((r) => r.at));
  const low = Math.min(...all.map((r) => r.term));
  const high = Math.max(...all.map((r) => r.term));
  const elections = new Set(all.map((r) => `${String(r.from)}@${r.term}`)).size;
  // (How fast the terms climb: a voter whose timer restarts on every newer term never gets to stand.)
  const pace =
    high > low ? `: a newer term every ${((lastRefusal - since) / (high - low) / 1000).toFixed(2)} s` : '';
  const e = stuck[0].refused.at(-1) as Rpc;
  const log = e.delivered?.voterLast;
  const waited = Math.min(...stuck.map((x) => x.until - x.refused[0].at));
  const ends = stuck
    .filter((x) => x.stood.length > 0)
    .map((x) => {
      const granted = new Set(
        x.stood.filter((r) => r.outcome?.ok === true && r.to !== x.voter).map((r) => r.to),
      );
      const won = granted.size + 1 > voters / 2;
      return (
        `${one ? 'it' : `S${x.voter}`} stood only at ${secs(x.until)} (T${x.stood[0].term})` +
        (won
          ? `, and won at once (${granted.size + 1} of ${voters} votes): the votes were there all along`
          : '')
      );
    });
  return (
    `[F.2] a refused vote (or a newer term) restarts the election timer: ${who} refused ${all.length} ` +
    `RequestVotes from ${senders(all)} between ${secs(since)} and ${secs(lastRefusal)} (${elections} ` +
    `election${elections === 1 ? '' : 's'}, T${low}–T${high}${pace}), rightly: the candidates' logs were ` +
    `behind (S${e.to} holds index ${log?.index} of T${log?.fact.term}; S${String(e.from)} asked in ` +
    `T${e.term} with index ${e.rv?.lastLog?.index} of T${e.rv?.lastLog?.term}). Yet for ` +
    `${(waited / 1000).toFixed(2)} s ${who} never stood for election, though no leader reached ` +
    `${one ? 'it' : 'them'} and ${one ? 'it' : 'they'} granted no vote` +
    `${ends.length > 0 ? `; ${ends.join('; ')}` : ''}. A follower restarts its election timer only ` +
    'when it grants a vote or hears from the current leader (Figure 2, Followers), not when it refuses a ' +
    'vote or merely moves to a newer term; otherwise the servers that could win keep waiting while the ' +
    'ones that cannot keep asking.'
  );
};

const splitVotes: Pattern = (rpcs, { voters, now }) => {
  if (voters === null) return null;
  const led = leadersIn(rpcs);
  const terms = new Map<number, Election[]>();
  for (const e of elections(rpcs)) terms.set(e.term, [...(terms.get(e.term) ?? []), e]);
  const failed = [...terms].filter(
    ([term, es]) => es.length > 1 && !es.some((e) => led.has(`${e.candidate}@${term}`)),
  );
  if (failed.length < 3 || rpcs.some((r) => r.ae !== undefined && r.at > now - 1000)) return null;
  // A split vote is candidates refusing each other; refusals from servers that were no candidates say
  // something else is wrong (noVoteGranted, staleVotedFor).
  if (unexplainedRefusals(rpcs).length >= 3) return null;
  const spreads = failed.map(([, es]) => Math.max(...es.map((e) => e.at)) - Math.min(...es.map((e) => e.at)));
  const most = Math.max(...failed.flatMap(([, es]) => es.map((e) => e.granted.size + 1)));
  const perTerm = failed.reduce((sum, [, es]) => sum + es.length, 0) / failed.length;
  return (
    `[F.2] split votes: ${failed.length} elections in the last ${STALL_WINDOW_MS / 1000} s elected no one, ` +
    `${perTerm.toFixed(1)} candidates per term, the best got ${most} of ${voters} votes, and candidates of one ` +
    `term started within ${Math.max(...spreads)} ms of each other: election timeouts must be random (e.g. ` +
    '300–600 ms, drawn again for every wait) so that one candidate usually starts well before the others.'
  );
};

const noNewElection: Pattern = (rpcs, { now }) => {
  // (A leader cut off from everyone may still send: only RPCs that reached someone count.)
  if (rpcs.some((r) => r.at > now - 2000 && r.delivered !== null)) return null;
  const last = rpcs.filter((r) => r.rv !== undefined).pop();
  const since =
    last === undefined
      ? `in the last ${STALL_WINDOW_MS / 1000} s`
      : `since ${(last.at / 1000).toFixed(3)} s (S${String(last.from)}, T${last.term})`;
  return (
    `[C.4] no leader, and no server others can reach asked for votes ${since}: a candidate whose ` +
    'election fails must start a new one when its election timeout elapses again, with a new term.'
  );
};

const slowHeartbeats: Pattern = (rpcs) => {
  for (const stream of streams(rpcs)) {
    if (stream.length < 3) continue;
    const gaps = stream
      .slice(1)
      .map((rpc, k) => rpc.at - stream[k].at)
      .sort((a, b) => a - b);
    const median = gaps[Math.floor(gaps.length / 2)];
    const leader = stream[0].from;
    const term = stream[0].term;
    const challenger = rpcs.find(
      (r) => r.rv !== undefined && r.from === stream[0].to && r.term > term && r.at > stream[0].at,
    );
    if (median < 300 || challenger === undefined) continue;
    return (
      `[L.1] ${S(leader)} (T${term}) sends AppendEntries to S${stream[0].to} every ${median} ms or so, and S${stream[0].to} ` +
      `started an election (T${challenger.term}) between two of them: heartbeats must come well within the ` +
      'shortest election timeout (the lab allows up to 10 a second: every 100–150 ms).'
    );
  }
  return null;
};

const rpcRate: Pattern = (rpcs) => {
  if (rpcs.length === 0) return null;
  const span = Math.max(1, rpcs[rpcs.length - 1].at - rpcs[0].at) / 1000;
  for (const stream of streams(rpcs)) {
    const rate = stream.length / span;
    if (rate <= AE_RATE_LIMIT || span < 0.5) continue;
    return (
      `[L.1] ${S(stream[0].from)} sends about ${Math.round(rate)} AppendEntries a second to S${stream[0].to} ` +
      `(T${stream[0].term}): send heartbeats on a timer (at most 10 a second) and entries when start() adds ` +
      'some, not in a loop without a pause.'
    );
  }
  return null;
};

/** Most specific first. */
const PATTERNS: readonly Pattern[] = [
  slowBacktracking,
  stuckIndex,
  noSelfVote,
  staleVotedFor,
  refusalResetsTimer,
  noVoteGranted,
  splitVotes,
  noNewElection,
  slowHeartbeats,
  rpcRate,
];

/** Every pattern the recent RPCs match, most specific first (empty if none does). */
export function explainStall(rpcs: readonly Rpc[], ctx: StallContext): string[] {
  const found: string[] = [];
  for (const pattern of PATTERNS) {
    const text = pattern(rpcs, ctx);
    if (text !== null) found.push(text);
  }
  return found;
}
