/**
 * Persister saves as patches across the process boundary (tests/harness/boundary/persist-patch.ts): the
 * tester must rebuild every save exactly, small for the edits a log makes, and refuse a patch that does not
 * fit (a child that lies fails its own run).
 */
import { encode } from '../../labrpc';
import { seededRandom } from '../harness/seeded-random';
import {
  PersistPatcher,
  PersistUnpatcher,
  applyPatch,
  diffBytes,
  type BytesPatch,
} from '../harness/boundary/persist-patch';
import { FrameReader, frame } from '../harness/boundary/frames';

const newBytes = (patch: BytesPatch): number =>
  patch.parts.reduce((sum, part) => sum + (part instanceof Uint8Array ? part.length : 0), 0);

/** A state laid out as the reference's is: small fields, a column of terms, a column of commands. */
function state(entries: number, term = 3): Uint8Array {
  return encode({
    currentTerm: term,
    votedFor: 1,
    terms: Array.from({ length: entries }, (_, k) => 1 + (k >> 6)),
    commands: Array.from({ length: entries }, (_, k) => ({
      op: 'Append',
      key: `k${k % 5}`,
      value: `x ${k} y`,
    })),
  });
}

test('an appended entry, in a log laid out in columns, costs a few new bytes', () => {
  const before = state(300);
  const after = state(301);
  const patch = diffBytes(before, after);
  expect(applyPatch(before, patch, 1e9)).toEqual(after);
  expect(newBytes(patch)).toBeLessThan(100); // of 14 kB
});

test('a new term, a cut log, a rewrite and an empty save all come back exactly', () => {
  const cases: Array<[Uint8Array, Uint8Array]> = [
    [state(300, 3), state(300, 4)],
    [state(300), state(120)],
    [state(300), encode({ snapshot: 'x'.repeat(5000) })],
    [new Uint8Array(0), state(10)],
    [state(10), new Uint8Array(0)],
  ];
  for (const [before, after] of cases)
    expect(applyPatch(before, diffBytes(before, after), 1e9)).toEqual(after);
});

test('random edits of random bytes: every patch rebuilds its save', () => {
  const random = seededRandom(7);
  const int = (n: number): number => Math.floor(random() * n);
  let previous = new Uint8Array(0);
  for (let round = 0; round < 300; round++) {
    const next = Array.from(previous);
    for (let edits = int(4); edits >= 0; edits--) {
      const at = int(next.length + 1);
      const kind = int(3);
      const bytes = Array.from({ length: int(40) }, () => int(4)); // few values: much repetition
      if (kind === 0) next.splice(at, 0, ...bytes);
      else if (kind === 1) next.splice(at, int(40));
      else next.splice(at, bytes.length, ...bytes);
    }
    const after = Uint8Array.from(next);
    expect(applyPatch(previous, diffBytes(previous, after), 1e9)).toEqual(after);
    previous = after;
  }
});

test('the two sides keep each object apart, and a snapshot save keeps the last snapshot', () => {
  const child = new PersistPatcher();
  const tester = new PersistUnpatcher(1e9);
  const across = (handle: number, raftState: Uint8Array, snapshot: Uint8Array | null) =>
    tester.unpatch({ ...child.patch({ op: 'persist', handle, raftState, snapshot }) });
  expect(across(1, state(5), null).raftState).toEqual(state(5));
  expect(across(2, state(9), encode('snap')).snapshot).toEqual(encode('snap'));
  expect(across(1, state(6), null)).toEqual({
    op: 'persist',
    handle: 1,
    raftState: state(6),
    snapshot: null,
  });
  expect(across(2, state(10), encode('snap2')).snapshot).toEqual(encode('snap2'));
});

test('saves from a reused buffer, growing and shrinking, come back exactly on both sides', () => {
  // The student's Persister hands over its own buffer, which its next save overwrites; both sides reuse
  // their buffers too. Every save, framed as the child sends it, must come back whole, including after a
  // much shorter one.
  const child = new PersistPatcher();
  const tester = new PersistUnpatcher(1e9);
  const reader = new FrameReader();
  const reused = new Uint8Array(64 * 1024);
  const sizes = [10, 200, 201, 400, 20, 21, 600, 5, 0, 300];
  for (const [round, entries] of sizes.entries()) {
    const save = state(entries, round);
    reused.set(save);
    const raftState = reused.subarray(0, save.length);
    const sent = frame(child.patch({ op: 'persist', handle: 1, raftState, snapshot: null }));
    reused.fill(0xff); // the student's next save overwrites its buffer
    const [wire] = reader.push(sent) as Record<string, unknown>[];
    expect(tester.unpatch(wire).raftState).toEqual(save);
  }
});

test('a patch that does not fit the last save is refused, with a reason', () => {
  const before = state(10);
  const fits = diffBytes(before, state(11));
  const broken: unknown[] = [
    { ...fits, length: fits.length + 1 },
    { length: 4, parts: [[0, before.length + 1]] },
    { length: 4, parts: [[-1, 4]] },
    { length: 2, parts: [new Uint8Array(3)] },
    { length: 1, parts: ['x'] },
    { length: 2e9, parts: [] },
    null,
  ];
  for (const patch of broken) {
    expect(() => applyPatch(before, patch as BytesPatch, 1e9)).toThrow(/persister save/);
  }
});
