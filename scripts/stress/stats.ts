/**
 * Per-test statistics of a stress run, updated as outcomes arrive: runs, failures (hung runs among
 * them), and the mean and standard deviation of virtual and wall time (Welford's running update, so
 * the live table costs nothing to refresh).
 */
import type { RunOutcome } from './types';

/** Running mean and spread of a series of numbers. */
export class Spread {
  #n = 0;
  #mean = 0;
  #m2 = 0;

  add(x: number): void {
    this.#n += 1;
    const delta = x - this.#mean;
    this.#mean += delta / this.#n;
    this.#m2 += delta * (x - this.#mean);
  }

  get mean(): number {
    return this.#mean;
  }

  /** Sample standard deviation (0 for fewer than two values). */
  get sd(): number {
    return this.#n < 2 ? 0 : Math.sqrt(this.#m2 / (this.#n - 1));
  }
}

export interface TestStats {
  readonly name: string;
  /** Runs planned for this test (in this shard). */
  readonly planned: number;
  runs: number;
  failures: number;
  hung: number;
  readonly virtualMs: Spread;
  readonly wallMs: Spread;
  readonly cpuMs: Spread;
}

export class StressStats {
  readonly #byTest = new Map<string, TestStats>();
  readonly outcomes: RunOutcome[] = [];
  readonly startedAt = performance.now();

  /** Declare a test and how many runs it will get, so the table lists it before its first result. */
  plan(name: string, runs: number): void {
    const row = this.#byTest.get(name);
    if (row !== undefined) {
      (row as { planned: number }).planned += runs;
      return;
    }
    const fresh = { name, planned: runs, runs: 0, failures: 0, hung: 0 };
    this.#byTest.set(name, { ...fresh, virtualMs: new Spread(), wallMs: new Spread(), cpuMs: new Spread() });
  }

  add(outcome: RunOutcome): TestStats {
    this.outcomes.push(outcome);
    const row = this.#byTest.get(outcome.test);
    if (row === undefined) throw new Error(`outcome for a test that was never planned: ${outcome.test}`);
    row.runs += 1;
    if (!outcome.passed) row.failures += 1;
    if (outcome.hung) row.hung += 1;
    row.virtualMs.add(outcome.virtualMs);
    row.wallMs.add(outcome.wallMs);
    row.cpuMs.add(outcome.cpuMs);
    return row;
  }

  get rows(): TestStats[] {
    return [...this.#byTest.values()];
  }

  get failures(): RunOutcome[] {
    return this.outcomes.filter((o) => !o.passed);
  }

  get planned(): number {
    return this.rows.reduce((sum, row) => sum + row.planned, 0);
  }
}

/** "12.3 ± 0.4 s" for a spread of milliseconds. */
export function formatSpread(spread: Spread, runs: number): string {
  if (runs === 0) return '–';
  if (spread.mean >= 1000) {
    return `${(spread.mean / 1000).toFixed(2)} ± ${(spread.sd / 1000).toFixed(2)} s`;
  }
  return `${spread.mean.toFixed(0)} ± ${spread.sd.toFixed(0)} ms`;
}
