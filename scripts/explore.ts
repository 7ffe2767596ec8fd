/**
 * `npm run explore -- <part or test title> [--minutes M] [--seed S] [-p P] [--json FILE] [--runs N]
 * [--gap MS] [--kinds LIST] [--no-shrink] [--compare-stress] [--tests PATHS…] [--out DIR]`
 *
 * Searches beyond a test's script (issue 21): each run is a lab test with a seed and, on top of the
 * test's own faults, a schedule of extra ones drawn from the same seed (tests/explore/plan.ts): lossy
 * links, the leader isolated, partitions and bridges, replies held across a term change, a crash the
 * instant a reply leaves. The invariant monitor and the test's safety checks judge each run
 * (explore/judge.ts). The first finding is shrunk (explore/shrink.ts) to the few faults that matter,
 * told as a story, written as a replayable scripted test under .lab/explore/, with the command that opens
 * the timeline at the violation. Exit status: 0 nothing found, 1 a failure found, 2 bad input.
 *
 * Modules: explore/options (command line), search (the runs), runner (one run, cached), judge (what a
 * run came to), ddmin and shrink (the smallest failing schedule), story (what is printed and written),
 * progress (the live view).
 */
import '../tests/harness/random-setup'; // first: before lodash or any test module loads
import path from 'node:path';
import pc from 'picocolors';
import { bundleFor, WorkerPool } from '../tests/harness/worker';
import { describeEvent } from '../tests/explore/plan';
import { findTestModules, loadTests, matchTests } from './stress/discover';
import { CliError, runCli } from './stress/options';
import type { FoundTest } from './stress/types';
import { parseExploreArgs, type ExploreOptions } from './explore/options';
import { exploreProgress } from './explore/progress';
import { findingText, summaryLines, writeJson, type JsonFinding } from './explore/report';
import { Runner, type ExploreRun } from './explore/runner';
import { search, type SearchResult } from './explore/search';
import { shrink, type Shrunk } from './explore/shrink';
import { makeStory, writeScriptedTest } from './explore/story';

/** The parts whose testers carry explore's fault layer (tests/raft/config.ts, tests/kvraft/config.ts). */
export const EXPLORABLE_PARTS = ['2A', '2B', '2C', '2D', '2E', '3A', '3B', '3C'];

export function selectExploreTests(options: Pick<ExploreOptions, 'pattern' | 'tests'>): FoundTest[] {
  const all = loadTests(findTestModules(options.tests ?? ['tests']));
  const matched = matchTests(all, options.pattern);
  const selected = matched.filter((t) => EXPLORABLE_PARTS.includes(t.part));
  if (selected.length === 0) {
    const why =
      matched.length === 0
        ? `No test matches \`${options.pattern}\`.`
        : `\`${options.pattern}\` matches only tests of ${[...new Set(matched.map((t) => t.part))].join(', ')}, ` +
          'whose testers explore does not inject faults into.';
    throw new CliError(
      `${why} Give a part (${EXPLORABLE_PARTS.join(', ')}) or part of a title, e.g. "Figure 8".`,
    );
  }
  return selected;
}

/** A finding: shrink it (unless --no-shrink), write its scripted test, print its story. */
async function settle(runner: Runner, found: ExploreRun, options: ExploreOptions): Promise<JsonFinding> {
  let shrunk: Shrunk;
  if (options.shrink) {
    process.stderr.write(`explore: shrinking the failure of ${found.test.name}, seed ${found.seed} …\n`);
    shrunk = await shrink(runner, found, options.parallel, (what) =>
      process.stderr.write(`  trying ${what}\n`),
    );
  } else {
    const minimal = await runner.run(found.test, found.seed, found.plan, true);
    const all = found.plan.events.length;
    shrunk = { found, minimal, generated: all, beforeFailure: all, runs: 1 };
  }
  // Under --root the scripted test, the trace and the commands belong to that copy (one harness per bundle).
  const project = options.root ?? process.cwd();
  const outDir = path.resolve(project, options.outDir);
  const scripted = writeScriptedTest(shrunk, outDir, options.root);
  const story = makeStory(shrunk, scripted, project);
  process.stdout.write(findingText(shrunk, story));
  return {
    test: found.test.name,
    seed: found.seed,
    headline: found.judgement.kind === 'finding' ? found.judgement.headline : '',
    generatedFaults: shrunk.generated,
    minimalFaults: shrunk.minimal.plan.events.map((e) => ({
      at: e.at,
      id: e.id,
      kind: e.kind,
      what: describeEvent(e),
    })),
    story,
    shrinkRuns: shrunk.runs,
  };
}

export async function main(argv: readonly string[]): Promise<number> {
  const options = parseExploreArgs(argv);
  const root = options.root;
  // Tests are found in this checkout; under --root they run from the same place in that copy.
  const tests = selectExploreTests(options).map((t) =>
    root === undefined
      ? t
      : { ...t, moduleFile: path.join(root, path.relative(process.cwd(), t.moduleFile)) },
  );
  await Promise.all([...new Set(tests.map((t) => t.moduleFile))].map((file) => bundleFor(file, root)));
  if (root !== undefined) process.stderr.write(`explore: the project at ${root}\n`);
  process.stderr.write(
    `explore: ${tests.length} test${tests.length === 1 ? '' : 's'} of ${[...new Set(tests.map((t) => t.part))].join(', ')}, ` +
      `seeds from ${options.firstSeed}, ${options.parallel} at a time, for ${(options.budgetMs / 60_000).toFixed(1)} min` +
      `${options.maxRuns === undefined ? '' : ` or ${options.maxRuns} runs`}\n`,
  );
  const pool = new WorkerPool({ maxIdle: options.parallel });
  const traceDir = path.resolve(options.root ?? process.cwd(), options.outDir, 'traces');
  const runner = new Runner({
    pool,
    hangMs: options.hangMs,
    memoryMb: options.memoryMb,
    traceDir,
    root,
  });
  const view = exploreProgress(options);
  let result: SearchResult;
  let finding: JsonFinding | null = null;
  try {
    result = await search(runner, { ...options, tests }, (run, stats) => view.update(stats, run));
    view.stop();
    process.stdout.write(summaryLines(result, options).join('\n') + '\n');
    if (result.found !== null) {
      finding = await settle(runner, result.found.run, options);
    } else {
      process.stdout.write(
        `${pc.green('nothing found')} (the last seed tried: ${options.firstSeed + result.stats.runs - 1})\n`,
      );
    }
  } finally {
    view.stop();
    await pool.close();
  }
  if (options.json !== undefined) writeJson(options.json, argv, result, finding);
  return finding === null ? 0 : 1;
}

if (require.main === module) {
  runCli('explore', main);
}
