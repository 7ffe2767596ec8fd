// The Persister's contract (labrpc/persister.ts): what a peer saved is what it reads back after a crash,
// whatever it does to its own arrays afterwards, and a copy taken at a crash never sees later saves.
import { Persister } from '../../labrpc';

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

test('reads back the last save, as a copy the reader may change', () => {
  const p = new Persister();
  expect(p.readRaftState()).toEqual(new Uint8Array(0));
  p.saveRaftState(bytes(1, 2, 3));
  p.saveRaftState(bytes(4, 5));
  const read = p.readRaftState();
  expect(read).toEqual(bytes(4, 5));
  expect(p.raftStateSize()).toBe(2);
  read[0] = 99;
  expect(p.readRaftState()).toEqual(bytes(4, 5));
});

test('changing the saved array after the save changes nothing stored', () => {
  const p = new Persister();
  const state = bytes(1, 2, 3);
  const snapshot = bytes(7, 8);
  p.saveStateAndSnapshot(state, snapshot);
  state[0] = 42;
  snapshot.fill(0);
  expect(p.readRaftState()).toEqual(bytes(1, 2, 3));
  expect(p.readSnapshot()).toEqual(bytes(7, 8));
  expect(p.snapshotSize()).toBe(2);
});

test('a copy keeps what was saved before it, and saves to either side stay on that side', () => {
  const p = new Persister();
  p.saveStateAndSnapshot(bytes(1, 1, 1), bytes(9));
  const restarted = p.copy();
  p.saveRaftState(bytes(2, 2)); // the killed peer still writing
  expect(restarted.readRaftState()).toEqual(bytes(1, 1, 1));
  restarted.saveRaftState(bytes(3));
  expect(p.readRaftState()).toEqual(bytes(2, 2));
  expect(restarted.readRaftState()).toEqual(bytes(3));
  expect(restarted.readSnapshot()).toEqual(bytes(9));
  const again = restarted.copy();
  restarted.saveStateAndSnapshot(bytes(4), bytes(5));
  expect(again.readRaftState()).toEqual(bytes(3));
  expect(again.readSnapshot()).toEqual(bytes(9));
});

test('a state that grows and then shrinks (a snapshot trimmed the log) reads back exactly', () => {
  const p = new Persister();
  const big = new Uint8Array(200_000).map((_, i) => i % 251);
  for (let n = 1000; n <= big.length; n += 37_000) {
    p.saveRaftState(big.subarray(0, n));
    expect(p.raftStateSize()).toBe(n);
  }
  p.saveRaftState(big);
  expect(p.readRaftState()).toEqual(big);
  p.saveRaftState(bytes(5, 6));
  expect(p.readRaftState()).toEqual(bytes(5, 6));
  expect(p.raftStateSize()).toBe(2);
});
