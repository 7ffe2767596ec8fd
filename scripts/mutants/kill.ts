/**
 * Running a mutant's part inside its copy of the project, stopping at the first failure.
 *
 * Every run is one isolated run (tests/harness/worker: fresh module state, the watchdog, the heap cap)
 * bundled from the copy's own sources (`root` = the copy: its harness, tests and patched raft/ and
 * kvraft/), one at a time, seed by seed: all the part's tests on the first seed (Go's first, then the
 * scripted beyond-Go ones), then the next seed.
 * So the kill is the first failing run in that order, the same on every machine, and a killed mutant
 * costs only the runs up to it.
 */
import path from 'node:path';
import { runIsolated, WorkerPool } from '../../tests/harness/worker';
import type { FoundTest } from '../stress/types';
import type { KillRunAnswer } from './types';

/**
 * A run that ended outside the test (its module did not load, the worker crashed, an untrusted report):
 * a broken catalog entry or setup, not a kill.
 */
export class MutantRunError extends Error {
  override name = 'MutantRunError';
}

/** Verdicts that say nothing about the mutant's Raft: the run never really happened. */
const NOT_A_KILL = new Set(['crashed', 'untrusted']);

/** A failure's headline: its first line that says something (a message may start with a blank line). */
export function headline(message: string): string {
  return (
    message
      .split('\n')
      .map((line) => line.trim())
      .find((line) => line !== '') ?? message
  );
}

/** The Go tests first, then the beyond-Go scripted files: the kill table shows whether Go's tests suffice. */
function goTestsFirst(tests: readonly FoundTest[]): FoundTest[] {
  const scripted = (t: FoundTest): number => (/scripted/.test(path.basename(t.moduleFile)) ? 1 : 0);
  return [...tests].sort((a, b) => scripted(a) - scripted(b));
}

/** Run `tests` (found in the checkout `root`) inside `copy` on `seeds`, until the first failure. */
export async function killRun(
  root: string,
  copy: string,
  tests: readonly FoundTest[],
  seeds: readonly number[],
  hangMs: number,
): Promise<KillRunAnswer> {
  const planned = seeds.length * tests.length;
  let runs = 0;
  const pool = new WorkerPool(); // the mutant's runs share workers while they pass (fresh modules each run)
  try {
    return await killLoop();
  } finally {
    await pool.close();
  }
  async function killLoop(): Promise<KillRunAnswer> {
    for (const seed of seeds) {
      for (const test of goTestsFirst(tests)) {
        runs += 1;
        const moduleFile = path.join(copy, path.relative(root, test.moduleFile));
        const outcome = await runIsolated(
          { moduleFile, testName: test.name, seed },
          {
            replay: '(a mutant of the reference: see npm run mutants)',
            root: copy,
            hangMs,
            streamDebug: false,
            pool,
          },
        );
        if (NOT_A_KILL.has(outcome.verdict)) {
          throw new MutantRunError(
            `${test.name} (seed ${seed}) did not run (${outcome.verdict}): ${outcome.message ?? ''}`,
          );
        }
        if (!outcome.passed) {
          const message = outcome.message ?? outcome.verdict;
          const kill = {
            test: test.name,
            seed,
            error: headline(message),
            message,
            hung: outcome.verdict === 'hung',
          };
          return { kill, runs, planned };
        }
      }
    }
    return { kill: null, runs, planned };
  }
}
