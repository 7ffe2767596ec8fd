/**
 * The grader against submissions that attack it rather than solve the lab (issue 20): each is the
 * reference with one change that stops it electing a leader (RequestVote never grants) plus an attack
 * in raft/attack.ts, loaded with raft.ts. An attack that works undoes the first change (it sets a flag
 * that lets votes through again), so any escape shows up as points; the policy check is switched off
 * (`--allow` every rule) so that only the run-time walls judge. Each must score 0, end in bounded time
 * with a reason, and leave nothing behind: no file written outside its run, no connection made, no
 * process left running, the batch and the grader unharmed.
 *
 * Slow (real grading), so `npm run test:grade` runs it, as CI does (.ci/run).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { RULES } from '../../scripts/grade/policy-rules';
import type { SubmissionGrade } from '../../scripts/grade/score';
import { ROOT, sandboxRequired, referenceCopy } from './grade-fixtures';

const TSX_CLI = require.resolve('tsx/cli');
jest.setTimeout(900_000);
const RUBRIC = path.join(__dirname, 'grade-rubric.yaml');
const TOKEN = `raftlab-attack-${process.pid}`;

let tmp = '';
let server: net.Server;
let port = 0;
let connections = 0;
beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'grade-attacks-'));
  server = net.createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as net.AddressInfo).port;
});
afterAll(async () => {
  fs.rmSync(tmp, { recursive: true, force: true });
  await new Promise((resolve) => server.close(resolve));
});

/** A marker an attack tries to write outside its run: it must never exist. */
const marker = (name: string): string => path.join(ROOT, '.lab', `${TOKEN}-${name}`);

/** Each attack's module text (run when raft.ts loads): `won()` lets votes through. */
function attacks(): Record<string, string> {
  const won = "(globalThis as Record<string, unknown>)['__attackWon'] = true";
  return {
    'read-checkout': `import fs from 'node:fs';
try { fs.readFileSync(${JSON.stringify(path.join(ROOT, 'raft', 'raft.ts'))}); ${won}; } catch { /* walled */ }`,
    // Its own /tmp is a private tmpfs: writing there is allowed, and nobody outside sees it.
    'write-outside': `import fs from 'node:fs';
try { fs.writeFileSync(${JSON.stringify(marker('write'))}, 'planted'); ${won}; } catch { /* walled */ }
try { fs.writeFileSync(${JSON.stringify(path.join(os.tmpdir(), `${TOKEN}-write`))}, 'planted'); } catch { /* walled */ }`,
    network: `import net from 'node:net';
const socket = net.connect(${port}, '127.0.0.1');
socket.on('connect', () => { ${won}; socket.destroy(); });
socket.on('error', () => undefined);`,
    'kill-grader': `import { execSync } from 'node:child_process';
try { execSync('kill -9 ' + process.ppid + '; pkill -9 -f scripts/grade.ts', { stdio: 'ignore' }); } catch { /* walled */ }`,
    'detached-process': `import { spawn } from 'node:child_process';
try {
  const child = spawn('sh', ['-c', 'sleep 60 # ${TOKEN}'], { detached: true, stdio: 'ignore' });
  child.unref();
} catch { /* walled */ }`,
    'reference-by-path': `import * as reference from 'lodash/../../raft/raft';
if (typeof (reference as Record<string, unknown>).Raft === 'function') ${won};`,
    // Says "S0 leads term 1" without an election or an RPC: the tester wants the wire's evidence.
    'claims-leadership': `import { Raft } from './raft';
queueMicrotask(() => {
  Raft.prototype.getState = function (this: Raft) {
    return { term: 1, isLeader: (this as unknown as { me: number }).me === 0 };
  };
});`,
    // Through the inspector, rewrite the run's host thread (where the verdict is relayed from).
    inspector: `import inspector from 'node:inspector';
try {
  const session = new inspector.Session();
  session.connectToMainThread();
  ${won};
} catch { /* walled */ }`,
    'throw-null': `throw null;`,
    // A thread in a native call cannot be terminated until the call returns (minutes, here).
    'blocking-native-call': `import crypto from 'node:crypto';
export function stall(): void { crypto.pbkdf2Sync('x', 'y', 1e9, 64, 'sha512'); }`,
    'off-heap-memory': `const hoard: Uint8Array[] = [];
export function stall(): void { for (let i = 0; i < 64; i++) hoard.push(Buffer.alloc(256 * 2 ** 20, 1)); }`,
    'output-flood': `for (let i = 0; i < 200_000; i++) { console.log('flood ' + i); process.stderr.write('flood ' + i + '\\n'); }`,
  };
}

/** The reference, unable to elect (votes refused unless an attack won), with `attack` loaded by raft.ts. */
function hostileCopy(dir: string, attack: string): void {
  referenceCopy(dir);
  fs.writeFileSync(path.join(dir, 'raft', 'attack.ts'), `${attack}\n`);
  const raftFile = path.join(dir, 'raft', 'raft.ts');
  fs.writeFileSync(
    raftFile,
    `import * as attack from './attack';\nvoid attack;\n${fs.readFileSync(raftFile, 'utf8')}`,
  );
  const voteFile = path.join(dir, 'raft', 'request-vote.ts');
  const anchor = "  // SKELETON: return todo('2A: RequestVote receiver, Figure 2');\n";
  const text = fs.readFileSync(voteFile, 'utf8');
  if (!text.includes(anchor)) throw new Error(`${voteFile}: the anchor of the planted change is gone`);
  const stall = /export function stall/.test(attack)
    ? '  (attack as unknown as { stall(): void }).stall();\n'
    : '';
  const refuse =
    "  if ((globalThis as Record<string, unknown>)['__attackWon'] !== true) return { term: rf.currentTerm, voteGranted: false };\n";
  const imports = stall === '' ? '' : "import * as attack from './attack';\n";
  fs.writeFileSync(voteFile, imports + text.replace(anchor, anchor + stall + refuse));
}

test('attacks on the grader score 0 on 2A, end in bounded time with a reason, and leave nothing behind', () => {
  const batch = path.join(tmp, 'batch');
  const names = Object.keys(attacks());
  for (const [name, attack] of Object.entries(attacks())) hostileCopy(path.join(batch, name), attack);
  const out = path.join(tmp, 'out');
  const started = Date.now();
  const child = spawnSync(
    process.execPath,
    [TSX_CLI, 'scripts/grade.ts', batch, '--out', out, '-p', '2', '--rubric', RUBRIC, '--parts', '2A'].concat(
      ['--hang', '3', '--allow', Object.keys(RULES).join(',')],
    ),
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } },
  );
  const seconds = (Date.now() - started) / 1000;
  expect([child.status, child.stderr.slice(-2000)]).toEqual([0, expect.any(String)]);

  const grades = new Map<string, SubmissionGrade>();
  for (const name of names) {
    const file = path.join(out, name, 'grade.json');
    if (fs.existsSync(file)) grades.set(name, JSON.parse(fs.readFileSync(file, 'utf8')) as SubmissionGrade);
  }
  // The table an instructor reads: which wall stopped each attack, and how.
  const table = [...grades].map(([name, g]) => {
    const runs = g.tests.flatMap((t) => t.runs);
    const how = [...new Set(runs.map((r) => `${r.kind}: ${(r.error ?? '').split('\n')[0].slice(0, 160)}`))];
    const wall = Math.max(...runs.map((r) => r.wallMs)) / 1000;
    return `${name} (score ${g.score}, longest run ${wall.toFixed(1)} s): ${how.join(' / ')}`;
  });
  process.stderr.write(`grade attacks (${seconds.toFixed(0)} s):\n  ${table.join('\n  ')}\n`);

  const sandboxed = sandboxRequired();
  for (const name of names) {
    const g = grades.get(name);
    expect([name, g !== undefined]).toEqual([name, true]);
    if (g === undefined) continue;
    if (sandboxed) {
      expect([name, g.key.sandbox, g.isolation]).toEqual([
        name,
        'bwrap',
        expect.stringMatching(/^sandboxed/),
      ]);
    }
    expect([name, g.score]).toEqual([name, 0]);
    const runs = g.tests.flatMap((t) => t.runs);
    expect(runs.length).toBe(3);
    for (const r of runs) {
      expect([name, r.kind === 'pass']).toEqual([name, false]);
      expect([name, (r.error ?? '').length > 0]).toEqual([name, true]);
      expect([name, r.wallMs < 60_000]).toEqual([name, true]);
    }
  }

  expect(connections).toBe(0);
  expect(fs.existsSync(marker('write'))).toBe(false);
  expect(fs.existsSync(path.join(os.tmpdir(), `${TOKEN}-write`))).toBe(false);
  const left = spawnSync('pgrep', ['-f', TOKEN], { encoding: 'utf8' });
  expect(left.stdout.trim()).toBe('');
  // Nothing in the out folder but what the grader writes.
  for (const name of names) {
    const files = fs.readdirSync(path.join(out, name)).filter((f) => f !== 'traces');
    expect(files.sort()).toEqual(['grade.json', 'report.html', 'report.md', 'results.json']);
  }
});
