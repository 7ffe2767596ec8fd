/**
 * `npm test` as a student meets it: the lab runner (tests/harness/jest-runner.ts) runs each lab test in
 * an isolated worker. Runs jest, as a user would, on tests/harness/fixtures/jest-host.fixture.ts (the
 * isolated fixtures, registered by path like a lab file): printed lines and the seed line, each failure
 * once with its own message and the student's code frame, a hang that ends, LAB_CHECK_DETERMINISM and
 * LAB_REALTIME lines, a module that cannot be listed. A file registering an imported array still runs
 * through jest's sandbox (tests/harness/jest.ts), and jest still ends when its module started a timer at
 * load. And the test sequencer that keeps `npm test -- 2B` to the 2B files wherever the checkout lives.
 * Starting jest is most of what each case costs: two jest runs serve them all.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const JEST = require.resolve('jest/bin/jest');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- plain CommonJS, loaded as jest loads it
const LabSequencer = require('../harness/jest-sequencer.js') as new (options: object) => {
  keeps(test: { path: string; context: { config: { rootDir: string } } }): boolean;
};

function jest(
  files: string,
  titles: string,
  env: Record<string, string> = {},
): { status: number | null; signal: string | null; out: string } {
  const args = [
    JEST,
    '-i',
    '--verbose',
    '--testMatch',
    `<rootDir>/tests/harness/fixtures/${files}`,
    '-t',
    titles,
  ];
  const child = spawnSync(process.execPath, args, {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000, // jest once waited for ever on a timer a module started at load
    env: { ...process.env, NO_COLOR: '1', LAB_SEED: '5', LAB_HANG_MS: '1500', ...env },
  });
  return { status: child.status, signal: child.signal, out: child.stdout + child.stderr };
}

const count = (text: string, part: string): number => text.split(part).length - 1;

// The first run: the isolated fixtures under LAB_CHECK_DETERMINISM=1, which runs a passing test twice
// and a failing one once, so everything a failure prints is as without it. The second, under
// LAB_REALTIME (the path without a second run): the passing fixture, the module that cannot be listed,
// and the sandboxed file whose module starts a timer at load.
let checked = { status: null as number | null, signal: null as string | null, out: '' };
let real = { status: null as number | null, signal: null as string | null, out: '' };
beforeAll(() => {
  const titles = 'passes|fails with a diagnosis|never yields|process.exit|uses a real timer';
  checked = jest('jest-host.fixture.ts', titles, { LAB_CHECK_DETERMINISM: '1' });
  const files = 'jest-{host,host-timer,listing}.fixture.ts';
  real = jest(files, 'isolated passes|a real timer started at load|the tests of', { LAB_REALTIME: '1' });
});

test('lab tests run isolated: output, one message per failure, the student frame, a hang that ends', () => {
  const { status, out } = checked;
  expect(status).toBe(1);
  expect(count(out, 'Test (harness): isolated passes ...\n  ... Passed\n')).toBe(1);
  expect(out).toMatch(/ {2}\[seed 5 · 0\.1 s virtual · [\d.]+ s CPU · trace [0-9a-f]{16}\]/);
  for (const headline of [
    'LabCheckFailure: expected one leader, got none\n      diagnosis:',
    'HungRun: no progress for 1.5 s of real time: stuck inside one event at virtual time 0.250 s',
    'ProcessExit: process.exit(0) was called during the run, at Object.body',
    'RealTimerError: a real setInterval was called during a virtual run, at Object.body',
  ]) {
    expect(count(out, headline)).toBe(1);
  }
  expect(out).toContain(
    "replay: LAB_SEED=5 npm test -- tests/harness/fixtures/jest-host.fixture.ts -t '^Test \\(harness\\): isolated never yields$'",
  );
  expect(out).toMatch(/> +\d+ \| +loadTimeSetInterval\(/); // jest's code frame: the student's line
  expect(out).not.toContain('Summary of all failing tests');
});

test('LAB_CHECK_DETERMINISM passes a deterministic test and prints its Passed line once', () => {
  expect(checked.out).toMatch(/✓ Test \(harness\): isolated passes\b/);
  expect(checked.out).not.toContain('NondeterminismError');
  expect(count(checked.out, '  ... Passed\n')).toBe(1);
});

test('LAB_REALTIME labels real seconds', () => {
  expect(real.signal).toBeNull();
  expect(real.out).toContain('✓ Test (harness): isolated passes');
  expect(count(real.out, '  ... Passed\n')).toBe(1); // the sandboxed fixture prints no lines
  expect(real.out).toMatch(/\[seed 5 · 0\.\d s real · [\d.]+ s CPU · trace/);
  expect(real.out).not.toContain('did not exit');
});

describe('the test sequencer', () => {
  const sequencer = (patterns: string[]): InstanceType<typeof LabSequencer> =>
    new LabSequencer({ contexts: [], globalConfig: { testPathPatterns: { patterns } } });
  const file = (
    rootDir: string,
    rel: string,
  ): { path: string; context: { config: { rootDir: string } } } => ({
    path: path.join(rootDir, rel),
    context: { config: { rootDir } },
  });

  test('a part matches paths inside the checkout, even one under a folder named lab2b', () => {
    const root = '/home/student/lab2b/raftlab';
    const only2B = sequencer(['2B']);
    expect(only2B.keeps(file(root, 'tests/raft/2B.test.ts'))).toBe(true);
    expect(only2B.keeps(file(root, 'tests/raft/2A.test.ts'))).toBe(false);
    expect(only2B.keeps(file(root, 'tests/kvraft/3A.test.ts'))).toBe(false);
  });

  test('a part selects its files; a path pattern and no pattern keep working', () => {
    const root = '/w/3a';
    expect(sequencer(['3A']).keeps(file(root, 'tests/kvraft/3A.test.ts'))).toBe(true);
    expect(sequencer(['3A']).keeps(file(root, 'tests/kvraft/3B.test.ts'))).toBe(false);
    expect(sequencer(['tests/raft/2A.test.ts']).keeps(file(root, 'tests/raft/2A.test.ts'))).toBe(true);
    expect(sequencer([`${root}/tests/raft/2A`]).keeps(file(root, 'tests/raft/2A.test.ts'))).toBe(true);
    expect(sequencer([]).keeps(file(root, 'tests/raft/2C.test.ts'))).toBe(true);
  });
});

test('a file of imported tests runs through the sandbox, and jest ends though its module started a real timer at load', () => {
  expect(real.signal).toBeNull(); // it used to wait on the interval forever
  expect(real.out).toContain('✓ Test (harness): a real timer started at load');
  expect(real.out).toContain('PASS tests/harness/fixtures/jest-host-timer.fixture.ts');
});

test('a test module that cannot be listed fails its file with a message naming the module and why', () => {
  expect(real.status).toBe(1);
  expect(real.out).toContain('FAIL tests/harness/fixtures/jest-listing.fixture.ts');
  expect(real.out).toContain('✕ the tests of tests/harness/fixtures/load-throw.fixture.ts');
  expect(real.out).toContain(
    'ListingError: tests/harness/fixtures/load-throw.fixture.ts threw while loading, so its tests cannot be ' +
      'listed: Error: raft.ts: half-written',
  );
});
