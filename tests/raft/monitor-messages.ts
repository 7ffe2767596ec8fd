/**
 * What the invariant monitor says when it finds a violation (invariant-monitor.ts): the property, the
 * rule id (Figure 2's, Figure 3's, or the catalog's [P.1]), and a few sentences that name the servers,
 * terms, indexes and the earlier RPC that showed the contradicting fact, then the usual cause.
 */
import { formatVirtual } from '../harness';
import { describeSource, type Committed, type Fact, type Source } from './log-knowledge';
import { show } from './monitor-rpc';

export interface Violation {
  property: string;
  rule: string;
  what: string;
}

export function twoLeaders(term: number, first: number, firstSeen: Source, second: number): Violation {
  return {
    property: 'Election Safety',
    rule: 'Figure 3',
    what:
      `S${first} and S${second} both act as leader of T${term} (${describeSource(firstSeen)}). ` +
      'At most one leader per term: does each peer vote at most once per term (and remember its vote ' +
      'across a restart), and does only a leader send AppendEntries?',
  };
}

export function leaderWithoutMajority(i: number, term: number, granted: number[], voters: number): Violation {
  return {
    property: 'Election Safety',
    rule: '[C.2]',
    what:
      `S${i} acts as leader of T${term} with the votes of ${granted.map((v) => `S${v}`).join(', ')} only ` +
      `(${granted.length} of ${voters}; no other vote for it in T${term} came back on the network): a ` +
      'candidate needs votes from a majority, itself included, each granted to its RequestVote of this term.',
  };
}

export function doubleVote(
  voter: number,
  term: number,
  earlier: { candidate: number; source: Source },
  candidate: number,
  restarted: boolean,
): Violation {
  const { method, rpc, at } = earlier.source;
  return {
    property: 'Election Safety',
    rule: restarted ? '[P.1]' : '[RV.2]',
    what:
      `S${voter} granted its vote of T${term} twice: to S${earlier.candidate} (its reply to ${method} #${rpc} ` +
      `at ${formatVirtual(at)}) and now to S${candidate}. ` +
      (restarted
        ? `S${voter} restarted in between: votedFor must be persisted before the reply leaves, and read back.`
        : 'A server votes for at most one candidate per term (votedFor is null or that candidate).'),
  };
}

/** `lost`: [P.1] if the voter restarted since the fact, [IS.6] if an InstallSnapshot reached it since. */
export function voteForBehind(
  voter: number,
  lastLog: { index: number; term: number },
  last: { index: number; fact: Fact },
  lost: '[P.1]' | '[IS.6]' | null,
): Violation {
  if (lost === '[P.1]') {
    // A peer that does not persist its log yet (every student before 2C) meets this first: lead with it.
    return {
      property: 'Leader Completeness',
      rule: lost,
      what:
        `S${voter} restarted after its log held index ${last.index} with term ${last.fact.term} ` +
        `(${describeSource(last.fact.source)}), and then granted its vote to a candidate whose log (last ` +
        `entry: index ${lastLog.index}, term ${lastLog.term}) is behind that: did it lose those entries in ` +
        'the restart? Persist the log before answering an RPC [P.1] and read it back on restart [P.2]. If ' +
        "it kept them, the vote rule is broken instead: grant only if the candidate's last term is higher, " +
        'or the same with a last index at least as high (§5.4.1) [RV.2].',
    };
  }
  const unless =
    lost === '[IS.6]'
      ? ` An InstallSnapshot reached it since: unless it dropped those entries then, though a snapshot ` +
        'whose last entry the log holds must keep the entries that follow [IS.6].'
      : '';
  return {
    property: 'Leader Completeness',
    rule: lost ?? '[RV.2]',
    what:
      `S${voter} granted its vote though the candidate's log (last entry: index ${lastLog.index}, term ` +
      `${lastLog.term}) is behind its own, which holds index ${last.index} with term ${last.fact.term} ` +
      `(${describeSource(last.fact.source)}). Grant only if the candidate's last term is higher, or the ` +
      `same with a last index at least as high (§5.4.1): else a leader may lack committed entries.${unless}`,
  };
}

export function olderTermAccepted(
  to: number,
  what: string,
  rpcTerm: number,
  rule: string,
  newer: { term: number; source: Source | null },
  restarted: boolean,
): Violation {
  if (newer.source === null) {
    return {
      property: 'terms',
      rule,
      what:
        `S${to} ${what} it while answering with its own term T${newer.term}, newer than the RPC's ` +
        `T${rpcTerm}: an RPC of an older term is refused and changes nothing.`,
    };
  }
  return {
    property: 'terms',
    rule: restarted ? '[P.1]' : rule,
    what:
      `S${to} ${what} this RPC of T${rpcTerm}, though it had already reached T${newer.term} ` +
      `(${describeSource(newer.source)}). A term never decreases` +
      (restarted
        ? `: S${to} restarted since; does it persist currentTerm and votedFor, and read them back?`
        : ', and an RPC of an older term is refused and changes nothing.'),
  };
}

export function leaderLacksCommitted(
  i: number,
  term: number,
  index: number,
  held: number,
  committed: Committed,
): Violation {
  return {
    property: 'Leader Completeness',
    rule: 'Figure 3',
    what:
      `S${i}, leader of T${term}, holds index ${index} with term ${held}, but the entry of term ` +
      `${committed.term} there was committed in T${committed.commitTerm} (a majority had it once ` +
      `${describeSource(committed.source)}). A leader holds every committed entry: does a voter refuse a ` +
      'candidate whose log is behind its own [RV.2], and does a follower never cut or lose an entry it ' +
      'acknowledged unless it conflicts [AE.3]?',
  };
}

export function twoEntries(
  index: number,
  term: number,
  entry: unknown,
  seen: { entry: unknown; source: Source },
): Violation {
  return {
    property: 'Log Matching',
    rule: 'Figure 3',
    what:
      `two different entries at index ${index} with term ${term}: ${show(entry)} here, and ` +
      `${show(seen.entry)} when ${describeSource(seen.source)}. Only the leader of T${term} makes entries ` +
      'of that term, one per index: does a follower append entries it already has [AE.4]?',
  };
}

export function logChanged(
  i: number,
  index: number,
  term: number,
  fact: Fact,
  sameLeader: boolean,
  restarted: boolean,
): Violation {
  const why = restarted
    ? `S${i} restarted since: does it persist its log before it answers [P.1], and read it back [P.2]?`
    : sameLeader
      ? 'a leader never overwrites or deletes entries in its log, it only appends.'
      : 'nothing that could cut its log reached it since (no conflicting AppendEntries, no InstallSnapshot).';
  return {
    property: sameLeader ? 'Leader Append-Only' : 'Log Matching',
    rule: restarted ? '[P.1]' : 'Figure 3',
    what: `S${i} sends index ${index} with term ${term}, but it held term ${fact.term} there (${describeSource(fact.source)}): ${why}`,
  };
}

const FIGURE_8 =
  'Figure 8: a leader never commits an entry of an earlier term by counting replicas; it commits it with ' +
  'the first entry of its own term (commit N only if log[N].term == currentTerm).';

/** Figure 8, seen at the leader's own apply: it counted replicas of an entry of an earlier term. */
export function countedEarlierTerm(
  i: number,
  term: number,
  index: number,
  held: { index: number; term: number },
  acks: string,
): Violation {
  const earlier =
    held.index === index
      ? `its entry there is of T${held.term}`
      : `its entry there is of T${held.term} or earlier (its entry at ${held.index} is of T${held.term}, ` +
        'and terms never decrease along a log)';
  return {
    property: 'commit rule',
    rule: '[L.4] (Figure 8)',
    what:
      `S${i}, leader of T${term}, committed index ${index} by counting replicas: a majority holds it ` +
      `(acknowledgements in T${term}: ${acks}), but ${earlier}, and no entry of T${term} at or after ` +
      `it has a majority. ${FIGURE_8} The symptom: S${i} applied index ${index} before it was ` +
      'committed [All.1].',
  };
}

export function commitAhead(
  i: number,
  term: number,
  leaderCommit: number,
  majority: number | null,
  termAtMajority: number | null,
  acks: string,
): Violation {
  const what =
    termAtMajority !== null && majority !== null
      ? `a majority has index ${leaderCommit}, but S${i}'s entry at ${majority}, the highest a majority has, ` +
        `is of T${termAtMajority}, not T${term} (acknowledgements: ${acks}). ${FIGURE_8}`
      : `in T${term} a majority (itself included) acknowledged only up to index ${majority ?? 'none'} ` +
        `(acknowledgements: ${acks}). A leader commits N only once a majority has it and log[N] is of its ` +
        'own term; matchIndex comes from the entries each follower acknowledged.';
  return {
    property: 'commit rule',
    rule: '[L.4]',
    what: `S${i} tells its followers index ${leaderCommit} is committed, but ${what}`,
  };
}

export function acceptedMismatch(
  f: number,
  prevLogIndex: number,
  prevLogTerm: number,
  prior: Fact,
): Violation {
  return {
    property: 'Log Matching',
    rule: '[AE.2]',
    what:
      `S${f} accepted it, but it holds index ${prevLogIndex} with term ${prior.term}, not ${prevLogTerm} ` +
      `(${describeSource(prior.source)}): a follower whose entry at prevLogIndex has another term must ` +
      'refuse, or its log matches the leader’s only in appearance.',
  };
}

export function refusedMatching(
  f: number,
  term: number,
  prevLogIndex: number,
  prevLogTerm: number,
  prior: Fact,
  restarted: boolean,
): Violation {
  return {
    property: 'Log Matching',
    rule: restarted ? '[P.1]' : '[AE.2]',
    what:
      `S${f} refused it in T${term}, though it holds index ${prevLogIndex} with term ${prevLogTerm} ` +
      `(${describeSource(prior.source)}) and no conflicting entry reached it since. ` +
      (restarted
        ? `S${f} restarted in between: persist the log before answering [P.1], and read it back [P.2].`
        : 'Refuse only when the entry at prevLogIndex is missing or of another term; a candidate that hears ' +
          "its term's leader becomes its follower [C.3]; a follower deletes entries only from a conflict on " +
          '[AE.3], so a late, shorter AppendEntries must cut nothing.'),
  };
}

export function committedTwice(
  index: number,
  before: Committed,
  term: number,
  commitTerm: number,
  source: Source,
): Violation {
  return {
    property: 'State Machine Safety',
    rule: 'Figure 3',
    what:
      `index ${index} was committed twice with different entries: term ${before.term} (a majority had it ` +
      `in T${before.commitTerm}), then term ${term} (a majority had it in T${commitTerm}, once ` +
      `${describeSource(source)}). An entry a majority acknowledged in its leader’s term is never replaced: ` +
      'check the vote rule [RV.2], and that a follower cuts its log only at a conflict [AE.3] and persists it [P.1].',
  };
}

export function appliedOther(
  i: number,
  index: number,
  command: unknown,
  committedCommand: unknown,
  committed: Committed,
): Violation {
  return {
    property: 'State Machine Safety',
    rule: 'Figure 3',
    what:
      `S${i} applied ${show(command)} at index ${index}, but the entry committed there is ` +
      `${show(committedCommand)} of term ${committed.term} (a majority had it in T${committed.commitTerm}, ` +
      `once ${describeSource(committed.source)}).`,
  };
}

export function appliedUncommitted(i: number, index: number, allowed: number): Violation {
  return {
    property: 'commit rule',
    rule: '[All.1]',
    what:
      `S${i} applied index ${index}, but it could know only up to index ${allowed} committed: no ` +
      'AppendEntries it accepted carried a higher leaderCommit (min(leaderCommit, index of the last new ' +
      'entry) [AE.5]), nor did a majority acknowledge more while it led [L.4]. Apply only up to commitIndex.',
  };
}
