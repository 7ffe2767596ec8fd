/**
 * The cluster's file-backed persister, in process: what a restarted peer reads back, and the refusal of
 * a file that is not a complete save. (Its safety under SIGKILL is tested with real processes in
 * crash-safety.cluster.ts, run by `npm run test:cluster`.)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FilePersister, STATE_FILE } from '../../cluster/file-persister';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'file-persister-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

test('a new persister on the same folder reads back the last save, state and snapshot', () => {
  const first = new FilePersister(dir);
  expect(first.raftStateSize()).toBe(0);
  first.saveStateAndSnapshot(bytes(1, 2, 3), bytes(9, 9));
  first.saveRaftState(bytes(4, 5)); // keeps the snapshot
  const again = new FilePersister(dir);
  expect(again.readRaftState()).toEqual(bytes(4, 5));
  expect(again.readSnapshot()).toEqual(bytes(9, 9));
  expect([again.raftStateSize(), again.snapshotSize()]).toEqual([2, 2]);
});

test('saved bytes are copies: changing the caller’s array after a save changes nothing', () => {
  const persister = new FilePersister(dir);
  const state = bytes(1, 2, 3);
  persister.saveRaftState(state);
  state[0] = 42;
  expect(persister.readRaftState()).toEqual(bytes(1, 2, 3));
  expect(new FilePersister(dir).readRaftState()).toEqual(bytes(1, 2, 3));
});

test('a leftover temporary file (a save cut short before its rename) is ignored and removed', () => {
  new FilePersister(dir).saveRaftState(bytes(7));
  fs.writeFileSync(path.join(dir, `${STATE_FILE}.tmp`), 'half a save');
  const again = new FilePersister(dir);
  expect(again.readRaftState()).toEqual(bytes(7));
  expect(fs.existsSync(path.join(dir, `${STATE_FILE}.tmp`))).toBe(false);
});

test('a truncated or foreign state file is refused with a message saying what to do', () => {
  new FilePersister(dir).saveStateAndSnapshot(bytes(1, 2, 3, 4), bytes(5, 6));
  const file = path.join(dir, STATE_FILE);
  fs.truncateSync(file, fs.statSync(file).size - 1);
  expect(() => new FilePersister(dir)).toThrow(/header announces .*delete the data folder/);
  fs.writeFileSync(file, 'not raft state');
  expect(() => new FilePersister(dir)).toThrow(/does not start with the "RLP1" header/);
});
