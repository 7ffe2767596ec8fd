/**
 * Explore's live view, on stderr. On a terminal: a cli-progress bar over the time budget (or the run
 * limit), with the runs made, their rate, and how many the faults outran. Elsewhere (CI, pipes): a line
 * at every tenth of the budget.
 */
import { SingleBar } from 'cli-progress';
import type { ExploreRun } from './runner';
import type { SearchStats } from './search';
import type { ExploreOptions } from './options';

export interface ExploreView {
  update(stats: SearchStats, run: ExploreRun): void;
  stop(): void;
}

function done(stats: SearchStats, options: ExploreOptions): number {
  const byTime = (performance.now() - stats.startedAt) / options.budgetMs;
  const byRuns = options.maxRuns === undefined ? 0 : stats.runs / options.maxRuns;
  return Math.min(1, Math.max(byTime, byRuns));
}

function line(stats: SearchStats): string {
  const minutes = (performance.now() - stats.startedAt) / 60_000;
  return `${stats.runs} runs (${(stats.runs / Math.max(minutes, 1e-9)).toFixed(0)}/min), ${stats.inconclusive} outran a liveness check`;
}

export function exploreProgress(
  options: ExploreOptions,
  stream: NodeJS.WriteStream = process.stderr,
): ExploreView {
  if (stream.isTTY) {
    const bar = new SingleBar({
      stream,
      clearOnComplete: true,
      hideCursor: true,
      fps: 4,
      format: 'explore {bar} {percentage}% | {line}',
    });
    bar.start(1000, 0, { line: '' });
    let stopped = false;
    return {
      update: (stats) => bar.update(Math.round(done(stats, options) * 1000), { line: line(stats) }),
      stop: () => {
        if (!stopped) bar.stop();
        stopped = true;
      },
    };
  }
  let shown = 0;
  return {
    update(stats) {
      const tenth = Math.floor(done(stats, options) * 10);
      if (tenth > shown) {
        shown = tenth;
        stream.write(`  ${tenth * 10} %: ${line(stats)}\n`);
      }
    },
    stop: () => {},
  };
}
