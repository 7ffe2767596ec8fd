/**
 * The channels between the tester and the child that holds the code under test (boundary/channels.ts),
 * and the core their main threads share when grading (boundary/affinity.ts): frames far larger than a
 * pipe holds cross whole both ways, each side sees the other go, and pinning moves a main thread only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ChildTransport } from '../harness/boundary/child';
import { openChannels } from '../harness/boundary/channels';
import { allowedCpuList, canPin, parseCpuList, pinThread } from '../harness/boundary/affinity';
import type { Command } from '../harness/boundary/protocol';
import { seededRandom } from '../harness/seeded-random';

const ECHO = path.join(__dirname, 'echo-child.js');

function randomBytes(n: number, seed: number): Uint8Array {
  const random = seededRandom(seed);
  return Uint8Array.from({ length: n }, () => Math.floor(random() * 256));
}

const exited = (child: ChildProcess): Promise<number | null> =>
  new Promise((resolve) => child.once('exit', (code) => resolve(code)));

test('a batch and its answer, each far larger than a pipe holds, cross whole', async () => {
  const failures: Error[] = [];
  const transport = new ChildTransport({ command: [process.execPath, ECHO] }, 1, (e) => failures.push(e));
  try {
    for (const [size, seed] of [
      [3 * 2 ** 20, 1],
      [10, 2],
      [200 * 1024, 3],
    ]) {
      const pad = randomBytes(size, seed);
      const effects = await transport.run([{ op: 'fire', timer: 1, pad } as unknown as Command], seed);
      expect(effects).toHaveLength(1);
      const reply = (effects[0] as { reply: Uint8Array }).reply;
      expect(Buffer.compare(Buffer.from(reply), Buffer.from(pad))).toBe(0);
    }
  } finally {
    transport.close();
  }
  expect(failures).toEqual([]);
});

test('the child sees the tester go (its read ends), and the tester sees the child go', async () => {
  const channels = openChannels();
  const child = spawn(process.execPath, [ECHO], {
    stdio: [channels.forChild[0], 'ignore', 'inherit', channels.forChild[1]],
  });
  for (const fd of channels.forChild) fs.closeSync(fd);
  const exit = exited(child);
  fs.closeSync(channels.toChild); // the tester is gone
  expect(await exit).toBe(0);
  // No writer of the effects is left: the tester's read says the end (0 bytes), not "try again".
  expect(fs.readSync(channels.fromChild, Buffer.alloc(16))).toBe(0);
  fs.closeSync(channels.fromChild);
});

test('a Linux CPU list names each CPU once', () => {
  expect(parseCpuList('0')).toEqual([0]);
  expect(parseCpuList('0-3')).toEqual([0, 1, 2, 3]);
  expect(parseCpuList('0-1,4,6-7')).toEqual([0, 1, 4, 6, 7]);
  expect(parseCpuList('')).toEqual([]);
  expect(parseCpuList('x')).toEqual([]);
});

(canPin() ? test : test.skip)('pinning a process moves its main thread only', async () => {
  const allowed = allowedCpuList() as string;
  const cpu = parseCpuList(allowed)[0];
  const child = spawn(process.execPath, ['-e', "console.log('up'); setInterval(() => {}, 1000)"], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    await new Promise((resolve) => child.stdout?.once('data', resolve)); // its V8 threads are up
    const pid = child.pid as number;
    expect(pinThread(pid, cpu)).toBe(true);
    const cpusOf = (tid: string): string =>
      /^Cpus_allowed_list:\s*(\S+)/m.exec(fs.readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8'))?.[1] ??
      '';
    const threads = fs.readdirSync(`/proc/${pid}/task`);
    expect(cpusOf(String(pid))).toBe(String(cpu));
    const others = threads.filter((tid) => tid !== String(pid));
    expect(others.length).toBeGreaterThan(0);
    for (const tid of others) expect(cpusOf(tid)).toBe(allowed);
  } finally {
    child.kill('SIGKILL');
  }
});
