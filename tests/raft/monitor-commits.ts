/**
 * The commit rule as the invariant monitor derives it from the wire (invariant-monitor.ts): in a
 * leader's term, an index a majority acknowledged (the leader counts itself) is committed if the
 * leader's entry there is of its own term (Figure 8), and so is every entry before it. Indexes whose
 * term the wire never showed are skipped, and an unknown term at the majority's index commits nothing
 * (the leader may still commit: it is allowed to, unseen).
 */
import type { CommittedEntries, Source } from './log-knowledge';
import { committedTwice, type Violation } from './monitor-messages';
import type { ServerState } from './monitor-rpc';

/** One leader's term, as the wire showed it. */
export interface Leadership {
  server: number;
  source: Source;
  /** follower → the highest index it acknowledged in this term. */
  acks: Map<number, number>;
  /** The highest index known committed by this leader's acknowledgements. */
  derived: number;
  /** The last acknowledgement it received. */
  lastAck: Source | null;
}

/**
 * The highest index a majority (the leader included) acknowledged in the leader's term, if any (only
 * acknowledgements beyond `above` are counted: null if no index beyond it has a majority).
 */
export function majorityAck(lead: Leadership, voters: number | null, above = -1): number | null {
  if (voters === null || voters < 2) return null;
  const majority = Math.floor(voters / 2) + 1;
  const acked: number[] = [];
  for (const [f, at] of lead.acks) if (f !== lead.server && at > above) acked.push(at);
  if (acked.length < majority - 1) return null;
  acked.sort((a, b) => b - a);
  return acked[majority - 2];
}

/**
 * Record what `lead`'s acknowledgements commit (`s` is the leader's server state): a violation if an
 * index turns out committed with two different terms.
 */
export function derive(
  lead: Leadership,
  term: number,
  source: Source,
  s: ServerState,
  committed: CommittedEntries,
  voters: number | null,
): Violation | null {
  const m = majorityAck(lead, voters, lead.derived);
  if (m === null) return null;
  const termAtM = s.log.get(m)?.term;
  if (termAtM === undefined) {
    // Its entry there is unknown (a fact forgotten): it may commit up to m; nothing is recorded.
    s.commitKnown = Math.max(s.commitKnown, m);
    return null;
  }
  if (termAtM !== term) return null;
  for (let j = m; j > lead.derived; j--) {
    const fact = s.log.get(j);
    if (fact === undefined) continue;
    const before = committed.get(j);
    if (before === undefined) committed.set(j, { term: fact.term, commitTerm: term, source });
    else if (before.term !== fact.term) return committedTwice(j, before, fact.term, term, source);
  }
  lead.derived = m;
  s.commitKnown = Math.max(s.commitKnown, m);
  return null;
}
