/**
 * The boundary between the tester and the code under test (tests/harness/boundary), end to end:
 *
 * - the same seed gives the same run in both modes: a test run in this thread (`npm test`) and the
 *   same test with the code under test in a child process (how the grader runs every part) pass alike
 *   and their traces hash the same — for tests of every part, 2A to 4B, scripted ones included;
 * - a child that lies, crashes or stops answering fails its own run, with a reason, in bounded time.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ROOT } from './grade-fixtures';
import { allowedCpuList, canPin, parseCpuList } from '../harness/boundary/affinity';

jest.setTimeout(600_000);

interface Compared {
  name: string;
  here: { passed: boolean; hash: string; error?: string };
  child: { passed: boolean; hash: string; error?: string; wallMs: number };
}

function compare(seed: number, names: string[], env: Record<string, string> = {}): Compared[] {
  const script = path.join(ROOT, 'tests', 'tools', 'fixtures', 'boundary-compare.ts');
  const out = spawnSync(process.execPath, ['--require', 'tsx/cjs', script, String(seed), ...names], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 500_000,
  });
  if (out.status !== 0) throw new Error(`boundary-compare failed: ${out.stderr}`);
  return out.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Compared);
}

describe('the same seed, in this thread and across the boundary', () => {
  const byPart = [
    'Test (2A): election after network failure',
    'Test (2A): a stale leader steps down on a reply with a newer term, scripted',
    'Test (2B): leader backs up quickly over incorrect follower logs',
    'Test (2C): Figure 8 (unreliable)',
    'Test (2D): install snapshots (unreliable+crash)',
    'Test (2E): random changes, unreliable network, crashes',
    'Test: partitions, one client (3A)',
    'Test: unreliable net, restarts, partitions, snapshots, random keys, many clients (3B)',
    'Test: membership changes, partitions, snapshots, many clients (3C)',
    'Test: Multi-group join/leave',
    'Test: unreliable 3',
    'Test: unaffected shard access (challenge 2)',
    "Test: a shard's duplicate table moves with it, scripted",
  ];
  // The second seed runs as the grader runs it on Linux: the tester's and the child's main threads on one
  // core (affinity.ts), which changes when things happen in real time and nothing else.
  const cpu = canPin() ? String(parseCpuList(allowedCpuList() ?? '')[0] ?? '') : '';
  const runs: [number, Record<string, string>][] = [
    [11, {}],
    [6824, cpu === '' ? {} : { BOUNDARY_CPU: cpu }],
  ];
  test.each(runs)('seed %i: every part passes in both modes with equal trace hashes (%j)', (seed, env) => {
    const results = compare(seed, byPart, env);
    expect(results.map((r) => r.name)).toEqual(byPart);
    for (const r of results) {
      expect({ name: r.name, here: r.here.passed, child: r.child.passed, error: r.child.error }).toEqual({
        name: r.name,
        here: true,
        child: true,
        error: undefined,
      });
      expect({ name: r.name, hash: r.child.hash }).toEqual({ name: r.name, hash: r.here.hash });
    }
  });
});

describe('a child that breaks the protocol fails its own run, with a reason', () => {
  const name = 'Test (2A): initial election';
  const cases: [string, string, RegExp][] = [
    ['sends garbage', 'garbage', /broke the protocol|not a list of effects/],
    ['sends effects of the wrong shape', 'wrong-shape', /not a list of effects/],
    ['exits in the middle of a step', 'exit', /ended \(exit code 3\)/],
    [
      'never answers',
      'silent',
      /^HungRun: no progress for 5\.0 s of real time: the code under test did not finish/,
    ],
  ];
  test.each(cases)('a child that %s', (_, how, why) => {
    const started = Date.now();
    const liar = path.join(ROOT, 'tests', 'tools', 'fixtures', 'boundary-liar.js');
    const [result] = compare(1, [name], { BOUNDARY_CHILD: JSON.stringify([process.execPath, liar, how]) });
    expect(result.here.passed).toBe(true);
    expect(result.child.passed).toBe(false);
    expect(result.child.error).toMatch(why);
    expect(Date.now() - started).toBeLessThan(60_000);
  });
});
