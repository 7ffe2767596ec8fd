/**
 * `npm run explore`, in seconds: its pieces (ddmin, the seeded schedule) and one end-to-end search on a
 * planted bug (fixtures/explore.fixture.ts: followers that forget their log on restart, which the
 * fixture's own script never shows). Explore must find it within a few runs on a fixed seed, shrink the
 * schedule to the one crash that matters, tell the story with the monitor's rule id, write a scripted
 * test that the stress runner replays to the same violation, and exit 1; bad input exits 2.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ddmin } from '../../scripts/explore/ddmin';
import { eventRandom, generatePlan } from '../explore/plan';
import { runLabTest } from '../harness';
import { StudentRandomSkew } from '../harness/student-random';
import { exploreReplay } from '../explore/replay';
import * as twoA from '../raft/2A.tests';
import { runScript } from './script-process';

const FIXTURE = 'tests/tools/fixtures/explore.fixture.ts';

// Inside the project (in the git-ignored .lab/, as a student's would be): the scripted test explore
// writes imports the project's modules, which resolve only from within it.
const ROOT = path.resolve(__dirname, '../..');
let tmp = '';
beforeAll(() => {
  fs.mkdirSync(path.join(ROOT, '.lab'), { recursive: true });
  tmp = fs.mkdtempSync(path.join(ROOT, '.lab', 'explore-test-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('ddmin', () => {
  const failsWithBoth = (items: readonly number[]): Promise<boolean> =>
    Promise.resolve(items.includes(3) && items.includes(17));

  test('keeps exactly the items the failure needs, whatever the parallelism', async () => {
    const items = Array.from({ length: 20 }, (_, i) => i);
    expect(await ddmin(items, failsWithBoth, 1)).toEqual([3, 17]);
    expect(await ddmin(items, failsWithBoth, 3)).toEqual([3, 17]);
  });

  test('a failure that needs nothing shrinks to nothing', async () => {
    expect(await ddmin([1, 2, 3], () => Promise.resolve(true))).toEqual([]);
  });
});

describe('the fault schedule', () => {
  test('is a pure function of the seed, and an event keeps its random stream in any subset', () => {
    expect(generatePlan(7)).toEqual(generatePlan(7));
    expect(generatePlan(7)).not.toEqual(generatePlan(8));
    const a = eventRandom(7, 12);
    const b = eventRandom(7, 12);
    expect([a(), a()]).toEqual([b(), b()]);
  });

  test('a timeouts fault moves every draw of the peers to an edge of [0, 1), and only while it lasts', () => {
    const skew = new StudentRandomSkew();
    const draws = Array.from({ length: 200 }, (_, k) => (k + 0.5) / 200);
    expect(draws.map((u) => skew.apply(u))).toEqual(draws);
    const undoLow = skew.push('low');
    expect(draws.every((u) => skew.apply(u) >= 0 && skew.apply(u) < 0.05)).toBe(true);
    const undoBoth = skew.push('both');
    const both = draws.map((u) => skew.apply(u));
    expect(both.every((v) => v < 0.05 || (v >= 0.95 && v < 1))).toBe(true);
    expect(both.filter((v) => v >= 0.95)).toHaveLength(100);
    undoBoth();
    expect(skew.apply(0.5)).toBeLessThan(0.05);
    undoLow();
    expect(skew.apply(0.5)).toBe(0.5);
    const high = new StudentRandomSkew();
    high.push('high');
    expect([0, 0.5, 1 - 2 ** -53].map((u) => high.apply(u)).every((v) => v >= 0.95 && v < 1)).toBe(true);
  });

  test('a run with an empty schedule is the test’s own run, trace hash and all', async () => {
    const test = twoA.tests.find((t) => t.title === 'initial election');
    if (test === undefined) throw new Error('no 2A initial election');
    const options = { seed: 11, replay: 'replay', write: () => {}, traceDir: tmp };
    const plain = await runLabTest(test, options);
    const empty = await runLabTest(exploreReplay(twoA, test.name, { seed: 11, events: [] }, 'x'), options);
    expect(empty.traceHash).toBe(plain.traceHash); // (a handout's skeleton fails both the same way)
    expect(empty.passed).toBe(plain.passed);
  });
});

interface ExploreJson {
  runs: number;
  found: {
    test: string;
    seed: number;
    minimalFaults: { kind: string }[];
    story: {
      lines: { text: string }[];
      violation: string;
      scriptedTest: string;
      replay: string;
      timeline: string;
    };
  } | null;
}

test('finds a planted bug on a fixed seed, shrinks it to one crash, and the scripted test replays it', () => {
  const json = path.join(tmp, 'explore.json');
  const args = ['planted', '--tests', FIXTURE, '--seed', '1', '--runs', '6', '-p', '2'];
  const run = runScript('scripts/explore.ts', [
    ...args,
    '--kinds',
    'crash-after-reply,lossy',
    '--gap',
    '300',
    '--out',
    tmp,
    '--json',
    json,
  ]);
  expect(run.status).toBe(1);
  const { found, runs } = JSON.parse(fs.readFileSync(json, 'utf8')) as ExploreJson;
  expect(runs).toBeLessThanOrEqual(6);
  if (found === null) throw new Error(`nothing found:\n${run.stdout}\n${run.stderr}`);
  expect(found.minimalFaults.map((f) => f.kind)).toEqual(['crash-after-reply']);
  expect(found.story.violation).toMatch(/^invariant monitor: Log Matching violated \[P\.1\]/);
  expect(found.story.lines.map((l) => l.text).join('\n')).toMatch(
    /crash S[12] as its AppendEntries reply to S0 leaves it/,
  );
  expect(found.story.timeline).toMatch(/^npm run viz -- .*\.jsonl --at 0\.\d{3}$/);
  expect(run.stdout).toContain('[P.1]');
  expect(fs.existsSync(found.story.scriptedTest)).toBe(true);

  // The replay command, as printed (it names the stress runner and the scripted test).
  const replay = found.story.replay.replace(/^npm run stress -- /, '');
  const words = [...replay.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]);
  const again = runScript('scripts/stress.ts', [...words, '--out', tmp]);
  expect(again.status).toBe(1);
  expect(again.stdout).toMatch(/invariant monitor: Log Matching violated \[P\.1\]/);
});

test('bad input says what was wrong and exits 2', () => {
  const unknown = runScript('scripts/explore.ts', ['no such test at all', '--runs', '1']);
  expect(unknown.status).toBe(2);
  expect(unknown.stderr).toMatch(/No test matches `no such test at all`/);
  const notRaft = runScript('scripts/explore.ts', ['4A', '--runs', '1']);
  expect(notRaft.status).toBe(2);
  expect(notRaft.stderr).toMatch(/matches only tests of 4A/);
  const badNumber = runScript('scripts/explore.ts', ['2A', '--minutes', '-3']);
  expect(badNumber.status).toBe(2);
  expect(badNumber.stderr).toMatch(/--minutes to be a number > 0, got `-3`/);
});
