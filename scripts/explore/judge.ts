/**
 * What one explore run came to. Explore piles faults on a test far beyond its script, so a correct peer
 * may well miss a liveness deadline ("failed to reach agreement in 10 s") or a budget ("too many RPCs")
 * under them: such a failure says the faults outran the test's patience, not that the peer is wrong. A
 * finding is what no amount of faults excuses: a violation the invariant monitor names (with its rule
 * id), or a safety check of the test's own (applied values that differ, a KV history that is not
 * linearizable, a wrong value read, an append lost or doubled).
 */
import type { IsolatedOutcome } from '../../tests/harness/worker';

export type Judgement =
  | { readonly kind: 'pass' }
  /** A safety failure: `signature` is what a shrunk run must fail with again (the rule id, or 'safety'). */
  | { readonly kind: 'finding'; readonly signature: string; readonly headline: string; readonly atMs: number }
  /** A liveness or budget failure, a hang, a crash: not evidence of a bug under explore's faults. */
  | { readonly kind: 'inconclusive'; readonly headline: string };

/** The test's own checks whose failure no fault excuses (the monitor's are recognised by its prefix). */
const SAFETY =
  /apply error|wrong value|not linearizable|linearizability|missing element|duplicate element|out of order|voted for both/i;

export function headlineOf(outcome: IsolatedOutcome): string {
  return (outcome.message ?? outcome.verdict).split('\n')[0];
}

/** The monitor's rule id in a failure headline, e.g. "[AE.2]", or null. */
export function monitorRule(headline: string): string | null {
  return /invariant monitor: .*? violated (\[[^\]]+\])/.exec(headline)?.[1] ?? null;
}

export function judge(outcome: IsolatedOutcome): Judgement {
  if (outcome.passed) return { kind: 'pass' };
  const headline = headlineOf(outcome);
  if (outcome.verdict !== 'fail') return { kind: 'inconclusive', headline };
  const rule = monitorRule(headline);
  if (rule !== null) return { kind: 'finding', signature: rule, headline, atMs: outcome.virtualMs };
  if (SAFETY.test(headline))
    return { kind: 'finding', signature: 'safety', headline, atMs: outcome.virtualMs };
  return { kind: 'inconclusive', headline };
}
