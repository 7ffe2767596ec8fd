/**
 * The search: run k (k = 0, 1, …) is the matched tests' (k mod count)-th with seed firstSeed + k, under
 * the fault plan of that same seed, `parallel` at a time on a shared worker pool, until the time budget
 * or the run limit is spent or a run finds something. Lanes take runs in order, so when one finds, the
 * runs before it are all under way; the search waits for them and keeps the lowest-numbered finding, the
 * same whatever the parallelism.
 */
import { generatePlan, type Knobs } from '../../tests/explore/plan';
import type { FoundTest } from '../stress/types';
import type { ExploreRun, Runner } from './runner';

export interface SearchSpec {
  readonly tests: readonly FoundTest[];
  readonly firstSeed: number;
  readonly knobs: Knobs;
  readonly parallel: number;
  readonly budgetMs: number;
  readonly maxRuns: number | undefined;
  /** Also run each seed with no faults (the stress runner's run), for the rate comparison. */
  readonly compareStress: boolean;
}

export interface SearchStats {
  runs: number;
  inconclusive: number;
  /** Headline → count, for the inconclusive runs (what the faults outran). */
  readonly outran: Map<string, number>;
  /** Wall ms of the search runs, and of the plain runs under --compare-stress. */
  exploreWallMs: number;
  plainRuns: number;
  plainWallMs: number;
  plainFailures: number;
  readonly startedAt: number;
}

export interface SearchResult {
  readonly found: { readonly k: number; readonly run: ExploreRun } | null;
  readonly stats: SearchStats;
  readonly elapsedMs: number;
}

export async function search(
  runner: Runner,
  spec: SearchSpec,
  onRun: (run: ExploreRun, stats: SearchStats) => void,
): Promise<SearchResult> {
  const stats: SearchStats = {
    runs: 0,
    inconclusive: 0,
    outran: new Map(),
    exploreWallMs: 0,
    plainRuns: 0,
    plainWallMs: 0,
    plainFailures: 0,
    startedAt: performance.now(),
  };
  const deadline = stats.startedAt + spec.budgetMs;
  let next = 0;
  let found: { k: number; run: ExploreRun } | null = null;
  const more = (): boolean =>
    found === null && performance.now() < deadline && (spec.maxRuns === undefined || next < spec.maxRuns);

  const lane = async (): Promise<void> => {
    while (more()) {
      const k = next++;
      const test = spec.tests[k % spec.tests.length];
      const seed = spec.firstSeed + k;
      if (spec.compareStress) {
        const plain = await runner.run(test, seed, null);
        stats.plainRuns += 1;
        stats.plainWallMs += plain.outcome.wallMs;
        if (!plain.outcome.passed) stats.plainFailures += 1;
      }
      const run = await runner.run(test, seed, generatePlan(seed, spec.knobs));
      stats.runs += 1;
      stats.exploreWallMs += run.outcome.wallMs;
      if (run.judgement.kind === 'inconclusive') {
        stats.inconclusive += 1;
        const key = run.judgement.headline.replace(/\d+(\.\d+)?/g, 'N').slice(0, 100);
        stats.outran.set(key, (stats.outran.get(key) ?? 0) + 1);
      } else if (run.judgement.kind === 'finding' && (found === null || k < found.k)) {
        found = { k, run };
      }
      onRun(run, stats);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, spec.parallel) }, lane));
  return { found, stats, elapsedMs: performance.now() - stats.startedAt };
}
