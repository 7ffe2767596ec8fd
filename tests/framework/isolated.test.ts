/**
 * Isolated runs (tests/harness/worker): one test in a fresh worker, judged by the parent. Every way a
 * run can misbehave ends as a failed run with its own message naming the seed, the virtual time and the
 * replay command, never as a hang or a crashed runner; a test module in another project root runs from
 * that root; and the verdict and trace hash are those of an in-process run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runLabTest } from '../harness';
import { studentFramesFirst } from '../harness/failure';
import { runIsolated, type IsolatedOptions, type IsolatedOutcome } from '../harness/worker';
import { isolatedFixtures } from '../harness/fixtures/isolated.fixture';

const ROOT = path.resolve(__dirname, '../..');
const FIXTURE = path.join(ROOT, 'tests/harness/fixtures/isolated.fixture.ts');
const POST_AT_LOAD = path.join(ROOT, 'tests/harness/fixtures/post-at-load.fixture.ts');

// The watchdog's limit for the runs that are meant to hang: their fixture does nothing but spin after a
// short sleep, so the verdict and the virtual time are the same as with any longer limit, and each
// case burns a core only this long. Runs that must not hang keep 3 s, so a loaded machine never
// mistakes a slow step for a hang.
const EXPECTED_HANG_MS = 500;
// The heap cap of the out-of-memory case: the worker loads in well under it, and the fixture passes it
// after a few steps (with a larger cap the same verdict comes only after a long fight with the GC).
const SMALL_HEAP_MB = 32;

let tmp = '';
beforeAll(() => void (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'isolated-test-'))));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function run(title: string, options: Partial<IsolatedOptions> = {}, seed = 5): Promise<IsolatedOutcome> {
  const spec = { moduleFile: options.root === undefined ? FIXTURE : path.relative(ROOT, FIXTURE), seed };
  return runIsolated(
    { ...spec, testName: `Test (harness): isolated ${title}` },
    {
      replay: `LAB_SEED=${seed} replay-${title.replace(/\W+/g, '-')}`,
      traceDir: tmp,
      hangMs: 3000,
      ...options,
    },
  );
}

/** Every failure message ends with the test, its seed and time, and the replay command. */
function expectFramed(outcome: IsolatedOutcome, seedLine: RegExp): void {
  expect(outcome.passed).toBe(false);
  expect(outcome.message).toContain(`  test:   ${outcome.test}`);
  expect(outcome.message).toMatch(seedLine);
  expect(outcome.message).toMatch(/\n {2}replay: LAB_SEED=5 replay-/);
}

test('a passing run streams its printed lines and matches an in-process run', async () => {
  const streamed: string[] = [];
  const outcome = await run('passes', { onLine: (text) => streamed.push(text) });
  expect(outcome).toMatchObject({ verdict: 'pass', passed: true, virtualMs: 100 });
  expect(outcome.lines).toEqual(['Test (harness): isolated passes ...', '  ... Passed']);
  expect(streamed).toEqual(['Test (harness): isolated passes ...\n', '  ... Passed\n']);
  const local = await runLabTest(isolatedFixtures[0], {
    seed: 5,
    replay: '-',
    write: () => {},
    traceDir: tmp,
  });
  expect(outcome.traceHash).toBe(local.traceHash);
});

test('a failing run prints its diagnosis (a throwing one caught) and the pending timers', async () => {
  const outcome = await run('fails with a diagnosis');
  expect(outcome.verdict).toBe('fail');
  expect(outcome.message).toMatch(/^LabCheckFailure: expected one leader, got none\n {2}diagnosis:\n/);
  expect(outcome.message).toContain('    S0 follower T1, last heard from a leader at 0.000 s\n');
  expect(outcome.message).toContain('    (a diagnosis failed: Error: diagnosis bug)\n');
  expect(outcome.message).toContain('    1 timer pending, the next due at virtual time 5.000 s\n');
  expectFramed(outcome, /seed: {3}5 \(failed at virtual time 1\.200 s\)/);
  expect(outcome.traceFile).toBeDefined();
  expect(outcome.frames[0]).toContain('isolated.fixture.ts');
});

test('a body that never yields is stopped by the watchdog (HungRun), which first looks inside', async () => {
  const outcome = await run('never yields', { hangMs: EXPECTED_HANG_MS });
  expect(outcome.verdict).toBe('hung');
  // The inspector paused the worker: the message names the line that spins and the trace was saved.
  expect(outcome.message).toMatch(
    /^HungRun: no progress for 0\.5 s of real time: stuck inside one event at virtual time 0\.250 s, in the framework, at body \(tests\/harness\/fixtures\/isolated\.fixture\.ts:\d+:\d+\)\. The worker was terminated, after saving its trace up to the last completed event\./,
  );
  expect(outcome.message).toContain(
    '\n    the stack at one of them, innermost first:\n      body (tests/harness/',
  );
  expect(outcome.traceFile).toBeDefined();
  expect(fs.readFileSync(outcome.traceFile ?? '', 'utf8')).toContain('"hung":');
  expectFramed(outcome, /seed: {3}5 \(hung at virtual time 0\.250 s\)/);
});

test('a microtask loop that starves the clock is stopped too', async () => {
  const outcome = await run('starves the event loop with microtasks', { hangMs: EXPECTED_HANG_MS });
  expect(outcome.verdict).toBe('hung');
  expect(outcome.message).toContain('stuck inside one event at virtual time 0.300 s');
});

test('events that keep firing while virtual time stands still are stopped as well', async () => {
  const outcome = await run('spends real seconds on events at one instant', { hangMs: EXPECTED_HANG_MS });
  expect(outcome.verdict).toBe('hung');
  expect(outcome.message).toMatch(
    /^HungRun: no progress for 0\.5 s of real time: virtual time stood still at 0\.101 s while events kept firing/,
  );
});

test('a heap that grows without bound ends as out of memory, not a fatal error', async () => {
  const outcome = await run('grows without bound', { memoryMb: SMALL_HEAP_MB });
  expect(outcome.verdict).toBe('out-of-memory');
  expect(outcome.message).toMatch(/^OutOfMemory: the run used more than its 32 MB heap/);
  expectFramed(outcome, /seed: {3}5 \(stopped at virtual time \d+\.\d{3} s\)/);
  // The heap filled while the fixture grew its log (a heartbeat each 100 ms), not while the worker loaded.
  expect(outcome.virtualMs).toBeGreaterThanOrEqual(100);
});

test('process.exit during a run is a failed run naming the call', async () => {
  const outcome = await run('calls process.exit');
  expect(outcome.verdict).toBe('exited');
  expect(outcome.message).toMatch(
    /^ProcessExit: process\.exit\(0\) was called during the run, at .*isolated\.fixture\.ts:\d+/,
  );
  expectFramed(outcome, /seed: {3}5 \(stopped at virtual time 0\.400 s\)/);
});

test('a real timer captured at module load fails the run, naming the call site', async () => {
  const outcome = await run('uses a real timer captured at load');
  expect(outcome.verdict).toBe('fail');
  expect(outcome.message).toMatch(
    /^RealTimerError: a real setInterval was called during a virtual run, at .*isolated\.fixture\.ts:\d+/,
  );
  expectFramed(outcome, /seed: {3}5 \(failed at virtual time 0\.100 s\)/);
});

test.each([
  ['awaits a promise timer captured at load', 'setTimeout of node:timers/promises'],
  ['waits on AbortSignal.timeout', 'AbortSignal.timeout'],
])('a promise timer the clock cannot fake fails the run, naming the call site: %s', async (title, what) => {
  const outcome = await run(title);
  expect(outcome.verdict).toBe('fail');
  expect(outcome.message).toMatch(
    new RegExp(
      `^RealTimerError: a real ${what} was called during a virtual run, at .*isolated\\.fixture\\.ts:\\d+`,
    ),
  );
  expectFramed(outcome, /seed: {3}5 \(failed at virtual time 0\.100 s\)/);
});

test('a missing await in a loop that reads the clock is a busy-wait, not a hang', async () => {
  const outcome = await run('forgets an await in a loop', { hangMs: 30_000 });
  expect(outcome.verdict).toBe('fail');
  expect(outcome.message).toMatch(/^BusyWaitError: busy-wait detected at virtual time 0\.500 s/);
});

test('Math.random cannot be replaced by the code under test', async () => {
  const outcome = await run('replaces Math.random');
  expect(outcome.verdict).toBe('pass');
});

test('a module that reaches for node:worker_threads to post a verdict cannot load it: the run fails, naming why', async () => {
  const outcome = await runIsolated(
    { moduleFile: POST_AT_LOAD, testName: 'Test (harness): isolated posts a verdict at load', seed: 5 },
    { replay: 'LAB_SEED=5 replay', traceDir: tmp },
  );
  expect(outcome.passed).toBe(false);
  expect(outcome.message).toMatch(
    /the built-in module 'node:worker_threads' is not available during a lab run \(lab code may use assert, /,
  );
});

test('with verifyTrace a pass needs a saved trace whose lines hash to the reported hash', async () => {
  const outcome = await run('passes', { verifyTrace: true });
  expect(outcome.verdict).toBe('pass');
  expect(outcome.traceFile).toBeDefined();
});

test('a test module in another project root runs from that root', async () => {
  const copy = path.join(tmp, 'checkout');
  fs.cpSync(ROOT, copy, {
    recursive: true,
    filter: (src) => !/[/\\](node_modules|\.lab|\.git|out)$/.test(src),
  });
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
  const outcome = await run('fails with a diagnosis', { root: copy, traceDir: '.lab/traces' });
  expect(outcome.verdict).toBe('fail');
  expect(outcome.traceFile).toBe(
    path.join(copy, '.lab/traces/harness-isolated-fails-with-a-diagnosis-seed5.jsonl'),
  );
  expect(outcome.frames[0]).toContain(path.join(copy, 'tests/harness/fixtures/isolated.fixture.ts'));
});

test("a failure's frames: the student's first, then the test's own line, then its helpers, the harness last", () => {
  const stack = [
    'LabCheckFailure: expected one leader, got none',
    '    at drive (/p/tests/harness/driver.ts:10:3)',
    '    at checkOneLeader (/p/tests/raft/checks.ts:35:11)',
    '    at Object.body (/p/tests/raft/2A.tests.ts:40:5)',
    '    at Raft.tick (/p/raft/raft.ts:7:9)',
  ].join('\n');
  expect(studentFramesFirst(stack).map((frame) => /\((.*):\d+:\d+\)/.exec(frame)?.[1])).toEqual([
    '/p/raft/raft.ts',
    '/p/tests/raft/2A.tests.ts',
    '/p/tests/raft/checks.ts',
    '/p/tests/harness/driver.ts',
  ]);
});
