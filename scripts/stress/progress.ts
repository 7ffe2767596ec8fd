/**
 * The live view of a stress run, on stderr. On a terminal: one line per test (a bar, runs done and
 * planned, failures, virtual and wall time as mean ± spread) under a bar for the whole run, redrawn in
 * place by cli-progress. Elsewhere (CI logs, pipes): a line per failing run as it happens and a line
 * at every tenth of the way, so logs stay short.
 */
import { MultiBar, type SingleBar } from 'cli-progress';
import pc from 'picocolors';
import { formatSpread, type StressStats, type TestStats } from './stats';
import type { RunOutcome } from './types';

const BAR = 20;

function bar(done: number, total: number): string {
  const full = total === 0 ? BAR : Math.round((done / total) * BAR);
  return '█'.repeat(full) + '░'.repeat(BAR - full);
}

function testLine(row: TestStats, width: number): string {
  const failed = row.failures === 0 ? pc.green('0 failed') : pc.red(`${row.failures} failed`);
  return (
    `${row.name.slice(0, width).padEnd(width)} ${bar(row.runs, row.planned)} ` +
    `${`${row.runs}/${row.planned}`.padStart(9)}  ${failed}  ` +
    `virtual ${formatSpread(row.virtualMs, row.runs)}  wall ${formatSpread(row.wallMs, row.runs)}`
  );
}

export interface LiveView {
  update(outcome: RunOutcome, row: TestStats): void;
  stop(): void;
}

export function liveView(stats: StressStats, stream: NodeJS.WriteStream = process.stderr): LiveView {
  return stream.isTTY ? terminalView(stats, stream) : logView(stats, stream);
}

function terminalView(stats: StressStats, stream: NodeJS.WriteStream): LiveView {
  const width = Math.min(48, Math.max(...stats.rows.map((r) => r.name.length)));
  const multi = new MultiBar({
    stream,
    clearOnComplete: true,
    hideCursor: true,
    fps: 8,
    format: (_options, params, payload: { line?: string }) =>
      payload.line ??
      `${'all runs'.padEnd(width)} ${bar(params.value, params.total)} ${params.value}/${params.total}`,
  });
  const total = multi.create(stats.planned, 0, {});
  const bars = new Map<string, SingleBar>();
  for (const row of stats.rows)
    bars.set(row.name, multi.create(row.planned, 0, { line: testLine(row, width) }));
  return {
    update(_outcome, row) {
      total.increment();
      bars.get(row.name)?.update(row.runs, { line: testLine(row, width) });
    },
    stop: () => multi.stop(),
  };
}

function logView(stats: StressStats, stream: NodeJS.WriteStream): LiveView {
  const planned = stats.planned;
  const step = Math.max(1, Math.ceil(planned / 10));
  return {
    update(outcome) {
      const done = stats.outcomes.length;
      if (!outcome.passed) stream.write(`  FAIL ${outcome.test} seed ${outcome.seed}\n`);
      if (done % step === 0 || done === planned) {
        stream.write(`  ${done}/${planned} runs, ${stats.failures.length} failed\n`);
      }
    },
    stop: () => {},
  };
}
