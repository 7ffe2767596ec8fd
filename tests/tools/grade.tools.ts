/**
 * The grader's parts that need no test run (fast; the end-to-end grading of real submissions is in
 * grade.e2e.ts, run by `npm run test:grade`): reading submissions (folders, git HEAD, zip, tar.gz, one
 * folder deep; zip-slip, absolute paths and links rejected), the policy check (the reference passes;
 * each cheat of issue 11 that the policy can see is named with file, line and rule; locals that shadow
 * a global are not flagged), the rubric (format errors, the shipped 6.824 rubric lists every test),
 * derived seeds, scoring, and the output formats.
 */
import { execFileSync } from 'node:child_process';
import yauzl from 'yauzl';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { takeSubmission } from '../../scripts/grade/intake';
import { packageAutograder } from '../../scripts/grade/autograder';
import { expandSubmissions } from '../../scripts/grade/grader';
import { parseParts } from '../../scripts/grade/options';
import { readGrade, writeGradebook, writeSubmission } from '../../scripts/grade/outputs';
import { checkPolicy, type PolicyReport } from '../../scripts/grade/policy';
import { RULES, type RuleId } from '../../scripts/grade/policy-rules';
import { gradescopeResults } from '../../scripts/grade/results';
import { htmlReport, markdownReport } from '../../scripts/grade/report';
import { checkAgainst, loadRubric, parseRubric } from '../../scripts/grade/rubric';
import { gradeTest, sameKey, summarize, testScore, type GradeKey } from '../../scripts/grade/score';
import { runSeed } from '../../scripts/grade/seeds';
import { DEFAULT_RUBRIC } from '../../scripts/grade/options';
import { findTestModules, loadTests } from '../../scripts/stress/discover';
import type { RunVerdict } from '../../scripts/grade/execute';
import {
  ROOT,
  makeTarGz,
  makeZip,
  patchedCopy,
  referenceCopy,
  referenceItems,
  strippedCopy,
} from './grade-fixtures';

let tmp = '';
beforeAll(() => void (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'grade-test-'))));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function files(texts: Record<string, string>): Map<string, Buffer> {
  return new Map(Object.entries(texts).map(([p, t]) => [p, Buffer.from(t)]));
}

function rules(report: PolicyReport): string[] {
  return report.violations.map((v) => `${v.file}:${v.line} ${v.rule}`);
}

describe('intake', () => {
  test('a zip with the project one folder deep: owned files taken, links rejected and listed', async () => {
    const zip = await makeZip(path.join(tmp, 'alice.zip'), [
      ...referenceItems('alice-lab2/'),
      { name: 'alice-lab2/README.md', data: 'notes' },
      { name: 'alice-lab2/tests/raft/config.ts', data: 'export const cheat = 1;' },
      { name: 'alice-lab2/raft/link.ts', symlinkTo: '/etc/passwd' },
      { name: '__MACOSX/alice-lab2/._raft', data: 'x' },
    ]);
    const intake = await takeSubmission(zip);
    expect(intake.kind).toBe('zip');
    expect(intake.notes).toContain('found the project one folder deep, in `alice-lab2/`');
    expect([...intake.files.keys()]).toContain('raft/raft.ts');
    expect([...intake.files.keys()]).not.toContain('tests/raft/config.ts');
    expect(intake.ignored).toEqual(['README.md', 'tests/raft/config.ts']);
    expect(intake.rejected).toEqual([{ path: 'raft/link.ts', reason: 'symbolic link' }]);
  });

  test.each(['zip', 'tar.gz'])(
    'a %s with a zip-slip or absolute entry is rejected whole, naming the entry',
    async (kind) => {
      for (const bad of ['../evil.ts', 'raft/../../evil.ts', '/etc/evil.ts']) {
        const items = [...referenceItems(), { name: bad, data: 'x' }];
        const file = path.join(tmp, `bad.${kind}`);
        const made = kind === 'zip' ? await makeZip(file, items) : makeTarGz(file, items);
        await expect(takeSubmission(made)).rejects.toThrow(
          new RegExp(`archive rejected: entry \`${bad.replace(/\./g, '\\.')}\``),
        );
      }
    },
  );

  test('a tar.gz: symlinks are never created, the rest is graded', async () => {
    const file = makeTarGz(path.join(tmp, 'bob.tar.gz'), [
      ...referenceItems('bob/'),
      { name: 'bob/raft/x.ts', symlinkTo: '../../../etc/passwd' },
    ]);
    const intake = await takeSubmission(file);
    expect(intake.files.size).toBe(referenceItems().length);
    expect(intake.rejected).toEqual([{ path: 'raft/x.ts', reason: 'symbolic link' }]);
  });

  test('a git repository: the committed HEAD tree is graded, uncommitted changes are named', async () => {
    const repo = referenceCopy(path.join(tmp, 'carol'));
    const git = (...args: string[]): void =>
      void execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], {
        cwd: repo,
        stdio: 'pipe',
      });
    git('init', '-q');
    git('add', '.');
    git('commit', '-qm', 'lab');
    fs.appendFileSync(path.join(repo, 'raft', 'raft.ts'), '\n// not committed\n');
    const intake = await takeSubmission(repo);
    expect(intake.kind).toBe('git');
    expect(intake.notes[0]).toMatch(
      /^git repository: graded the committed HEAD tree \([0-9a-f]{12}, via git archive HEAD\)$/,
    );
    expect(intake.notes[1]).toBe('uncommitted changes NOT graded (commit them): raft/raft.ts');
    expect(intake.files.get('raft/raft.ts')?.toString()).toBe(
      fs.readFileSync(path.join(ROOT, 'raft', 'raft.ts'), 'utf8'),
    );
  });

  test('a folder without raft/ or kvraft/ says what it found', async () => {
    fs.mkdirSync(path.join(tmp, 'empty', 'src'), { recursive: true });
    await expect(takeSubmission(path.join(tmp, 'empty'))).rejects.toThrow(
      /no raft\/ or kvraft\/ or shardctrler\/ or shardkv\/ folder at the top or one folder deep; found src/,
    );
  });

  test('a folder of submissions is a batch; a folder holding one project one level down is one submission', () => {
    const batch = path.join(tmp, 'batch');
    referenceCopy(path.join(batch, 'dan'));
    referenceCopy(path.join(batch, 'erin'));
    expect(expandSubmissions([batch])).toEqual({
      sources: [path.join(batch, 'dan'), path.join(batch, 'erin')],
      batch: true,
    });
    const nested = path.join(tmp, 'nested');
    referenceCopy(path.join(nested, 'lab'));
    expect(expandSubmissions([nested])).toEqual({ sources: [nested], batch: false });
  });
});

describe('policy', () => {
  test('the reference and a stripped handout pass the policy', async () => {
    expect(
      checkPolicy((await takeSubmission(referenceCopy(path.join(tmp, 'ref')))).files, new Set()).violations,
    ).toEqual([]);
    expect(
      checkPolicy((await takeSubmission(strippedCopy(path.join(tmp, 'strip')))).files, new Set()).violations,
    ).toEqual([]);
  });

  // The cheats of issue 11 that the policy sees: the rule, and the line it names (found by its text, so
  // the fixtures survive edits elsewhere in the reference).
  test.each([
    ['cheat-postmessage', [['raft/raft.ts', 'import-module', "from 'node:worker_threads'"]]],
    ['cheat-exit', [['raft/request-vote.ts', 'process', 'process.exit(0)']]],
    [
      'cheat-checkoneleader',
      [
        ['raft/raft.ts', 'import-tests', "from '../tests/raft/config'"],
        ['raft/raft.ts', 'prototype-write', 'RaftConfig.prototype.checkOneLeader ='],
        ['raft/raft.ts', 'prototype-write', 'RaftConfig.prototype.checkTerms ='],
      ],
    ],
    ['cheat-reliable', [['raft/raft.ts', 'prototype-write', 'Network.prototype.reliable =']]],
    [
      'cheat-random',
      [
        ['raft/raft.ts', 'load-time-clock', 'const seeded = Math.random'],
        ['raft/raft.ts', 'global-write', 'Math.random = function'],
      ],
    ],
    ['cheat-setinterval', [['raft/timers.ts', 'load-time-clock', 'const realSetInterval = setInterval']]],
    ['cheat-busy-loop', []],
    ['cheat-microtask-loop', []],
    ['cheat-memory', []],
    ['cheat-50mb-rpc', []],
  ])('%s: %j', async (name, expected) => {
    const intake = await takeSubmission(patchedCopy(path.join(tmp, name), name));
    const report = checkPolicy(intake.files, new Set());
    const seen = report.violations.map((v) => {
      const line = intake.files.get(v.file)?.toString().split('\n')[v.line - 1] ?? '';
      const snippet = expected.find(
        ([file, rule, text]) => file === v.file && rule === v.rule && line.includes(text),
      );
      return [v.file, v.rule, snippet?.[2] ?? `line ${v.line}: ${line}`];
    });
    expect(seen).toEqual(expected);
    expect([...report.blockedParts]).toEqual(
      expected.length > 0 ? ['2A', '2B', '2C', '2D', '2E', '3A', '3B', '3C', '4A', '4B'] : [],
    );
  });

  test('a violation in kvraft/ blocks Lab 3 and Lab 4 (built on it), not Lab 2; --allow reports it without blocking', async () => {
    const intake = await takeSubmission(patchedCopy(path.join(tmp, 'kvp'), 'bug-kvraft-policy'));
    expect([...checkPolicy(intake.files, new Set()).blockedParts]).toEqual(['3A', '3B', '3C', '4A', '4B']);
    const allowed = checkPolicy(intake.files, new Set<RuleId>(['process']));
    expect(allowed.blockedParts.size).toBe(0);
    expect(allowed.violations.map((v) => [v.rule, v.allowed])).toEqual([['process', true]]);
  });

  test('names are resolved by scope: a local `process` is fine, a declared or global one is not', () => {
    const report = checkPolicy(
      files({
        'raft/a.ts': [
          'export function f(process: number): number { return process + 1; }',
          'export function g(): void { const Math = { random: () => 1 }; Math.random = () => 2; }',
          'declare const __hostProcess: { exit(code: number): void };',
          'export function h(): void { __hostProcess.exit(0); }',
          'export let timer: ReturnType<typeof setTimeout> | undefined;',
          'export function later(): void { timer = setTimeout(() => {}, Date.now() % 10); }',
          "import type { LabContext } from '../tests/harness';",
          'export type C = LabContext;',
        ].join('\n'),
      }),
      new Set(),
    );
    expect(rules(report)).toEqual(['raft/a.ts:4 process']);
  });

  test('defineProperty and friends: allowed on what the file owns, not on parameters, imports or built-ins', () => {
    const report = checkPolicy(
      files({
        'raft/b.ts': [
          "import _ from 'lodash';",
          "import { Persister } from '../labrpc';",
          'export class P { constructor(p: Persister) {',
          "  Object.defineProperty(this, 'x', { value: 1 });",
          "  const own = {}; Object.defineProperty(own, 'y', { value: 2 });",
          "  Object.defineProperty(p, 'save', { value: () => {} });",
          '  Object.assign(Persister, { copy: () => null });',
          "  _.set(Math, 'random', () => 0);",
          '  const m = new Map<number, number>(); m.set(1, 2); _.merge({}, { a: 1 });',
          '} }',
        ].join('\n'),
      }),
      new Set(),
    );
    expect(rules(report)).toEqual([
      'raft/b.ts:6 define-property',
      'raft/b.ts:7 define-property',
      'raft/b.ts:8 define-property',
    ]);
  });

  test('every rule explains itself, and imports are checked by where they land', () => {
    const report = checkPolicy(
      files({
        'kvraft/c.ts': [
          "import { Raft } from '../raft';",
          "import { encode } from '../labrpc/codec';",
          "import { setDebugSink } from '../labrpc';",
          "import { x } from '../scripts/stress';",
          "import { y } from '../package.json';",
          "import { inspect } from 'node:util';",
          "import { spawn } from 'child_process';",
          'export const all = [Raft, encode, setDebugSink, x, y, inspect, spawn];',
          "export const f = (): unknown => eval('1') ?? globalThis ?? require('fs') ?? import('fs') ?? fetch;",
        ].join('\n'),
      }),
      new Set(),
    );
    expect(rules(report)).toEqual([
      'kvraft/c.ts:3 labrpc-hooks',
      'kvraft/c.ts:4 import-tests',
      'kvraft/c.ts:5 import-path',
      'kvraft/c.ts:7 import-module',
      'kvraft/c.ts:9 dynamic-code',
      'kvraft/c.ts:9 global-object',
      'kvraft/c.ts:9 dynamic-code',
      'kvraft/c.ts:9 dynamic-code',
      'kvraft/c.ts:9 io-global',
    ]);
    for (const text of Object.values(RULES)) expect(text.length).toBeGreaterThan(40);
  });
});

describe('rubric and scores', () => {
  test('the shipped 6.824 rubric lists every 2A-4B test (2E included), 5 points each (10 per 4A function), all runs must pass', () => {
    const rubric = loadRubric(DEFAULT_RUBRIC);
    const known = loadTests(
      findTestModules(['raft', 'kvraft', 'shardctrler', 'shardkv'].map((d) => path.join(ROOT, 'tests', d))),
    );
    expect(() => checkAgainst(rubric, known)).not.toThrow();
    expect(rubric.tests.length).toBe(known.length);
    expect(new Set(rubric.tests.map((t) => `${t.points} ${t.credit}`))).toEqual(
      new Set(['5 all-runs', '10 all-runs']),
    );
  });

  test('format errors name the place and what is allowed', () => {
    expect(() => parseRubric('parts: {2F: {tests: {}}}', 'r.yaml')).toThrow(
      'r.yaml: parts.2F: unknown part (expected 2A, 2B, 2C, 2D, 2E, 3A, 3B, 3C, 4A, 4B)',
    );
    expect(() => parseRubric('{"parts": {"2A": {"tests": {"x": -1}}}}', 'r.json')).toThrow(
      'r.json: parts.2A.tests["x"]: expected a number of points >= 0, got `-1`',
    );
    expect(() => parseRubric('credit: most\nparts: {2A: {tests: {x: 1}}}', 'r.yaml')).toThrow(
      'r.yaml: credit: expected one of all-runs, pass-rate, got `most`',
    );
    expect(() =>
      checkAgainst(parseRubric('parts: {2A: {tests: {"Test (2A): initial elections": 5}}}', 'r.yaml'), [
        { name: 'Test (2A): initial election', part: '2A' },
      ]),
    ).toThrow(
      /no test is called "Test \(2A\): initial elections"\. 2A has:\n {2}Test \(2A\): initial election/,
    );
  });

  test('credit: all-runs gives the points only when every run passes; pass-rate gives the share', () => {
    const rubric = parseRubric(
      'parts:\n  2A:\n    tests:\n      a: 6\n      b: { points: 6, credit: pass-rate, visibility: hidden }\n',
      'r.yaml',
    );
    const [a, b] = rubric.tests;
    expect([testScore(a, 2, 3), testScore(a, 3, 3), testScore(b, 2, 3), testScore(b, 0, 3)]).toEqual([
      0, 6, 4, 0,
    ]);
    expect(b.visibility).toBe('hidden');
  });

  test('seeds are derived: the same for the same submission and test, different otherwise', () => {
    const s = runSeed(6824, 'abc', 'Test (2A): initial election', 0);
    expect(runSeed(6824, 'abc', 'Test (2A): initial election', 0)).toBe(s);
    const others = [
      runSeed(6825, 'abc', 'Test (2A): initial election', 0),
      runSeed(6824, 'abd', 'Test (2A): initial election', 0),
      runSeed(6824, 'abc', 'Test (2A): multiple elections', 0),
      runSeed(6824, 'abc', 'Test (2A): initial election', 1),
    ];
    expect(new Set([s, ...others]).size).toBe(5);
    expect(parseParts('2A-2C,3B')).toEqual(['2A', '2B', '2C', '3B']);
  });
});

describe('outputs', () => {
  const rubric = parseRubric(
    'name: t\nparts:\n  2A:\n    tests:\n      "Test (2A): x": 5\n      "Test (2A): y": 5\n',
    'r.yaml',
  );
  const run = (seed: number, pass: boolean): RunVerdict => ({
    test: 'Test (2A): y',
    seed,
    kind: pass ? 'pass' : 'fail',
    error: pass ? undefined : 'LabCheckFailure: expected one leader, got none (at 5.019 s)\n  seed: …',
    virtualMs: 5019,
    wallMs: 40,
    traceHash: pass ? 'h' : '',
    replay: `LAB_SEED=${seed} npm test -- tests/raft/2A.test.ts -t '^Test \\(2A\\): y$'`,
  });
  const key: GradeKey = {
    graderVersion: 'v',
    rubricHash: 'r',
    baseSeed: 1,
    runs: 2,
    parts: ['2A'],
    allow: [],
    contentHash: 'c0ffee',
    sandbox: 'bwrap',
  };
  const grade = summarize(
    key,
    't',
    { name: 'alice', source: '/s/alice' },
    {
      violations: [],
      tests: [
        gradeTest(rubric.tests[0], [run(1, true), run(2, true)]),
        gradeTest(rubric.tests[1], [run(3, true), run(4, false)]),
      ],
      wallSeconds: 3,
      isolation: 'sandboxed by bubblewrap as uid 65534',
    },
  );

  test('results.json follows Gradescope: per test score, max_score, status, visibility, failing seeds and replay', () => {
    const results = gradescopeResults(grade);
    expect(results.score).toBe(5);
    expect(results.tests.map((t) => [t.name, t.score, t.max_score, t.status, t.visibility])).toEqual([
      ['Test (2A): x', 5, 5, 'passed', 'visible'],
      ['Test (2A): y', 0, 5, 'failed', 'visible'],
    ]);
    expect(results.tests[1].output).toContain(
      '- seed 4: LabCheckFailure: expected one leader, got none (at 5.019 s)',
    );
    expect(results.tests[1].output).toContain(
      "replay: LAB_SEED=4 npm test -- tests/raft/2A.test.ts -t '^Test \\(2A\\): y$'",
    );
  });

  test('the reports: markdown with the table, HTML self-contained and escaped, CSV with a row per submission', () => {
    expect(markdownReport(grade)).toContain('| Test (2A): y | 1/2 passed | 0 / 5 |');
    const html = htmlReport(grade);
    expect(html).not.toMatch(/<script|https?:\/\//);
    expect(html).toContain('&#39;^Test \\(2A\\): y$&#39;');
    const file = writeGradebook(tmp, [grade]);
    expect(fs.readFileSync(file, 'utf8')).toBe(
      'submission,score,max_score,percent,2A,status,content_hash,source\nalice,5,10,50,5,graded,c0ffee,/s/alice\n',
    );
  });

  test('what a submission names reaches Markdown as literal text: no links, no markup, no escape from a code span', () => {
    const hostile = {
      ...grade,
      submission: {
        ...grade.submission,
        files: ['raft/[prize](https://evil.example/x).ts', 'raft/`code`<img src=x>.ts'],
        notes: ['# heading *bold* ![img](http://x)'],
      },
    };
    const md = markdownReport(hostile);
    expect(md).not.toMatch(/(^|[^\\])\[prize\]\(/);
    expect(md).toContain('raft/\\[prize\\]\\(https://evil\\.example/x\\)\\.ts');
    expect(md).toContain('\\# heading \\*bold\\*');
    const html = htmlReport(hostile);
    expect(html).not.toMatch(/<img|href=/);
    expect(html).toContain('raft/`code`&#60;img src=x&#62;.ts');
  });

  test('a grade made without the sandbox says so to the student and the instructor, and is never resumed as a sandboxed one', () => {
    const isolation =
      'NOT SANDBOXED (bwrap not found: apt-get install bubblewrap): runs were separate processes…';
    const unsandboxed = { ...grade, key: { ...grade.key, sandbox: 'none' as const }, isolation };
    expect(gradescopeResults(unsandboxed).output).toContain('**Untrusted grade:** NOT SANDBOXED');
    expect(markdownReport(unsandboxed)).toContain('**Untrusted grade:** NOT SANDBOXED');
    expect(gradescopeResults(grade).output).not.toContain('Untrusted');
    expect(sameKey(unsandboxed.key, grade.key)).toBe(false);
  });

  test('a resume takes only a grade.json this grader sealed: an edited or planted one is graded again', () => {
    process.env.RAFTLAB_GRADE_SECRET_FILE = path.join(tmp, 'secret');
    try {
      const dir = path.join(tmp, 'sealed');
      writeSubmission(dir, grade);
      expect(readGrade(dir)?.score).toBe(grade.score);
      const file = path.join(dir, 'grade.json');
      const forged = JSON.parse(fs.readFileSync(file, 'utf8')) as { score: number };
      forged.score = 10;
      fs.writeFileSync(file, JSON.stringify(forged));
      expect(readGrade(dir)).toBeUndefined();
      fs.writeFileSync(file, JSON.stringify(grade)); // no seal at all
      expect(readGrade(dir)).toBeUndefined();
    } finally {
      delete process.env.RAFTLAB_GRADE_SECRET_FILE;
    }
  });
});

test('the Gradescope autograder zip: setup.sh and run_autograder (executable), the rubric, the framework, no reference', async () => {
  const file = await packageAutograder(path.join(tmp, 'autograder.zip'), DEFAULT_RUBRIC);
  const zip = await yauzl.openPromise(file);
  const modes = new Map<string, number>();
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (e: yauzl.Entry) => {
      modes.set(e.fileName, (e.externalFileAttributes >>> 16) & 0o777);
      zip.readEntry();
    });
    zip.on('end', resolve);
    zip.on('error', reject);
    zip.readEntry();
  });
  zip.close();
  expect(modes.get('setup.sh')).toBe(0o755);
  expect(modes.get('run_autograder')).toBe(0o755);
  for (const name of [
    'rubric.yaml',
    'package-lock.json',
    'scripts/grade.ts',
    'tests/raft/2A.tests.ts',
    'labrpc/network.ts',
  ]) {
    expect(modes.has(name)).toBe(true);
  }
  expect([...modes.keys()].filter((name) => /^(raft|kvraft|node_modules)\//.test(name))).toEqual([]);
});
