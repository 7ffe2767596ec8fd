/**
 * What the stress runner prints at the end, and what it writes for machines:
 * - the table per test (runs, failures, virtual time, wall time and CPU time as mean ± spread), also
 *   shown live;
 * - for every failing run: seed, first error line, saved trace and log, and the commands that replay it;
 * - `--json FILE`: every run's result, plus the totals and the command line, for CI and scripts.
 */
import fs from 'node:fs';
import path from 'node:path';
import Table from 'cli-table3';
import pc from 'picocolors';
import { formatSpread, type StressStats, type TestStats } from './stats';
import type { RunOutcome } from './types';

/** One row of the table, as strings. */
export function statsRow(row: TestStats): string[] {
  const failures = row.failures === 0 ? pc.green('0') : pc.red(String(row.failures));
  return [
    row.name,
    `${row.runs}/${row.planned}`,
    row.hung > 0 ? `${failures} (${row.hung} hung)` : failures,
    formatSpread(row.virtualMs, row.runs),
    formatSpread(row.wallMs, row.runs),
    formatSpread(row.cpuMs, row.runs),
  ];
}

export function statsTable(stats: StressStats): string {
  const table = new Table({
    head: ['test', 'runs', 'failed', 'virtual time', 'wall time', 'CPU'],
    style: pc.isColorSupported ? { head: ['cyan'] } : { head: [], border: [] },
  });
  for (const row of stats.rows) table.push(statsRow(row));
  return table.toString();
}

function shown(file: string | undefined): string {
  return file === undefined ? '(none)' : path.relative(process.cwd(), file) || file;
}

/** How much of a failure's message a stress report shows: enough for the expected and the observed value. */
const HEADLINE_CHARS = 300;

/**
 * The failure's message as one line: its text up to the diagnosis (a message may break its line before
 * the values it compares, as `Get(0): expected:` does), at most HEADLINE_CHARS.
 */
export function headlineOf(error: string | undefined): string {
  const text = (error ?? 'failed').split(/\n\s*(?:diagnosis|test|seed|trace|replay):/)[0];
  const line = text.replace(/\s*\n\s*/g, ' ').trim();
  return line.length > HEADLINE_CHARS ? `${line.slice(0, HEADLINE_CHARS - 1)}…` : line;
}

/** The lines that describe one failing run. */
export function failureLines(outcome: RunOutcome): string[] {
  const headline = headlineOf(outcome.error);
  const lines = [
    `${pc.red('✗')} ${outcome.test} — seed ${pc.bold(String(outcome.seed))}`,
    `    ${headline}`,
    `    trace:  ${shown(outcome.traceFile)}    log: ${shown(outcome.logFile)}`,
  ];
  if (outcome.replayJest !== undefined) lines.push(`    replay: ${outcome.replayJest}`);
  lines.push(`    stress: ${outcome.replayStress}`);
  return lines;
}

/** The end of a stress run: table, failing runs, one summary line. */
export function finalReport(stats: StressStats): string {
  const failures = stats.failures;
  const minutes = (performance.now() - stats.startedAt) / 60_000;
  const runs = stats.outcomes.length;
  const summary =
    `${runs} runs, ${failures.length === 0 ? pc.green('0 failed') : pc.red(`${failures.length} failed`)} ` +
    `in ${(minutes * 60).toFixed(1)} s (${(runs / Math.max(minutes, 1e-9)).toFixed(0)} runs/min)`;
  const parts = [statsTable(stats)];
  if (failures.length > 0) {
    parts.push('', pc.bold('Failing runs:'));
    for (const outcome of failures) parts.push(...failureLines(outcome));
  }
  parts.push('', summary);
  return parts.join('\n') + '\n';
}

export interface JsonHeader {
  readonly command: string;
  readonly pattern: string;
  readonly firstSeed: number;
  readonly shard: string | null;
}

/** Write every run's result (and the totals) to `file`. */
export function writeJson(file: string, header: JsonHeader, stats: StressStats): void {
  const runs = stats.outcomes.map((o) => ({
    test: o.test,
    part: o.part,
    seed: o.seed,
    passed: o.passed,
    hung: o.hung,
    error: o.error ?? null,
    virtualMs: o.virtualMs,
    wallMs: Math.round(o.wallMs),
    cpuMs: Math.round(o.cpuMs),
    traceHash: o.traceHash,
    traceFile: o.traceFile ?? null,
    logFile: o.logFile ?? null,
    replay: o.replayJest ?? o.replayStress,
  }));
  const failed = runs.filter((r) => !r.passed).length;
  const body = { ...header, total: runs.length, failed, runs };
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(body, null, 2) + '\n');
}
