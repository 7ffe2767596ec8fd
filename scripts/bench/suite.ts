/**
 * The suite-level section of `npm run bench`: what running whole tests costs, as ratios against
 * baselines measured in the same run (absolute times vary with the machine and its load; ratios much less).
 *
 *   in-process      the 2C tests run one after another in this process (runLabTest): the baseline
 *   isolated        the same tests and seeds, each in a fresh worker (runIsolated): the cost of isolation
 *   pooled          the same, in one worker reused from test to test (a WorkerPool, as jest and stress do)
 *   jest            `jest tests/raft/2C.test.ts` with the same seed: what a student's `npm test -- 2C` costs
 *   stress          `npm run stress -- 2C -n 10 -p 2`: runs per minute, against the floor of an empty test
 *
 * Every way of running must give the same trace hash for the same test and seed; the section says so
 * (or fails loudly), which keeps "jest and stress agree" checked wherever the bench runs.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runLabTest } from '../../tests/harness';
import { labTestsOf, runIsolated, WorkerPool } from '../../tests/harness/worker';

const ROOT = path.resolve(__dirname, '../..');
const MODULE = path.join(ROOT, 'tests/raft/2C.tests.ts');
const JEST_FILE = 'tests/raft/2C.test.ts';
const EMPTY = path.join(ROOT, 'tests/harness/fixtures/isolated.fixture.ts');
const SEED = 1;
const realNow = performance.now.bind(performance);

type Row = [string, string, string, string];

async function inProcess(): Promise<{ ms: number; hashes: Map<string, string> }> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module under measurement
  const tests = labTestsOf(require(MODULE) as Record<string, unknown>);
  const hashes = new Map<string, string>();
  const start = realNow();
  for (const test of tests) {
    const result = await runLabTest(test, { seed: SEED, replay: 'bench', write: () => {} });
    if (result.error) throw result.error;
    hashes.set(test.name, result.traceHash);
  }
  return { ms: realNow() - start, hashes };
}

async function isolated(
  names: readonly string[],
  pool?: WorkerPool,
): Promise<{ ms: number; hashes: Map<string, string> }> {
  const hashes = new Map<string, string>();
  const start = realNow();
  for (const testName of names) {
    const spec = { moduleFile: MODULE, testName, seed: SEED };
    const outcome = await runIsolated(spec, { replay: 'bench', pool });
    if (!outcome.passed) throw new Error(outcome.message);
    hashes.set(testName, outcome.traceHash);
  }
  await pool?.close();
  return { ms: realNow() - start, hashes };
}

/** `jest <2C file>` with the seed fixed, as a student runs it; the trace hashes from its seed lines. */
function jest(): { ms: number; hashes: string[] } {
  const start = realNow();
  const child = spawnSync(process.execPath, [require.resolve('jest/bin/jest'), JEST_FILE], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, LAB_SEED: String(SEED), NO_COLOR: '1' },
  });
  const ms = realNow() - start;
  if (child.status !== 0) throw new Error(`jest ${JEST_FILE} failed:\n${child.stderr}`);
  const hashes = [...child.stderr.matchAll(/trace ([0-9a-f]{16})\]/g)].map((m) => m[1]); // lab lines go to stderr
  return { ms, hashes };
}

/** Runs per minute of `npm run stress -- <pattern> -n <runs> -p 2`. */
function stressRate(pattern: string, runs: number, tests?: string): number {
  const json = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-stress-')), 'runs.json');
  // As `npm run stress` starts it (package.json), without npm in front.
  const args = ['--require', 'tsx/cjs', 'scripts/stress.ts', pattern, '-n', String(runs), '-p', '2'];
  args.push('--seed', String(SEED), '--json', json, ...(tests === undefined ? [] : ['--tests', tests]));
  const start = realNow();
  const child = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
  const minutes = (realNow() - start) / 60_000;
  const total = (JSON.parse(fs.readFileSync(json, 'utf8')) as { total: number }).total;
  if (child.status !== 0) throw new Error(`stress ${pattern} failed:\n${child.stdout}`);
  return total / minutes;
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

/** Measure, check that every host gave the same trace hashes, and return the table rows. */
export async function suiteRows(): Promise<Row[]> {
  const local = await inProcess();
  const names = [...local.hashes.keys()];
  const worker = await isolated(names);
  const pooled = await isolated(names, new WorkerPool());
  const viaJest = jest();
  const expected = names.map((n) => local.hashes.get(n)?.slice(0, 16));
  const same =
    names.every((n) => worker.hashes.get(n) === local.hashes.get(n)) &&
    names.every((n) => pooled.hashes.get(n) === local.hashes.get(n)) &&
    JSON.stringify([...viaJest.hashes].sort()) === JSON.stringify([...expected].sort());
  if (!same)
    throw new Error('2C, seed 1: in-process, isolated, pooled and jest runs gave different trace hashes');
  const stress = stressRate('2C', 10);
  const floor = stressRate('isolated passes', 20, path.relative(ROOT, EMPTY));
  const label = `${path.relative(ROOT, MODULE)} (${names.length} tests, seed ${SEED}, same hashes everywhere)`;
  return [
    [`${label}: in-process (baseline)`, seconds(local.ms), '–', '1.0×'],
    [
      `${label}: each in a fresh worker`,
      seconds(worker.ms),
      'in-process',
      `${(worker.ms / local.ms).toFixed(2)}×`,
    ],
    [
      `${label}: one worker reused by the tests`,
      seconds(pooled.ms),
      'in-process',
      `${(pooled.ms / local.ms).toFixed(2)}×`,
    ],
    [
      `${label}: jest ${JEST_FILE}`,
      seconds(viaJest.ms),
      'in-process',
      `${(viaJest.ms / local.ms).toFixed(2)}×`,
    ],
    ['stress, an empty test (baseline)', `${floor.toFixed(0)} runs/min`, '–', '1.0×'],
    [
      'stress 2C -n 10 -p 2',
      `${stress.toFixed(0)} runs/min`,
      'empty test',
      `${(stress / floor).toFixed(2)}×`,
    ],
  ];
}
