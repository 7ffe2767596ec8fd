/**
 * One explore run: a lab test, a seed, a fault plan, run the way the stress runner runs it (an isolated
 * worker from a shared pool, under the watchdog), judged (judge.ts). Runs of the same test, seed and
 * event subset are asked for again while shrinking; the cache answers those without running.
 */
import fs from 'node:fs';
import { runIsolated, type IsolatedOutcome, type WorkerPool } from '../../tests/harness/worker';
import { encodePlan, type ExplorePlan } from '../../tests/explore/plan';
import type { FoundTest } from '../stress/types';
import { judge, type Judgement } from './judge';

export interface RunSettings {
  readonly pool: WorkerPool;
  readonly hangMs: number;
  readonly memoryMb: number;
  /** Folder for the traces of failing runs. */
  readonly traceDir: string;
  /** The project the runs bundle from (--root: a mutant's patched copy); default this checkout. */
  readonly root?: string;
}

export interface ExploreRun {
  readonly test: FoundTest;
  readonly seed: number;
  readonly plan: ExplorePlan;
  readonly judgement: Judgement;
  readonly outcome: IsolatedOutcome;
}

function quote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

export class Runner {
  readonly #settings: RunSettings;
  readonly #cache = new Map<string, Promise<ExploreRun>>();
  /** Runs actually made (cache hits not counted). */
  runs = 0;

  constructor(settings: RunSettings) {
    this.#settings = settings;
  }

  /** Run `test` with `seed` under `plan` (or with no plan at all: the test's own script, as stress runs it). */
  run(test: FoundTest, seed: number, plan: ExplorePlan | null, keepTrace = false): Promise<ExploreRun> {
    const ids = plan === null ? 'none' : plan.events.map((e) => `${e.id}:${e.ms}`).join(',');
    const key = `${test.name}\n${seed}\n${plan?.seed ?? ''}\n${ids}\n${keepTrace}`;
    let run = this.#cache.get(key);
    if (run === undefined) {
      run = this.#runOnce(test, seed, plan, keepTrace);
      this.#cache.set(key, run);
    }
    return run;
  }

  async #runOnce(
    test: FoundTest,
    seed: number,
    plan: ExplorePlan | null,
    keepTrace: boolean,
  ): Promise<ExploreRun> {
    this.runs += 1;
    const outcome = await runIsolated(
      { moduleFile: test.moduleFile, testName: test.name, seed },
      {
        replay: `npm run explore -- ${quote(test.name)} --seed ${seed} --runs 1`,
        hangMs: this.#settings.hangMs,
        memoryMb: this.#settings.memoryMb,
        traceDir: this.#settings.traceDir,
        keepTrace,
        // A search run's trace would only be deleted (below): not writing it saves formatting a whole
        // run's events, a good part of a failing run's cost (2D, 2E).
        traceOnFailure: keepTrace,
        streamDebug: false,
        pool: this.#settings.pool,
        root: this.#settings.root,
        plan: plan === null ? undefined : encodePlan(plan),
        // A finding is confirmed in a fresh worker, as every failure of the stress runner is; a failure
        // the faults caused is not worth a second run (plain runs keep the stress runner's rule).
        recheck: plan === null ? undefined : (o) => judge(o).kind === 'finding',
        // So a worker whose run the faults failed (inconclusive: one in five on 2D) may serve the next run
        // if it is left clean, instead of a cold thread each time (~0.6 s); findings are rerun fresh above.
        reuseAfterFailure: plan !== null,
      },
    );
    // Only the runs asked to keep theirs (the minimal one) leave a trace behind: a search leaves one per
    // failing run otherwise, hundreds in ten minutes.
    if (!keepTrace) {
      for (const file of [outcome.traceFile, outcome.logFile])
        if (file !== undefined) fs.rmSync(file, { force: true });
    }
    const empty = plan ?? { seed, events: [] };
    return { test, seed, plan: empty, judgement: judge(outcome), outcome };
  }
}
