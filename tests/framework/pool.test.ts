/**
 * Reused workers (tests/harness/worker/pool.ts): the tests of a file share a worker while they pass, and
 * still each run starts from fresh module state, gives the trace a fresh worker gives, and is judged as
 * its replay (alone, in a fresh worker) would judge it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  bundleFor,
  runIsolated,
  WorkerPool,
  type IsolatedOutcome,
  type ParkedWorker,
} from '../harness/worker';
import type { WorkerLimits } from '../harness/worker/pool';
import type { WorkerInput } from '../harness/worker/types';

const ROOT = path.resolve(__dirname, '../..');
const FIXTURE = path.join(ROOT, 'tests/harness/fixtures/pool.fixture.ts');
const LAB_2A = path.join(ROOT, 'tests/raft/2A.tests.ts');
const LIMITS: WorkerLimits = { hangMs: 5000, hardWallMs: 60_000, memoryMb: 512 };

let tmp = '';
let pool = new WorkerPool();
beforeAll(() => void (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pool-test-'))));
beforeEach(() => void (pool = new WorkerPool()));
afterEach(() => pool.close());
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function input(title: string, seed = 3): WorkerInput {
  return {
    moduleFile: FIXTURE,
    testName: `Test (harness): pool ${title}`,
    seed,
    replay: 'replay',
    realtime: false,
    traceDir: tmp,
    keepTrace: false,
    wallLimitMs: 60_000,
    streamDebug: false,
  };
}

/** One run of the fixture in the pool: whether it passed, and whether its worker had run before. */
async function pooled(title: string): Promise<{ passed: boolean; reused: boolean }> {
  const result = await pool.run(await bundleFor(FIXTURE), input(title), LIMITS);
  return { passed: result.kind === 'report' && result.report.passed, reused: result.reused };
}

test('a reused worker starts every run from fresh module state', async () => {
  expect(await pooled('counts the runs of its module')).toEqual({ passed: true, reused: false });
  expect(await pooled('counts the runs of its module')).toEqual({ passed: true, reused: true });
  expect(await pooled('counts the runs of its module')).toEqual({ passed: true, reused: true });
});

test('a pool closed with a shelf parks its idle worker there, and the next pool runs in it', async () => {
  const shelf: ParkedWorker[] = [];
  pool = new WorkerPool({ shelf });
  expect(await pooled('counts the runs of its module')).toEqual({ passed: true, reused: false });
  await pool.close();
  expect(shelf).toHaveLength(1);
  pool = new WorkerPool({ shelf });
  expect(await pooled('counts the runs of its module')).toEqual({ passed: true, reused: true });
  expect(shelf).toHaveLength(0);
  await pool.close(); // parks it again: end it here
  await Promise.all(shelf.map((parked) => parked.worker.terminate()));
});

test('a run that leaves a global, a patched framework class or an open handle retires its worker', async () => {
  for (const leaver of ['leaves a global', 'patches a framework class', 'leaves a port open']) {
    expect(await pooled(leaver)).toMatchObject({ passed: true });
    expect(await pooled('counts the runs of its module')).toEqual({ passed: true, reused: false });
  }
});

test('a test gives the same trace after other tests in its worker as alone in a fresh one', async () => {
  const spec = (testName: string): { moduleFile: string; testName: string; seed: number } => ({
    moduleFile: LAB_2A,
    testName,
    seed: 11,
  });
  const run = (testName: string, shared?: WorkerPool): Promise<IsolatedOutcome> =>
    runIsolated(spec(testName), { replay: 'replay', traceDir: tmp, pool: shared });
  await run('Test (2A): initial election', pool);
  const afterAnother = await run('Test (2A): election after network failure', pool);
  const alone = await run('Test (2A): election after network failure');
  expect(afterAnother.passed).toBe(true);
  expect(afterAnother.traceHash).toBe(alone.traceHash);
});

test('a failure in a reused worker is judged by a fresh run, as its replay would be', async () => {
  const run = (title: string): Promise<IsolatedOutcome> =>
    runIsolated(
      { moduleFile: FIXTURE, testName: `Test (harness): pool ${title}`, seed: 3 },
      { replay: 'replay', traceDir: tmp, pool },
    );
  expect((await run('changes a setting deep inside a builtin')).passed).toBe(true);
  const outcome = await run('needs the builtin settings untouched');
  expect(outcome.passed).toBe(true);
  expect(outcome.lines.at(-1)).toMatch(
    /failed in a worker that had run other tests.*passed alone in a fresh one/,
  );
});
