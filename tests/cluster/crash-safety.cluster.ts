/**
 * The file persister under SIGKILL, with real processes: a child saves large versions back to back and
 * is killed at a random moment, many times over; every time, a new persister on the same folder must
 * read one complete version — state and snapshot of the same save — never a torn file or a mix.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FilePersister } from '../../cluster/file-persister';
import { version } from './save-loop';

const KILLS = 8;

async function killDuringSaves(dir: string): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'save-loop.ts'), dir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`save-loop exited (code ${code}) before saving`)));
  });
  await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 400));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

test(`SIGKILL at ${KILLS} random moments of a save loop: the folder always holds one whole save`, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crash-safety-'));
  try {
    const seen = new Set<string>();
    for (let k = 0; k < KILLS; k++) {
      await killDuringSaves(dir);
      const persister = new FilePersister(dir);
      const snapshot = new TextDecoder().decode(persister.readSnapshot());
      const n = Number(/^version (\d+)$/.exec(snapshot)?.[1]);
      expect(Number.isInteger(n)).toBe(true);
      const expected = version(n);
      expect(persister.raftStateSize()).toBe(expected.state.length);
      expect(persister.readRaftState().every((b) => b === (n & 0xff))).toBe(true);
      seen.add(snapshot);
    }
    // The kills landed at different points of the loop, not all before its second save.
    expect(seen.size).toBeGreaterThan(1);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 180_000);
