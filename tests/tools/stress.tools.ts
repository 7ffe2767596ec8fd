/**
 * The stress runner, end to end, on the fixture tests in fixtures/stress.fixture.ts: failing seeds are
 * reported with replay commands that reproduce the same error, a `while (true) {}` is killed by the
 * watchdog and reported with the virtual time it reached, the determinism check catches real
 * randomness, bad input exits 2, and shards split the runs without overlap. Each CLI case runs
 * scripts/stress.ts in a process of its own (script-process.ts), one of them through the `tsx` command
 * exactly as `npm run stress` does.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runLabTest } from '../harness';
import { planRuns } from '../../scripts/stress';
import { jestFileFor, matchTests } from '../../scripts/stress/discover';
import type { StressOptions } from '../../scripts/stress/options';
import type { FoundTest } from '../../scripts/stress/types';
import { fixtureTests } from './fixtures/stress.fixture';
import { runScript } from './script-process';

const ROOT = path.resolve(__dirname, '../..');
const FIXTURE = 'tests/tools/fixtures/stress.fixture.ts';

interface JsonRun {
  test: string;
  seed: number;
  passed: boolean;
  hung: boolean;
  error: string | null;
  traceHash: string;
}

interface StressRun {
  status: number | null;
  stdout: string;
  stderr: string;
  runs: JsonRun[];
}

let tmp = '';
beforeAll(() => void (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stress-test-'))));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function stress(args: string[]): StressRun {
  const json = path.join(tmp, `run-${Math.random().toString(36).slice(2)}.json`);
  const all = [...args, '--tests', FIXTURE, '--out', tmp, '--json', json, '-p', '2'];
  const child = runScript('scripts/stress.ts', all);
  const runs = fs.existsSync(json)
    ? (JSON.parse(fs.readFileSync(json, 'utf8')) as { runs: JsonRun[] }).runs
    : [];
  return { ...child, runs };
}

test('failing seeds are listed with replay commands that reproduce the same error', async () => {
  const run = stress(['fails on some seeds', '-n', '6', '--seed', '1']);
  expect(run.status).toBe(1);
  const failed = run.runs.filter((r) => !r.passed);
  expect(failed.length).toBeGreaterThan(0);
  expect(failed.length).toBeLessThan(6);
  const first = failed[0];
  expect(run.stdout).toContain(`seed ${first.seed}`);
  expect(run.stdout).toContain(
    `npm run stress -- 'Test (harness): fixture fails on some seeds' -n 1 --seed ${first.seed}`,
  );

  // The printed stress form, run again: the same error and the same trace.
  const replay = stress([
    'Test (harness): fixture fails on some seeds',
    '-n',
    '1',
    '--seed',
    String(first.seed),
  ]);
  expect(replay.status).toBe(1);
  expect(replay.runs).toHaveLength(1);
  expect(replay.runs[0].error?.split('\n')[0]).toBe(first.error?.split('\n')[0]);
  expect(replay.runs[0].traceHash).toBe(first.traceHash);

  // And in this process, as jest runs it: the same trace hash.
  const test = fixtureTests[1];
  const result = await runLabTest(test, { seed: first.seed, replay: '-', traceDir: tmp, write: () => {} });
  expect(result.passed).toBe(false);
  expect(result.traceHash).toBe(first.traceHash);
});

test('the watchdog kills a `while (true) {}` and reports the virtual time it reached', () => {
  const run = stress(['fixture hangs', '-n', '1', '--seed', '7', '--hang', '0.5']);
  expect(run.status).toBe(1);
  expect(run.runs).toMatchObject([{ passed: false, hung: true }]);
  expect(run.runs[0].error).toContain('stuck inside one event at virtual time 0.250 s');
});

test('--check-determinism fails a test whose trace depends on real randomness', () => {
  const run = stress(['nondeterministic', '-n', '1', '--seed', '3', '--check-determinism']);
  expect(run.status).toBe(1);
  expect(run.runs[0].error).toMatch(/^NondeterminismError: seed 3 gave two different traces/);
});

test('--realtime runs a lab test on real timers, the code under test behind the boundary as always', () => {
  const child = runScript('scripts/stress.ts', [
    'Test (2A): initial election',
    '-n',
    '1',
    '--seed',
    '5',
    '--realtime',
    '--out',
    tmp,
    '-p',
    '1',
  ]);
  expect(child.status).toBe(0);
  expect(child.stdout).toMatch(/1 runs, 0 failed/);
});

test('bad input exits 2 with a message that says what was expected', () => {
  const zero = stress(['fixture', '-n', '0']);
  expect(zero.status).toBe(2);
  expect(zero.stderr).toContain('Expected -n to be a positive integer, got `0`');
  const none = stress(['no such test']);
  expect(none.status).toBe(2);
  expect(none.stderr).toContain('No test matches `no such test`');
});

describe('planning', () => {
  const found: FoundTest[] = fixtureTests.map((t) => ({
    name: t.name,
    part: t.part,
    moduleFile: FIXTURE,
    jestFile: undefined,
  }));
  const options = (shard?: { index: number; count: number }): StressOptions => ({
    pattern: '',
    runs: 5,
    parallel: 1,
    firstSeed: 40,
    shard,
    json: undefined,
    realtime: false,
    checkDeterminism: false,
    tests: undefined,
    hangMs: 1000,
    memoryMb: 2048,
    traceDir: tmp,
    keepTraces: false,
  });

  test('run k of every test gets seed s+k', () => {
    const seeds = planRuns(found.slice(0, 1), options()).map((spec) => spec.seed);
    expect(seeds).toEqual([40, 41, 42, 43, 44]);
  });

  test('shards i/n split the runs: together all of them, none twice', () => {
    const key = (spec: { test: FoundTest; seed: number }): string => `${spec.test.name}#${spec.seed}`;
    const all = planRuns(found, options()).map(key);
    const shards = [1, 2, 3].map((index) => planRuns(found, options({ index, count: 3 })).map(key));
    expect(shards.flat().sort()).toEqual([...all].sort());
  });

  test('the replay names the jest file that registers the test module', () => {
    const kv = path.join(ROOT, 'tests/kvraft');
    expect(jestFileFor(path.join(kv, '3A.tests.ts'))).toBe(path.join(kv, '3A.test.ts'));
    expect(jestFileFor(path.join(ROOT, 'tests/raft/2A.tests.ts'))).toBe(
      path.join(ROOT, 'tests/raft/2A.test.ts'),
    );
  });

  test('an exact title selects only that test; otherwise part or part of a title', () => {
    expect(matchTests(found, 'Test (harness): fixture hangs').map((t) => t.name)).toEqual([
      'Test (harness): fixture hangs',
    ]);
    expect(matchTests(found, 'HARNESS')).toHaveLength(4);
    expect(matchTests(found, 'fails on')).toHaveLength(1);
  });
});

test('the runner ends after its runs even when a test module started a real timer at load', () => {
  // The module (like a student's raft.ts with a stray line) starts a setInterval when it loads, and the
  // runner imports it to learn the titles; its runs pass in their workers, and the runner must still end.
  const module = 'tests/harness/fixtures/timer-at-load.fixture.ts';
  const run = runScript('scripts/stress.ts', [
    'real timer',
    '-n',
    '1',
    '-p',
    '1',
    '--tests',
    module,
    '--out',
    tmp,
  ]);
  expect(run.status).toBe(0);
  expect(run.stdout).toContain('1 runs, 0 failed');
});
