/**
 * Running a mutant's part inside its copy of the project, stopping at the first failure.
 *
 * Every run is a fresh worker thread with the stress runner's watchdog, booted from a bundle built from
 * the copy's own sources (the copy's scripts/stress/bundle.ts is loaded, so its worker, harness and
 * tests all come from the copy), one run at a time, seed by seed: all the part's tests on the first
 * seed, then the next seed. So the kill is the first failing run in that order, the same on every
 * machine, and a killed mutant costs only the runs up to it.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { prepareBoot as PrepareBoot } from '../stress/bundle';
import { toOutcome, type ReplayFlags } from '../stress/outcome';
import { runInWorker, type WorkerOptions } from '../stress/pool';
import type { FoundTest, RunSpec } from '../stress/types';
import type { KillRunAnswer } from './types';

const FLAGS: ReplayFlags = { realtime: false, checkDeterminism: false, testsGiven: false };

/** The copy's own prepareBoot (its __dirname, hence its worker and random-setup, are the copy's). */
function copyPrepareBoot(copy: string): typeof PrepareBoot {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a module of the copy, found at run time
  const mod = require(path.join(copy, 'scripts', 'stress', 'bundle.ts')) as {
    prepareBoot: typeof PrepareBoot;
  };
  return mod.prepareBoot;
}

/** Run `tests` (found in the checkout `root`) inside `copy` on `seeds`, until the first failure. */
export async function killRun(
  root: string,
  copy: string,
  tests: readonly FoundTest[],
  seeds: readonly number[],
  hangMs: number,
): Promise<KillRunAnswer> {
  const inCopy = (file: string): string => path.join(copy, path.relative(root, file));
  const copied = tests.map((t) => ({ ...t, moduleFile: inCopy(t.moduleFile), jestFile: undefined }));
  const specs: RunSpec[] = seeds.flatMap((seed) => copied.map((test) => ({ test, seed })));
  const buildDir = path.join(copy, '.lab', 'mutant-build');
  const boot = await copyPrepareBoot(copy)([...new Set(copied.map((t) => t.moduleFile))], 'bundle', buildDir);
  const options: WorkerOptions = {
    hangMs,
    boot,
    input: (spec) => ({
      testName: spec.test.name,
      seed: spec.seed,
      replay: '(a mutant of the reference: see npm run mutants)',
      realtime: false,
      traceDir: path.join(copy, '.lab', 'traces'),
      keepTrace: false,
    }),
  };
  let runs = 0;
  try {
    for (const spec of specs) {
      runs += 1;
      const outcome = toOutcome(spec, await runInWorker(spec, options), FLAGS, hangMs);
      if (!outcome.passed) {
        const error = (outcome.error ?? 'failed').split('\n')[0];
        const kill = { test: spec.test.name, seed: spec.seed, error, hung: outcome.hung };
        return { kill, runs, planned: specs.length };
      }
    }
  } finally {
    fs.rmSync(buildDir, { recursive: true, force: true });
  }
  return { kill: null, runs, planned: specs.length };
}
