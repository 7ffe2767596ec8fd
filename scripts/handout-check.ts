/**
 * The handout's self-check (instructors; CI runs it from .ci/run): `npm run handout:check [-- --keep]`.
 *
 * Generates a handout of every part, one of 3A-3B and one of 4A-4B into a temporary folder, links this repository's
 * node_modules into each (no network), and checks what a semester depends on:
 *
 * - each handout lints and type-checks as shipped, is a git repository with exactly one commit, and
 *   holds exactly the source's files minus the instructor-only ones;
 * - framework files are byte-identical to the source (package.json: only the omitted tools' scripts go);
 * - no reference-only name (scripts/handout/reference-names.ts) appears in its raft/ or kvraft/, and
 *   no other shipped file carries a copy of the reference;
 * - on the full handout, every test of every part 2A–4B fails with a NotImplementedError that names a
 *   part and a piece, early in virtual time (never a hang, a time limit, or a bare check failure), and
 *   2A's first failure is the constructor's election timer;
 * - on the 3A-3B handout, 3A and 3B fail that way naming a Lab 3 piece, and every 2A–2D test passes;
 * - on the 4A-4B handout, every 4A and 4B test fails that way naming a Lab 4 piece.
 *
 * Prints the first failure of each part. Exit status 0 when all holds, 1 otherwise.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isInstructorOnly, isStudentCode, listSourceFiles, STUDENT_DOCS } from './handout/files';
import { generateHandout } from './handout/generate';
import { PARTS, parseParts, type Part } from './handout/parts';
import { REFERENCE_ONLY_NAMES, referenceNamesIn } from './handout/reference-names';

const SOURCE = process.cwd();
/** A failure later than this (virtual seconds) is not "failing fast" on a missing piece. */
const FAST_VIRTUAL_S = 5;
/** A shipped file outside raft/ and kvraft/ with this many reference-only names is a copy of the reference. */
const LEAK_THRESHOLD = 5;

const problems: string[] = [];
const check = (ok: boolean, what: string): void => {
  if (!ok) problems.push(what);
  console.log(`${ok ? '  ok  ' : '  FAIL'} ${what}`);
};

interface JestTest {
  /** The jest file it is in (absolute). */
  file: string;
  fullName: string;
  status: string;
  failureMessages: string[];
  duration?: number | null;
}

function run(cwd: string, command: string, args: string[]): { status: number | null; output: string } {
  const result = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0' },
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

function jest(dir: string, paths: string[]): JestTest[] {
  const out = path.join(dir, '.lab', `jest-${Date.now()}.json`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  run(dir, 'npx', ['jest', ...paths, '--json', `--outputFile=${out}`]);
  const report = JSON.parse(fs.readFileSync(out, 'utf8')) as {
    testResults: { name: string; assertionResults: Omit<JestTest, 'file'>[] }[];
  };
  return report.testResults.flatMap((r) => r.assertionResults.map((a) => ({ ...a, file: r.name })));
}

/** A test's part: in its title for Labs 2 and 3 (`Test (2A): …`, `Test: … (3A)`), by folder for Lab 4 (Go's titles name none). */
function partOf(t: JestTest): Part | undefined {
  const byTitle = PARTS.find((p) => t.fullName.includes(`(${p})`));
  if (byTitle !== undefined) return byTitle;
  if (/[/\\]tests[/\\]shardctrler[/\\]/.test(t.file)) return '4A';
  if (/[/\\]tests[/\\]shardkv[/\\]/.test(t.file)) return '4B';
  return undefined;
}

async function makeHandout(root: string, name: string, parts: string): Promise<string> {
  const dir = path.join(root, name);
  const started = Date.now();
  await generateHandout({ source: SOURCE, out: dir, parts: parseParts(parts) });
  console.log(`\n${name}: --parts ${parts} generated in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  fs.symlinkSync(fs.realpathSync(path.join(SOURCE, 'node_modules')), path.join(dir, 'node_modules'));
  return dir;
}

function checkShipped(dir: string): void {
  const expected = listSourceFiles(SOURCE).filter((f) => !isInstructorOnly(f));
  const shipped = run(dir, 'git', ['ls-files']).output.trim().split('\n');
  check(
    JSON.stringify(shipped) === JSON.stringify(expected),
    `holds exactly the source's ${expected.length} shipped files`,
  );
  const commits = run(dir, 'git', ['rev-list', '--count', 'HEAD']).output.trim();
  check(commits === '1', `a fresh git repository with one commit (found ${commits})`);
  const differing = expected.filter((f) => {
    if (isStudentCode(f) || STUDENT_DOCS.includes(f) || f === 'package.json') return false;
    return !fs.readFileSync(path.join(SOURCE, f)).equals(fs.readFileSync(path.join(dir, f)));
  });
  check(
    differing.length === 0,
    `framework files byte-identical to the source${differing.length ? `: ${differing.join(', ')}` : ''}`,
  );
  const src = JSON.parse(fs.readFileSync(path.join(SOURCE, 'package.json'), 'utf8')) as Record<
    string,
    unknown
  > & { scripts: Record<string, string> };
  const out = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as typeof src;
  const dropped = Object.keys(src.scripts).filter((k) => !(k in out.scripts));
  const sameScripts = Object.entries(out.scripts).every(([k, v]) => src.scripts[k] === v);
  const sameRest = JSON.stringify({ ...src, scripts: null }) === JSON.stringify({ ...out, scripts: null });
  const droppedOnlyOmitted = dropped.every((k) =>
    src.scripts[k].split(/\s+/).some((w) => w.includes('/') && !fs.existsSync(path.join(dir, w))),
  );
  check(
    sameScripts && sameRest && droppedOnlyOmitted,
    `package.json as the source's, minus the instructor-only scripts (${dropped.join(', ') || 'none'})`,
  );
}

function checkNoReference(dir: string, studentFolders: string[]): void {
  const files = run(dir, 'git', ['ls-files']).output.trim().split('\n');
  const hits: string[] = [];
  const copies: string[] = [];
  for (const f of files) {
    if (f.endsWith('.png')) continue;
    const names = referenceNamesIn(fs.readFileSync(path.join(dir, f), 'utf8'));
    if (studentFolders.some((folder) => f.startsWith(folder))) {
      if (names.length > 0) hits.push(`${f}: ${names.join(', ')}`);
    } else if (!isStudentCode(f) && names.length >= LEAK_THRESHOLD) {
      copies.push(`${f} (${names.length} names)`); // raft/ of a 3A-3B handout is the reference on purpose
    }
  }
  check(
    hits.length === 0,
    `no reference-only name in ${studentFolders.join(' ')}${hits.length ? `:\n         ${hits.join('\n         ')}` : ''}`,
  );
  check(
    copies.length === 0,
    `no copy of the reference elsewhere${copies.length ? `: ${copies.join(', ')}` : ''}`,
  );
}

/** Every test of `parts` fails on a NotImplementedError naming one of `named`, early; returns the first failure per part. */
function checkFailsFast(
  tests: JestTest[],
  parts: readonly Part[],
  named: readonly Part[],
): Map<Part, string> {
  const first = new Map<Part, string>();
  for (const part of parts) {
    const mine = tests.filter((t) => partOf(t) === part);
    const bad: string[] = [];
    for (const t of mine) {
      const message = t.failureMessages.join('\n');
      const line =
        message
          .split('\n')
          .find((l) => l.trim() !== '')
          ?.trim() ?? '(no message)';
      if (!first.has(part)) first.set(part, `${t.fullName}\n      ${line}`);
      const virtual = /failed at virtual time ([\d.]+) s/.exec(message);
      const names = new RegExp(`NotImplementedError: not implemented yet: (${named.join('|')}): \\S`).test(
        line,
      );
      if (t.status !== 'failed' || !names || virtual === null || Number(virtual[1]) > FAST_VIRTUAL_S) {
        bad.push(`${t.fullName} [${t.status}] ${line}${virtual ? ` at ${virtual[1]} s` : ''}`);
      }
    }
    const walls = mine.map((t) => t.duration ?? 0);
    check(
      mine.length > 0 && bad.length === 0,
      `${part}: all ${mine.length} tests fail at once on a NotImplementedError naming ${named.join('/')} (slowest ${Math.max(0, ...walls)} ms wall)${bad.length ? `:\n         ${bad.slice(0, 3).join('\n         ')}` : ''}`,
    );
  }
  return first;
}

async function main(): Promise<void> {
  const keep = process.argv.includes('--keep');
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'raftlab-handout-'));
  const stale = REFERENCE_ONLY_NAMES.filter((n) => {
    const src = listSourceFiles(SOURCE)
      .filter(isStudentCode)
      .map((f) => fs.readFileSync(path.join(SOURCE, f), 'utf8'))
      .join('\n');
    return !referenceNamesIn(src).includes(n);
  });
  check(
    stale.length === 0,
    `every reference-only name is still in the reference${stale.length ? `: not found: ${stale.join(', ')}` : ''}`,
  );
  try {
    const full = await makeHandout(root, 'full', 'all');
    checkShipped(full);
    check(run(full, 'npm', ['run', 'typecheck']).status === 0, 'npm run typecheck passes');
    const lint = run(full, 'npm', ['run', 'lint']);
    check(
      lint.status === 0,
      `npm run lint passes${lint.status === 0 ? '' : `:\n${lint.output.slice(-2000)}`}`,
    );
    checkNoReference(full, ['raft/', 'kvraft/', 'shardctrler/', 'shardkv/']);
    const fullTests = jest(full, [
      'tests/raft/2',
      'tests/kvraft/3',
      'tests/shardctrler/4',
      'tests/shardkv/4',
    ]);
    const firsts = checkFailsFast(fullTests, PARTS, ['2A']);
    const first2A = firsts.get('2A') ?? '';
    check(
      /constructor must start the election timer/.test(first2A),
      "2A: the first failure is the constructor's election timer",
    );

    const kv = await makeHandout(root, 'kv', '3A-3B');
    checkShipped(kv);
    check(run(kv, 'npm', ['run', 'typecheck']).status === 0, 'npm run typecheck passes');
    const kvLint = run(kv, 'npm', ['run', 'lint']);
    check(
      kvLint.status === 0,
      `npm run lint passes${kvLint.status === 0 ? '' : `:\n${kvLint.output.slice(-2000)}`}`,
    );
    checkNoReference(kv, ['kvraft/', 'shardctrler/', 'shardkv/']); // 3A-3B takes Lab 4 with it (parts.ts)
    const kvTests = jest(kv, ['tests/raft/2', 'tests/kvraft/3']);
    const kvFirsts = checkFailsFast(kvTests, ['3A', '3B'], ['3A', '3B']);
    const raftTests = kvTests.filter((t) => (partOf(t) ?? '').startsWith('2'));
    const failed = raftTests.filter((t) => t.status !== 'passed');
    check(
      raftTests.length > 0 && failed.length === 0,
      `2A-2D: all ${raftTests.length} tests pass on the reference Raft${failed.length ? `; failed: ${failed.map((t) => t.fullName).join(', ')}` : ''}`,
    );

    const shard = await makeHandout(root, 'shard', '4A-4B');
    checkShipped(shard);
    check(run(shard, 'npm', ['run', 'typecheck']).status === 0, 'npm run typecheck passes');
    const shardLint = run(shard, 'npm', ['run', 'lint']);
    check(
      shardLint.status === 0,
      `npm run lint passes${shardLint.status === 0 ? '' : `:\n${shardLint.output.slice(-2000)}`}`,
    );
    checkNoReference(shard, ['shardctrler/', 'shardkv/']);
    const shardFirsts = checkFailsFast(
      jest(shard, ['tests/shardctrler/4', 'tests/shardkv/4']),
      ['4A', '4B'],
      ['4A', '4B'],
    );

    console.log('\nFirst failure of each part on a fresh handout (all parts):');
    for (const [part, text] of firsts) console.log(`  ${part}: ${text}`);
    console.log('First failure of each part on a fresh --parts 3A-3B handout:');
    for (const [part, text] of kvFirsts) console.log(`  ${part}: ${text}`);
    console.log('First failure of each part on a fresh --parts 4A-4B handout:');
    for (const [part, text] of shardFirsts) console.log(`  ${part}: ${text}`);
  } finally {
    if (keep) console.log(`\nhandouts kept in ${root}`);
    else fs.rmSync(root, { recursive: true, force: true });
  }
  console.log(
    problems.length === 0
      ? '\nhandout self-check: all passed'
      : `\nhandout self-check: ${problems.length} failed`,
  );
  process.exitCode = problems.length === 0 ? 0 : 1;
}

void main();
