/**
 * The real cluster, end to end (`npm run test:cluster`; loopback only, bounded in time):
 * - a 3-server cluster under load from 5 clients, with a SIGKILL of the leader, a SIGKILL of a random
 *   server and a partition: the history is linearizable, no acknowledged write is lost, no operation is
 *   left hanging, and afterwards not one of the member processes it started is still alive;
 * - a supervisor that is itself SIGKILLed takes its members down with it (no orphans).
 *
 * Times are generous on purpose: on a loaded two-core machine a member takes seconds to start and an
 * election can take several rounds. Nothing here asserts a duration.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCheck } from '../../cluster/check/run';
import { CLUSTER_FILE, type ClusterFile } from '../../cluster/supervisor';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntil(what: string, done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cluster-test-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

test('3 servers, 5 clients, SIGKILLs (the leader first) and a partition: linearizable, nothing lost, no process left', async () => {
  const lines: string[] = [];
  const report = await runCheck({
    servers: 3,
    clients: 5,
    seconds: 14,
    minOps: 300, // a few hundred operations: a loaded machine gets up to 2 minutes for them
    maxSeconds: 120,
    killEvery: 4, // a kill of the leader after 4 s, maybe another later; a partition after 6 s
    partitionEvery: 6,
    dir,
    log: (line) => lines.push(line),
  });
  const context = `${report.ops.length} operations; log:\n${lines.join('\n')}`;
  expect({ verdict: report.verdict, lost: report.lost, stuck: report.stuck, context }).toMatchObject({
    verdict: 'ok',
    lost: [],
    stuck: [],
  });
  // Not 300: on a starved machine the 2 minutes may not suffice, and no timing is asserted here.
  expect(report.ops.length).toBeGreaterThanOrEqual(100);
  const kills = report.events.filter((e) => e.kind === 'crash');
  expect(kills.some((k) => k.leader === true)).toBe(true);
  expect(report.events.filter((e) => e.kind === 'partition').length).toBeGreaterThanOrEqual(1);
  // Every client got work done, and the final reads saw every key.
  expect(new Set(report.ops.map((op) => op.clientId)).size).toBe(6);
  expect(report.finalValues.size).toBe(5);
  // 3 first starts and a restart per kill, all gone.
  expect(report.pids.length).toBe(3 + kills.length);
  expect(report.pids.filter(alive)).toEqual([]);
  process.stdout.write(`cluster test: ${context.split('\n')[0]}, ${kills.length} kills\n`);
}, 300_000);

test('a SIGKILLed supervisor leaves no orphans: its members exit when their channel to it closes', async () => {
  const supervisor = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(__dirname, '../../scripts/cluster.ts'), '--servers', '3', '--dir', dir],
    { stdio: 'ignore' },
  );
  const clusterFile = path.join(dir, CLUSTER_FILE);
  const pids = (): number[] => {
    if (!fs.existsSync(clusterFile)) return [];
    const file = JSON.parse(fs.readFileSync(clusterFile, 'utf8')) as ClusterFile;
    return file.servers.flatMap((s) => (s.pid === null ? [] : [s.pid]));
  };
  const seen = new Set<number>();
  try {
    await waitUntil(
      '3 members up',
      () => {
        const up = pids();
        up.forEach((pid) => seen.add(pid));
        return up.length === 3;
      },
      120_000,
    );
    const members = pids();
    expect(members.every(alive)).toBe(true);
    supervisor.kill('SIGKILL');
    await waitUntil('every member to exit', () => !members.some(alive), 30_000);
  } finally {
    // Also when the test failed: nothing it started outlives it.
    const exited = new Promise((resolve) => supervisor.once('exit', resolve));
    if (supervisor.exitCode === null && supervisor.signalCode === null) {
      supervisor.kill('SIGKILL');
      await exited;
    }
    await waitUntil('the members to exit', () => ![...seen].some(alive), 30_000);
  }
}, 200_000);
