/**
 * What explore prints and writes at the end: the search's summary (runs, rate, what the faults outran,
 * the comparison with the stress runner's runs), a finding as the terminal shows it, and `--json`.
 */
import fs from 'node:fs';
import path from 'node:path';
import pc from 'picocolors';
import type { ExploreOptions } from './options';
import type { SearchResult } from './search';
import type { Shrunk } from './shrink';
import { storyText, type Story } from './story';

function perMinute(runs: number, ms: number): number {
  return ms <= 0 ? 0 : (runs * 60_000) / ms;
}

export function summaryLines(result: SearchResult, options: ExploreOptions): string[] {
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

export interface JsonFinding {
  readonly test: string;
  readonly seed: number;
  readonly headline: string;
  readonly generatedFaults: number;
  readonly minimalFaults: readonly { at: number; id: number; kind: string; what: string }[];
  readonly story: Story;
  readonly shrinkRuns: number;
}

export function writeJson(
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

export function findingText(shrunk: Shrunk, story: Story): string {
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
