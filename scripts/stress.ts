/**
 * The stress runner: `npm run stress -- <pattern> [-n runs] [-p workers] [--seed s] [--shard i/n]
 * [--json file] [--realtime] [--check-determinism] [--tests paths…] [--hang seconds] [--memory mb]`.
 *
 * Finds every lab test whose part or title matches, runs each one n times with seeds s, s+1, …, each run
 * in a worker thread (reused while runs pass, fresh module state every run) under a real-time watchdog, shows live progress and a table per test, and
 * ends with the table and, for every failing run, its seed, first error line, saved trace and log, and
 * the commands that replay it. Exit status: 0 when every run passed, 1 when any failed, 2 on bad input.
 *
 * Each run goes through tests/harness/worker (runIsolated with a WorkerPool: the watchdog, the memory cap,
 * a verdict the worker cannot fake, a failure confirmed in a fresh worker), the same mechanism `npm test`
 * uses. Modules: stress/options
 * (command line), discover (tests), pool (parallel lanes), outcome (replay commands, determinism),
 * stats, progress (live view), report (table, failures, --json).
 */
import '../tests/harness/random-setup'; // first: before lodash or any test module loads
import { codeIdentity, describeCode } from './stress/code-identity';
import { bundleFor, runIsolated, WorkerPool } from '../tests/harness/worker';
import { findTestModules, loadTests, matchTests } from './stress/discover';
import { CliError, parseStressArgs, runCli, type StressOptions } from './stress/options';
import { compareRuns, replayCommands, toOutcome, type ReplayFlags } from './stress/outcome';
import { runPool } from './stress/pool';
import { liveView } from './stress/progress';
import { finalReport, writeJson } from './stress/report';
import { StressStats } from './stress/stats';
import type { FoundTest, RunOutcome, RunSpec } from './stress/types';

/** Every (test, seed) pair, seeds interleaved so all tests advance together; then this shard's share. */
export function planRuns(tests: readonly FoundTest[], options: StressOptions): RunSpec[] {
  const specs: RunSpec[] = [];
  for (let k = 0; k < options.runs; k++) {
    for (const test of tests) specs.push({ test, seed: options.firstSeed + k });
  }
  const shard = options.shard;
  return shard === undefined ? specs : specs.filter((_, i) => i % shard.count === shard.index - 1);
}

function selectTests(options: StressOptions): FoundTest[] {
  const all = loadTests(findTestModules(options.tests ?? ['tests']));
  const selected = matchTests(all, options.pattern);
  if (selected.length === 0) {
    const parts = [...new Set(all.map((t) => t.part))].join(', ');
    throw new CliError(
      `No test matches \`${options.pattern}\`. Give a part (${parts}) or part of a title, e.g. "Figure 8".`,
    );
  }
  return selected;
}

async function runAll(specs: RunSpec[], options: StressOptions, stats: StressStats): Promise<void> {
  // Build every module's bundle up front, so a module that does not compile stops the run at once.
  await Promise.all([...new Set(specs.map((s) => s.test.moduleFile))].map((file) => bundleFor(file)));
  const flags: ReplayFlags = {
    realtime: options.realtime,
    checkDeterminism: options.checkDeterminism,
    testsGiven: options.tests !== undefined,
  };
  // Runs of the same module share workers while they pass (fresh module state for each run all the same);
  // the determinism check's second run takes a fresh worker, so it also checks that sharing changed nothing.
  const pool = new WorkerPool({ maxIdle: options.parallel });
  const once = async (spec: RunSpec, shared: WorkerPool | undefined): Promise<RunOutcome> => {
    const replay = replayCommands(spec, flags);
    const run = { moduleFile: spec.test.moduleFile, testName: spec.test.name, seed: spec.seed };
    const outcome = await runIsolated(run, {
      replay: replay.jest ?? replay.stress,
      realtime: options.realtime,
      hangMs: options.hangMs,
      memoryMb: options.memoryMb,
      traceDir: options.traceDir,
      keepTrace: options.keepTraces,
      streamDebug: false, // the parent prints the summary; LAB_DEBUG lines stay in the saved .log
      pool: shared,
    });
    return toOutcome(spec, outcome, flags);
  };
  const job = async (spec: RunSpec): Promise<RunOutcome> => {
    const first = await once(spec, pool);
    return options.checkDeterminism ? compareRuns(first, await once(spec, undefined)) : first;
  };
  const view = liveView(stats);
  try {
    await runPool(specs, options.parallel, job, (_spec, outcome) => view.update(outcome, stats.add(outcome)));
  } finally {
    view.stop();
    await pool.close();
  }
}

export async function main(argv: readonly string[]): Promise<number> {
  const options = parseStressArgs(argv);
  const specs = planRuns(selectTests(options), options);
  const stats = new StressStats();
  for (const spec of specs) stats.plan(spec.test.name, 1);
  const shard = options.shard === undefined ? '' : `, shard ${options.shard.index}/${options.shard.count}`;
  const code = codeIdentity();
  process.stderr.write(
    `stress: ${specs.length} runs of ${stats.rows.length} test${stats.rows.length === 1 ? '' : 's'}, ` +
      `seeds from ${options.firstSeed}` +
      `${shard}, ${options.parallel} at a time; ${describeCode(code)} (bundled once, now)\n`,
  );
  await runAll(specs, options, stats);
  process.stdout.write(finalReport(stats));
  if (options.json !== undefined) {
    const shardText = options.shard === undefined ? null : `${options.shard.index}/${options.shard.count}`;
    const command = ['npm run stress --', ...argv].join(' ');
    writeJson(
      options.json,
      { command, pattern: options.pattern, firstSeed: options.firstSeed, shard: shardText, code },
      stats,
    );
  }
  return stats.failures.length === 0 ? 0 : 1;
}

if (require.main === module) {
  runCli('stress', main);
}
