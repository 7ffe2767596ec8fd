/**
 * The grader end to end, as an instructor runs it (`tsx scripts/grade.ts …` in a child process): slow
 * (real test runs), so not part of `npm test`; `npm run test:grade` runs it, and so does CI (.ci/run).
 *
 * - The reference scores 100 %, a fresh handout (`npm run handout`) scores 0 without a hung run, and
 *   planted bugs (grade-patches/bug-*.patch) get the partial scores their bug explains; a second run of the same batch resumes (nothing is graded again).
 * - Every cheat of issue 11 (grade-patches/cheat-*.patch) ends as a policy rejection (policy on) or,
 *   with `--allow` for every rule so it gets past the policy, as a failed run with its reason: the
 *   layer that stops each one is named in the tables below.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { takeSubmission } from '../../scripts/grade/intake';
import { RULES } from '../../scripts/grade/policy-rules';
import { makeWorkspace } from '../../scripts/grade/workspace';
import { runIsolated } from '../harness/worker';
import type { SubmissionGrade } from '../../scripts/grade/score';
import { ROOT, patchedCopy, referenceCopy } from './grade-fixtures';

const TSX_CLI = require.resolve('tsx/cli');
jest.setTimeout(900_000); // real runs, two at a time, on a machine others share
const ALL_RULES = Object.keys(RULES).join(',');
/** 2A, and two 2B tests (the rest of 2B at 0 points, skipped): 5 runs a submission, 25 points. */
const RUBRIC = path.join(__dirname, 'grade-rubric.yaml');

let tmp = '';
beforeAll(() => void (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'grade-e2e-'))));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

interface Graded {
  status: number | null;
  stdout: string;
  stderr: string;
  grades: Map<string, SubmissionGrade>;
}

function grade(batch: string, out: string, args: string[]): Graded {
  const child = spawnSync(
    process.execPath,
    [TSX_CLI, 'scripts/grade.ts', batch, '--out', out, '-p', '2', '--rubric', RUBRIC, ...args],
    {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    },
  );
  const grades = new Map<string, SubmissionGrade>();
  for (const name of fs.existsSync(out) ? fs.readdirSync(out) : []) {
    const file = path.join(out, name, 'grade.json');
    if (fs.existsSync(file)) grades.set(name, JSON.parse(fs.readFileSync(file, 'utf8')) as SubmissionGrade);
  }
  return { status: child.status, stdout: child.stdout, stderr: child.stderr, grades };
}

function get(run: Graded, name: string): SubmissionGrade {
  const g = run.grades.get(name);
  if (g === undefined) throw new Error(`no grade for ${name}:\n${run.stdout}\n${run.stderr}`);
  return g;
}

test('reference 100 %, a fresh handout 0 without hanging, planted bugs their partial scores; a rerun resumes', () => {
  const batch = path.join(tmp, 'bugs');
  referenceCopy(path.join(batch, 'reference'));
  // A fresh handout, as students get it (a git repository with one commit: graded through git HEAD).
  const handout = spawnSync(
    process.execPath,
    [TSX_CLI, 'scripts/handout.ts', '--out', path.join(batch, 'handout')],
    {
      cwd: ROOT,
      encoding: 'utf8',
    },
  );
  expect(handout.status).toBe(0);
  for (const bug of ['bug-no-apply', 'bug-no-election-restriction', 'bug-kvraft-policy']) {
    patchedCopy(path.join(batch, bug), bug);
  }
  const out = path.join(tmp, 'out-bugs');
  const run = grade(batch, out, []);
  expect(run.status).toBe(0);

  const reference = get(run, 'reference');
  expect([reference.score, reference.maxScore]).toEqual([25, 25]);

  // The grader's sandboxed process and npm test run the same seed to the same trace: each reference
  // run's printed replay command, run in this checkout (whose code is the reference), prints its hash.
  for (const r of reference.tests.flatMap((t) => t.runs).filter((_, i) => i % 2 === 0)) {
    const [env, ...command] = r.replay.replace(/^LAB_SEED=(\d+) npm test -- /, '$1 ').split(' ');
    const title = r.replay.slice(r.replay.indexOf(" -t '") + 5, -1);
    const replay = spawnSync(process.execPath, [require.resolve('jest/bin/jest'), command[0], '-t', title], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, LAB_SEED: env, NO_COLOR: '1' },
    });
    const printed = /· trace ([0-9a-f]{16})\]/.exec(replay.stderr)?.[1];
    expect([r.test, printed]).toEqual([r.test, r.traceHash.slice(0, 16)]);
  }

  const fresh = get(run, 'handout');
  expect(fresh.score).toBe(0);
  expect(fresh.submission.notes[0]).toMatch(/^git repository: graded the committed HEAD tree/);
  const freshRuns = fresh.tests.flatMap((t) => t.runs);
  expect(freshRuns.length).toBe(5);
  for (const r of freshRuns) expect(r.error).toMatch(/^NotImplementedError: /); // fast and named, never hung

  // Nothing is ever applied: the 2A tests pass (they need no commits), both 2B tests fail.
  const noApply = get(run, 'bug-no-apply');
  expect([noApply.byPart['2A']?.score, noApply.byPart['2B']?.score]).toEqual([15, 0]);

  // Votes ignore the log: 2A and basic agreement are unaffected; the scripted test catches it on every seed.
  const noRestriction = get(run, 'bug-no-election-restriction');
  expect(noRestriction.tests.map((t) => t.score)).toEqual([5, 5, 5, 5, 0]);
  expect(noRestriction.tests[4].runs[0].error).toContain('[RV.2]');

  // A violation in kvraft/ zeroes Labs 3 and 4 only: Lab 2 is graded in full, and the violation is reported.
  const kvPolicy = get(run, 'bug-kvraft-policy');
  expect(kvPolicy.score).toBe(25);
  expect(kvPolicy.violations.map((v) => [v.file, v.rule, v.parts])).toEqual([
    ['kvraft/server.ts', 'process', ['3A', '3B', '3C', '4A', '4B']], // Lab 4 runs on kvraft/ too
  ]);

  const csv = fs.readFileSync(path.join(out, 'gradebook.csv'), 'utf8').trim().split('\n');
  expect(csv[0]).toBe('submission,score,max_score,percent,2A,2B,status,content_hash,source');
  expect(csv.slice(1).map((row) => row.split(',').slice(0, 7).join(','))).toEqual([
    'bug-kvraft-policy,25,25,100,15,10,policy: process',
    'bug-no-apply,15,25,60,15,0,graded',
    'bug-no-election-restriction,20,25,80,15,5,graded',
    'handout,0,25,0,0,0,graded',
    'reference,25,25,100,15,10,graded',
  ]);
  for (const name of run.grades.keys()) {
    for (const file of ['results.json', 'report.md', 'report.html']) {
      expect(fs.existsSync(path.join(out, name, file))).toBe(true);
    }
  }

  // Same submissions, same seeds: a rerun resumes (nothing graded again), with the same scores.
  const again = grade(batch, out, []);
  expect(again.stderr.match(/already graded, kept/g)?.length).toBe(5);
  expect([...again.grades.values()].map((g) => g.score)).toEqual(
    [...run.grades.values()].map((g) => g.score),
  );

  // And graded afresh, elsewhere: the same seeds, verdicts and trace of every run.
  const sub = path.join(batch, 'bug-no-election-restriction');
  const afresh = get(grade(sub, path.join(tmp, 'out-afresh'), ['--fresh']), 'bug-no-election-restriction');
  const runsOf = (g: SubmissionGrade): unknown[] =>
    g.tests.flatMap((t) => t.runs.map((r) => [r.seed, r.kind, r.traceHash]));
  expect(runsOf(afresh)).toEqual(runsOf(noRestriction));
});

// Which layer stops each cheat of issue 11.
const POLICY_STOPS: Record<string, string[]> = {
  'cheat-postmessage': ['import-module'],
  'cheat-exit': ['process'],
  'cheat-checkoneleader': ['import-tests', 'prototype-write'],
  'cheat-reliable': ['prototype-write'],
  'cheat-random': ['load-time-clock', 'global-write'],
  'cheat-setinterval': ['load-time-clock'],
};

test('policy on: the cheats the policy can see score 0 before anything runs, naming the rule', () => {
  const batch = path.join(tmp, 'cheats-policy');
  for (const name of Object.keys(POLICY_STOPS)) patchedCopy(path.join(batch, name), name);
  const run = grade(batch, path.join(tmp, 'out-policy'), ['--parts', '2A']);
  expect(run.status).toBe(0);
  for (const [name, rules] of Object.entries(POLICY_STOPS)) {
    const g = get(run, name);
    expect(g.score).toBe(0);
    expect([...new Set(g.violations.map((v) => v.rule))].sort()).toEqual([...rules].sort());
    for (const t of g.tests) {
      expect(t.runs).toEqual([]);
      expect(t.notRun).toMatch(/^policy violation: raft\/\w[\w-]*\.ts:\d+:\d+ \[/);
    }
  }
});

// With every rule allowed, the run-time layer: the verdict each run gets, and what its message says.
const RUNTIME_STOPS: Array<[string, string, RegExp]> = [
  // 2A runs behind the boundary (scripts/grade/boundary-run.ts): the code under test is in a process of
  // its own with no port to any tester, so the forged report goes nowhere and the run fails on its merits.
  ['cheat-postmessage', 'fail', /^LabCheckFailure: expected one leader, got none/],
  [
    'cheat-exit',
    'fail',
    /^ProcessExit: process\.exit\(0\) was called during the run, at handleRequestVote \(raft\/request-vote\.ts:\d+/,
  ],
  [
    'cheat-setinterval',
    'fail',
    /^RealTimerError: a real setInterval was called during a virtual run, at PeerTimers\.startHeartbeats \(raft\/timers\.ts:\d+/,
  ],
  ['cheat-busy-loop', 'hung', /^HungRun: no progress for 3\.0 s of real time/],
  ['cheat-microtask-loop', 'hung', /^HungRun: no progress for 3\.0 s of real time/],
  ['cheat-memory', 'out-of-memory', /^OutOfMemory/],
  // RaftConfig.prototype is frozen where it is defined: the patch made in the Raft constructor throws.
  ['cheat-checkoneleader', 'fail', /Cannot assign to read only property 'checkOneLeader'/],
  // Each send encodes 50 MB: labrpc's 16 MiB RPC size cap fails it (RpcTooLargeError), unless building the
  // string first exhausts the heap cap or the watchdog.
  ['cheat-50mb-rpc', 'hung|out-of-memory|fail', /^(HungRun|OutOfMemory|.*RpcTooLarge)/],
];

test('policy allowed: the run-time layer fails each cheat, with its own reason', () => {
  const batch = path.join(tmp, 'cheats-runtime');
  for (const [name] of RUNTIME_STOPS) patchedCopy(path.join(batch, name), name);
  const run = grade(batch, path.join(tmp, 'out-runtime'), [
    '--parts',
    '2A',
    '--hang',
    '3',
    '--allow',
    ALL_RULES,
  ]);
  expect(run.status).toBe(0);
  for (const [name, verdict, message] of RUNTIME_STOPS) {
    const g = get(run, name);
    expect([name, g.score]).toEqual([name, expect.any(Number)]);
    expect([name, g.score < 15]).toEqual([name, true]);
    const failed = g.tests.flatMap((t) => t.runs).filter((r) => r.kind !== 'pass');
    expect(failed.length).toBeGreaterThan(0);
    const matching = failed.filter((r) => verdict.split('|').includes(r.kind) && message.test(r.error ?? ''));
    expect([name, matching.length > 0]).toEqual([name, true]);
  }
});

// Cheats that get past the policy and gain nothing: Math.random is locked to the seeded source and the
// tester's classes are frozen where they are defined. The submission's modules run as ES modules do, in
// strict mode (the run bundle initialises each test module, and what it imports, in its own strict
// scope), so a caller-aware `Math.random = …` or a module-level `Network.prototype.reliable = …` throws a
// TypeError where it is made: the run ends, naming the assignment, and the reference's run on the same
// workspace setup passes.
test.each([
  ['cheat-random', /TypeError: Cannot assign to read only property 'random'/],
  ['cheat-reliable', /TypeError: Cannot assign to read only property 'reliable'/],
])('policy allowed: %s fails where it assigns, in strict mode', async (cheat, thrown) => {
  const outcomes = [];
  for (const [name, dir] of [
    ['reference', referenceCopy(path.join(tmp, `${cheat}-ref`))],
    [cheat, patchedCopy(path.join(tmp, `${cheat}-cheat`), cheat)],
  ]) {
    const intake = await takeSubmission(dir);
    const ws = makeWorkspace(ROOT, intake.files, path.join(tmp, 'ws'));
    outcomes.push(
      await runIsolated(
        { moduleFile: 'tests/raft/2C.tests.ts', testName: 'Test (2C): unreliable agreement', seed: 7 },
        { replay: name, root: ws.dir, traceDir: path.join(tmp, 'traces'), verifyTrace: true },
      ),
    );
    ws.remove();
  }
  expect(outcomes[0].verdict).toBe('pass');
  expect(outcomes[1].passed).toBe(false);
  expect(outcomes[1].message).toMatch(thrown);
});
