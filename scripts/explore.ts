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
import fs from 'node:fs';
import path from 'node:path';
import pc from 'picocolors';
import { bundleFor, WorkerPool } from '../tests/harness/worker';
import { describeEvent } from '../tests/explore/plan';
import { findTestModules, loadTests, matchTests } from './stress/discover';
import { CliError, runCli } from './stress/options';
import type { FoundTest } from './stress/types';
import { parseExploreArgs, type ExploreOptions } from './explore/options';
import { exploreProgress } from './explore/progress';
import { mutantCopy } from './explore/mutant-copy';
import { Runner } from './explore/runner';
import { search, type SearchResult } from './explore/search';
import { shrink, type Shrunk } from './explore/shrink';
import { makeStory, storyText, writeScriptedTest, type Story } from './explore/story';

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

function perMinute(runs: number, ms: number): number {
  return ms <= 0 ? 0 : (runs * 60_000) / ms;
}

function summaryLines(result: SearchResult, options: ExploreOptions): string[] {
  const { stats } = result;
  const rate = perMinute(stats.runs, result.elapsedMs);
  const lines = [
    `${stats.runs} runs in ${(result.elapsedMs / 1000).toFixed(1)} s (${rate.toFixed(0)} runs/min, ${options.parallel} at a time), ` +
      `${stats.inconclusive} where the faults outran a liveness or budget check (not a finding)`,
  ];
  for (const [headline, count] of [...stats.outran].sort((a, b) => b[1] - a[1]).slice(0, 3)) {
    lines.push(`    ${String(count).padStart(5)} × ${headline}`);
  }
  if (options.compareStress && stats.plainRuns > 0 && stats.runs > 0) {
    const plainMean = stats.plainWallMs / stats.plainRuns;
    const exploreMean = stats.exploreWallMs / stats.runs;
    lines.push(
      `compared with the stress runner's runs of the same tests and seeds, interleaved in the same pool: ` +
        `${plainMean.toFixed(0)} ms per plain run, ${exploreMean.toFixed(0)} ms per explore run: ` +
        `explore does ${(plainMean / exploreMean).toFixed(2)}× the runs per minute (${stats.plainFailures} plain runs failed)`,
    );
  }
  return lines;
}

interface JsonFinding {
  readonly test: string;
  readonly seed: number;
  readonly headline: string;
  readonly generatedFaults: number;
  readonly minimalFaults: readonly { at: number; id: number; kind: string; what: string }[];
  readonly story: Story;
  readonly shrinkRuns: number;
}

function writeJson(
  file: string,
  argv: readonly string[],
  result: SearchResult,
  finding: JsonFinding | null,
): void {
  const { stats } = result;
  const body = {
    command: ['npm run explore --', ...argv].join(' '),
    runs: stats.runs,
    elapsedMs: Math.round(result.elapsedMs),
    runsPerMinute: Math.round(perMinute(stats.runs, result.elapsedMs)),
    inconclusive: stats.inconclusive,
    outran: Object.fromEntries(stats.outran),
    compareStress:
      stats.plainRuns === 0
        ? null
        : {
            plainRuns: stats.plainRuns,
            plainMeanWallMs: Math.round(stats.plainWallMs / stats.plainRuns),
            exploreMeanWallMs: Math.round(stats.exploreWallMs / Math.max(1, stats.runs)),
            plainFailures: stats.plainFailures,
          },
    found: finding,
  };
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(body, null, 2) + '\n');
}

function report(shrunk: Shrunk, story: Story): string {
  const { found, minimal } = shrunk;
  const headline = found.judgement.kind === 'finding' ? found.judgement.headline : '';
  return [
    '',
    `${pc.red('✗ found')}: ${found.test.name}, seed ${pc.bold(String(found.seed))}`,
    `    ${headline}`,
    `shrunk ${shrunk.generated} injected faults (${shrunk.beforeFailure} before the failure) to ` +
      `${minimal.plan.events.length} in ${shrunk.runs} runs:`,
    storyText(story),
    '',
    `scripted test: ${story.scriptedTest}`,
    `replay:        ${story.replay}`,
    story.timeline === null ? '' : `timeline:      ${story.timeline}`,
    '',
  ].join('\n');
}

export async function main(argv: readonly string[]): Promise<number> {
  const options = parseExploreArgs(argv);
  const checkoutTests = selectExploreTests(options);
  const copy =
    options.mutant === undefined ? undefined : mutantCopy(options.mutant, process.cwd(), checkoutTests);
  const tests = copy?.tests ?? checkoutTests;
  const root = copy?.root;
  await Promise.all([...new Set(tests.map((t) => t.moduleFile))].map((file) => bundleFor(file, root)));
  if (copy !== undefined)
    process.stderr.write(`explore: mutant ${options.mutant}, patched copy in ${copy.root}\n`);
  process.stderr.write(
    `explore: ${tests.length} test${tests.length === 1 ? '' : 's'} of ${[...new Set(tests.map((t) => t.part))].join(', ')}, ` +
      `seeds from ${options.firstSeed}, ${options.parallel} at a time, for ${(options.budgetMs / 60_000).toFixed(1)} min` +
      `${options.maxRuns === undefined ? '' : ` or ${options.maxRuns} runs`}\n`,
  );
  const pool = new WorkerPool({ maxIdle: options.parallel });
  const traceDir = path.join(options.outDir, 'traces');
  const runner = new Runner({
    pool,
    hangMs: options.hangMs,
    memoryMb: options.memoryMb,
    traceDir: path.resolve(traceDir),
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
      const found = result.found.run;
      let shrunk: Shrunk;
      if (options.shrink) {
        process.stderr.write(`explore: shrinking the failure of ${found.test.name}, seed ${found.seed} …\n`);
        shrunk = await shrink(runner, found, options.parallel, (what) =>
          process.stderr.write(`  trying ${what}\n`),
        );
      } else {
        const minimal = await runner.run(found.test, found.seed, found.plan, true);
        shrunk = {
          found,
          minimal,
          generated: found.plan.events.length,
          beforeFailure: found.plan.events.length,
          runs: 1,
        };
      }
      const scripted = writeScriptedTest(shrunk, options.outDir);
      const story = makeStory(shrunk, scripted);
      process.stdout.write(report(shrunk, story));
      finding = {
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
    } else {
      process.stdout.write(
        `${pc.green('nothing found')} (the last seed tried: ${options.firstSeed + result.stats.runs - 1})\n`,
      );
    }
  } finally {
    view.stop();
    await pool.close();
    // A mutant's copy stays while a finding's scripted test needs its sources.
    if (copy !== undefined && finding === null) copy.remove();
  }
  if (options.json !== undefined) writeJson(options.json, argv, result, finding);
  return finding === null ? 0 : 1;
}

if (require.main === module) {
  runCli('explore', main);
}
