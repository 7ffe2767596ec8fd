/**
 * The per-part section of `npm run bench`: what the reference solution costs, part by part.
 *
 * Every test of 2A–3B runs once, in this process, at a fixed seed (so every run simulates the same
 * events), and its CPU time (process.cpuUsage: user + system, less sensitive than wall time to other
 * programs on the machine) is summed per part. The baseline, measured in the same run, is a bare loop
 * of 100,000 one-millisecond timers under the same driver: a part's ratio says how many such loops its
 * tests cost, which stays comparable across machines while absolute times do not. A test that fails is
 * named under the table (its time still counts: a failure there is a finding, not a reason to hide it).
 */
import path from 'node:path';
import Table from 'cli-table3';
import { sleep } from '../labrpc';
import { defineLabTest, runLabTest, type LabTest, type Part } from '../tests/harness';
import { labTestsOf } from '../tests/harness/worker/discover';
import { findTestModules } from './stress/discover';

export const LAB_PARTS: readonly Part[] = ['2A', '2B', '2C', '2D', '2E', '3A', '3B', '3C', '4A', '4B'];

const BASELINE_TIMERS = 100_000;

export interface PartFigures {
  part: Part;
  tests: number;
  failed: string[];
  virtualMs: number;
  cpuMs: number;
}

function cpuMsOf(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

/** CPU ms of one run of `test` at `seed`, with its virtual time and verdict. */
async function measure(
  test: LabTest,
  seed: number,
): Promise<{ cpuMs: number; virtualMs: number; passed: boolean }> {
  const start = process.cpuUsage();
  const result = await runLabTest(test, { seed, replay: `npm run bench (seed ${seed})`, write: () => {} });
  return { cpuMs: cpuMsOf(start), virtualMs: result.virtualMs, passed: result.passed };
}

/** The baseline: a bare timer loop under the same driver; the least of three runs (the first warms up). */
export async function timerLoopCpuMs(seed: number): Promise<number> {
  const loop = defineLabTest({
    part: 'harness',
    title: `${BASELINE_TIMERS} timers`,
    virtualLimitMs: 10 * BASELINE_TIMERS,
    async body() {
      for (let i = 0; i < BASELINE_TIMERS; i++) await sleep(1);
    },
  });
  let least = Infinity;
  for (let k = 0; k < 3; k++) least = Math.min(least, (await measure(loop, seed)).cpuMs);
  return least;
}

/** The lab tests of `parts`, from tests/raft, tests/kvraft, tests/shardctrler and tests/shardkv, in file order. */
export function labTests(parts: readonly Part[]): LabTest[] {
  const root = path.resolve(__dirname, '..', 'tests');
  const modules = findTestModules(
    ['raft', 'kvraft', 'shardctrler', 'shardkv'].map((d) => path.join(root, d)),
  );
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- modules are found at run time
  const all = modules.flatMap((file) => labTestsOf(require(file) as Record<string, unknown>));
  return all.filter((test) => parts.includes(test.part));
}

export async function benchParts(parts: readonly Part[], seed: number): Promise<PartFigures[]> {
  const tests = labTests(parts);
  const figures: PartFigures[] = [];
  for (const part of parts) {
    const row: PartFigures = { part, tests: 0, failed: [], virtualMs: 0, cpuMs: 0 };
    for (const test of tests.filter((t) => t.part === part)) {
      const run = await measure(test, seed);
      row.tests += 1;
      row.cpuMs += run.cpuMs;
      row.virtualMs += run.virtualMs;
      if (!run.passed) row.failed.push(test.name);
    }
    figures.push(row);
  }
  return figures;
}

/** The section's table: per part, CPU time against the timer-loop baseline. */
export function partsTable(figures: readonly PartFigures[], baselineMs: number, seed: number): string {
  const table = new Table({
    head: [`part (seed ${seed})`, 'tests', 'virtual', 'CPU', 'baseline', 'ratio'],
  });
  const total: PartFigures = { part: '2A', tests: 0, failed: [], virtualMs: 0, cpuMs: 0 };
  const rowOf = (label: string, f: PartFigures): string[] => [
    f.failed.length === 0 ? label : `${label} (${f.failed.length} failed)`,
    String(f.tests),
    `${(f.virtualMs / 1000).toFixed(0)} s`,
    `${(f.cpuMs / 1000).toFixed(2)} s`,
    `${BASELINE_TIMERS / 1000}k timers ${baselineMs.toFixed(0)} ms`,
    `${(f.cpuMs / baselineMs).toFixed(1)}×`,
  ];
  for (const f of figures) {
    table.push(rowOf(f.part, f));
    total.tests += f.tests;
    total.virtualMs += f.virtualMs;
    total.cpuMs += f.cpuMs;
    total.failed.push(...f.failed);
  }
  if (figures.length > 1) table.push(rowOf('all', total));
  const failures = total.failed.map((name) => `  failed: ${name}\n`).join('');
  return `reference solution, CPU per part (one run per test, in process)\n${table.toString()}\n${failures}`;
}
