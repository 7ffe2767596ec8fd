/**
 * The grader's sandbox on its own (scripts/grade/sandbox.ts), below the run's other walls: a plain
 * `node -e` program started through `sandbox.wrap`, doing what a hostile run would do if it got past the
 * harness (with a native addon, say). It must see only what it is given, reach no network, kill nothing
 * outside, leave nothing running, and stop at its memory limit.
 *
 * Needs bubblewrap; where the grader is root on Linux and `bwrap` is installed (CI installs it, .ci/run),
 * a sandbox that does not start fails this test. Elsewhere the tests are skipped, and say why.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { sleep } from '../../labrpc';
import { detectSandbox, type Sandbox } from '../../scripts/grade/sandbox';
import { ROOT, sandboxRequired } from './grade-fixtures';

jest.setTimeout(120_000);
const TOKEN = `raftlab-sandbox-${process.pid}`;
const required = sandboxRequired();

let tmp = '';
let work = '';
let scratch = '';
let sandbox: Sandbox;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-test-'));
  fs.chmodSync(tmp, 0o711);
  work = path.join(tmp, 'ws');
  fs.mkdirSync(work, { mode: 0o755 });
  fs.writeFileSync(path.join(work, 'mine.txt'), 'the run may read this');
  scratch = path.join(tmp, 'scratch');
  fs.mkdirSync(scratch, { mode: 0o777 });
  fs.chmodSync(scratch, 0o777);
  sandbox = detectSandbox(tmp);
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Run `script` with node inside the sandbox; resolves with its stdout once the sandbox is gone. */
function inSandbox(
  script: string,
  memoryMb = 1024,
): Promise<{ code: number | null; out: string; err: string }> {
  const argv = sandbox.wrap(
    [process.execPath, '-e', script],
    { readOnly: [work], writable: scratch, cwd: work },
    { memoryMb, cpuSeconds: 60 },
  );
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

const check = required ? test : test.skip;
if (!required) {
  process.stderr.write('grade-sandbox.e2e: skipped (needs root on Linux with bubblewrap installed)\n');
}

check('bubblewrap starts, as uid 65534 when the grader is root', async () => {
  expect([sandbox.kind, sandbox.description]).toEqual(['bwrap', expect.stringMatching(/uid 65534/)]);
  const { out } = await inSandbox(
    "console.log(process.getuid(), require('fs').readFileSync('mine.txt', 'utf8'))",
  );
  expect(out.trim()).toBe('65534 the run may read this');
});

check(
  'it sees its workspace and scratch folder, not the checkout, other folders or the host /tmp',
  async () => {
    const script = `
    const fs = require('fs');
    const tryRead = (f) => { try { fs.readFileSync(f); return 'read'; } catch (e) { return e.code; } };
    const tryWrite = (f) => { try { fs.writeFileSync(f, 'x'); return 'wrote'; } catch (e) { return e.code; } };
    console.log(JSON.stringify({
      checkout: tryRead(${JSON.stringify(path.join(ROOT, 'raft', 'raft.ts'))}),
      etc: tryRead('/etc/passwd'),
      home: tryRead(${JSON.stringify(path.join(os.homedir(), '.bashrc'))}),
      ownWorkspace: tryWrite('mine.txt'),
      checkoutWrite: tryWrite(${JSON.stringify(path.join(ROOT, '.lab', TOKEN))}),
      scratch: tryWrite(${JSON.stringify(path.join(scratch, 'trace'))}),
      privateTmp: tryWrite('/tmp/${TOKEN}'),
    }));`;
    const { out } = await inSandbox(script);
    expect(JSON.parse(out)).toEqual({
      checkout: 'ENOENT',
      etc: 'ENOENT',
      home: 'ENOENT',
      ownWorkspace: 'EROFS',
      checkoutWrite: 'ENOENT',
      scratch: 'wrote',
      privateTmp: 'wrote',
    });
    expect(fs.existsSync(path.join(ROOT, '.lab', TOKEN))).toBe(false);
    expect(fs.existsSync(`/tmp/${TOKEN}`)).toBe(false); // its /tmp was its own
  },
);

check('no network: a server on the host loopback is out of reach', async () => {
  let connections = 0;
  const server = net.createServer((s) => {
    connections++;
    s.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const { out } = await inSandbox(`
    const s = require('net').connect(${port}, '127.0.0.1');
    s.on('connect', () => { console.log('connected'); s.destroy(); });
    s.on('error', (e) => console.log(e.code));`);
  await new Promise((resolve) => server.close(resolve));
  expect(out.trim()).toMatch(/^E(CONNREFUSED|NETUNREACH)$/);
  expect(connections).toBe(0);
});

check('it cannot signal the grader, and nothing it starts outlives it', async () => {
  const { out } = await inSandbox(`
    const { spawn, execSync } = require('child_process');
    spawn('sh', ['-c', 'sleep 60 # ${TOKEN}'], { detached: true, stdio: 'ignore' }).unref();
    let killed = 'killed';
    try { process.kill(${process.pid}, 'SIGKILL'); } catch (e) { killed = e.code; }
    console.log(killed);`);
  expect(out.trim()).toBe('ESRCH'); // another pid namespace: the grader's pid names no process there
  // The kernel kills what is left in the namespace once its first process ends, a moment after the
  // sandbox's exit is reported: give it up to 5 s on a busy machine, not forever.
  const leftover = (): string => spawnSync('pgrep', ['-f', TOKEN], { encoding: 'utf8' }).stdout.trim();
  for (let waited = 0; leftover() !== '' && waited < 5000; waited += 50) await sleep(50);
  expect(leftover()).toBe('');
});

check('all its memory is limited, off-heap buffers included', async () => {
  const { out } = await inSandbox(
    `const kept = []; let got = 0;
     try { for (let i = 0; i < 64; i++) { kept.push(Buffer.alloc(64 * 2 ** 20, 1)); got++; } } catch (e) { }
     console.log(got);`,
    512,
  );
  expect(Number(out.trim())).toBeLessThan(8); // 512 MB in all: fewer than eight 64 MB buffers
});
