/**
 * The per-part section of `npm run bench`: what the labs in this tree cost (the reference solution, or a
 * student's code in a handout), part by part, and what the invariant monitor adds to it.
 *
 * Every lab test (2A–4B) runs in this process at a fixed seed (so every run simulates the same events),
 * and its CPU time (process.cpuUsage: user + system, less sensitive than wall time to other programs on
 * the machine) is summed per part. The baseline, measured in the same run, is a bare loop of 100,000
 * one-millisecond timers under the same driver: a part's ratio says how many such loops its tests cost,
 * which stays comparable across machines while absolute times do not. A test that fails is named under
 * the table (its time still counts: a failure there is a finding, not a reason to hide it).
 *
 * The monitor's cost: each test runs twice, with the invariant monitor and without it (RunOptions.monitor),
 * the order alternating from test to test so that warm-up and drift fall on both sides alike; the ratio
 * of the two sums is the monitor's overhead on the same runs. The monitor only watches, so both runs of
 * a test must give the same trace hash: a difference is named under the table.
 */
import path from 'node:path';
import Table from 'cli-table3';
import pc from 'picocolors';
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
  /** CPU of the runs as npm test makes them (monitor on). */
  cpuMs: number;
  /** CPU of the same runs without the invariant monitor. */
  unmonitoredCpuMs: number;
  /** Tests whose two runs (monitor on and off) gave different trace hashes. */
  hashesDiffer: string[];
  /** Tests whose runs differ even with the same setting (state kept from one run to the next). */
  unrepeatable: string[];
}

function cpuMsOf(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

interface Measured {
  cpuMs: number;
  virtualMs: number;
  passed: boolean;
  traceHash: string;
}

/** CPU ms of one run of `test` at `seed`, with its virtual time, verdict and trace hash. */
async function measure(test: LabTest, seed: number, monitor = true): Promise<Measured> {
  const start = process.cpuUsage();
  const replay = `npm run bench (seed ${seed})`;
  const result = await runLabTest(test, { seed, replay, write: () => {}, monitor });
  return {
    cpuMs: cpuMsOf(start),
    virtualMs: result.virtualMs,
    passed: result.passed,
    traceHash: result.traceHash,
  };
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

const emptyRow = (part: Part): PartFigures => ({
  part,
  tests: 0,
  failed: [],
  virtualMs: 0,
  cpuMs: 0,
  unmonitoredCpuMs: 0,
  hashesDiffer: [],
  unrepeatable: [],
});

export async function benchParts(parts: readonly Part[], seed: number): Promise<PartFigures[]> {
  const tests = labTests(parts);
  const figures: PartFigures[] = [];
  let monitorFirst = true;
  for (const part of parts) {
    const row = emptyRow(part);
    for (const test of tests.filter((t) => t.part === part)) {
      const firstOn = monitorFirst;
      monitorFirst = !monitorFirst;
      const first = await measure(test, seed, firstOn);
      const second = await measure(test, seed, !firstOn);
      const [on, off] = firstOn ? [first, second] : [second, first];
      row.tests += 1;
      row.cpuMs += on.cpuMs;
      row.unmonitoredCpuMs += off.cpuMs;
      row.virtualMs += on.virtualMs;
      if (!on.passed || !off.passed) row.failed.push(test.name);
      if (on.traceHash !== off.traceHash) {
        // Is it the monitor, or a test that does not repeat in one process (state kept between runs)?
        // Each setting once more: only if both give their hash again is the monitor to blame.
        const repeats =
          (await measure(test, seed, !firstOn)).traceHash === second.traceHash &&
          (await measure(test, seed, firstOn)).traceHash === first.traceHash;
        row[repeats ? 'hashesDiffer' : 'unrepeatable'].push(test.name);
      }
    }
    figures.push(row);
  }
  return figures;
}

/** "+12.3 %": what the monitor adds to the CPU of the same runs. */
function overhead(f: PartFigures): string {
  if (f.unmonitoredCpuMs === 0) return '–';
  const percent = (f.cpuMs / f.unmonitoredCpuMs - 1) * 100;
  return `${percent >= 0 ? '+' : ''}${percent.toFixed(1)} %`;
}

/** cli-table3's colours only where the stress runner prints them too: none when piped or NO_COLOR. */
export function tableStyle(): { head: string[]; border?: string[] } {
  return pc.isColorSupported ? { head: ['cyan'] } : { head: [], border: [] };
}

/** The section's table: per part, CPU time against the timer-loop baseline. */
export function partsTable(figures: readonly PartFigures[], baselineMs: number, seed: number): string {
  const table = new Table({
    style: tableStyle(),
    head: [
      `part (seed ${seed})`,
      'tests',
      'virtual',
      'CPU',
      'baseline',
      'ratio',
      'CPU, no monitor',
      'monitor',
    ],
  });
  const total = emptyRow('2A');
  const rowOf = (label: string, f: PartFigures): string[] => [
    f.failed.length === 0 ? label : `${label} (${f.failed.length} failed)`,
    String(f.tests),
    `${(f.virtualMs / 1000).toFixed(0)} s`,
    `${(f.cpuMs / 1000).toFixed(2)} s`,
    `${BASELINE_TIMERS / 1000}k timers ${baselineMs.toFixed(0)} ms`,
    `${(f.cpuMs / baselineMs).toFixed(1)}×`,
    `${(f.unmonitoredCpuMs / 1000).toFixed(2)} s`,
    overhead(f),
  ];
  for (const f of figures) {
    table.push(rowOf(f.part, f));
    total.tests += f.tests;
    total.virtualMs += f.virtualMs;
    total.cpuMs += f.cpuMs;
    total.unmonitoredCpuMs += f.unmonitoredCpuMs;
    total.failed.push(...f.failed);
    total.hashesDiffer.push(...f.hashesDiffer);
    total.unrepeatable.push(...f.unrepeatable);
  }
  if (figures.length > 1) table.push(rowOf('all', total));
  const failures = total.failed.map((name) => `  failed: ${name}\n`).join('');
  const differ = total.hashesDiffer.map((name) => `  trace hash differs without the monitor: ${name}\n`);
  // In one process only: a worker (npm test, stress) evaluates the modules afresh for every run.
  const unrepeatable = total.unrepeatable.map(
    (name) => `  not repeatable in one process (its trace changes from one run to the next): ${name}\n`,
  );
  const same = differ.length === 0 ? 'same trace hashes with and without it' : 'TRACE HASHES DIFFER';
  return (
    'CPU per part of the raft/, kvraft/, shardctrler/ and shardkv/ in this tree (in process; each test run ' +
    'with the invariant monitor and ' +
    `without it, ${same})\n${table.toString()}\n${failures}${differ.join('')}${unrepeatable.join('')}`
  );
}
