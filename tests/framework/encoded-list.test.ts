// EncodedList and encodeArray (labrpc/encoded-list.ts): the bytes of an incrementally kept list are
// exactly encode()'s, through appends, truncations and clears, and across every array header size.
import { EncodedList, decode, encode, encodeArray } from '../../labrpc';

type Entry = { term: number; command: unknown };

const entry = (k: number): Entry => ({
  term: 1 + (k >> 4),
  command: k % 3 === 0 ? `cmd ${k}` : { k, v: [k] },
});

test('bytes() equals encode() of the items as the list grows, is cut back and cleared', () => {
  const list = new EncodedList<Entry>('log');
  const items: Entry[] = [];
  expect(list.bytes()).toEqual(encode(items));
  for (const n of [1, 15, 16, 40, 3000]) {
    while (items.length < n) {
      items.push(entry(items.length));
      list.push(items[items.length - 1]);
    }
    expect(list.bytes()).toEqual(encode(items));
  }
  items.length = 17; // a conflict cuts the tail off
  list.truncate(17);
  expect(list.bytes()).toEqual(encode(items));
  list.push(entry(99));
  items.push(entry(99));
  expect(decode(list.bytes())).toEqual(items);
  list.clear();
  expect(list.length).toBe(0);
  expect(list.bytes()).toEqual(encode([]));
});

test('the 32-bit array header (70,000 items)', () => {
  const list = new EncodedList<number>();
  const items = Array.from({ length: 70_000 }, (_, k) => k % 200);
  list.push(...items);
  expect(list.bytes()).toEqual(encode(items));
});

test('encodeArray of encoded parts equals encode of the array: a whole persisted state', () => {
  const log = new EncodedList<Entry>('log');
  const entries = [entry(1), entry(2), entry(3)];
  log.push(...entries);
  const state = encodeArray([encode(7), encode(null), log.bytes()]);
  expect(state).toEqual(encode([7, null, entries]));
  expect(decode<[number, number | null, Entry[]]>(state)).toEqual([7, null, entries]);
});

test('truncate refuses what is not a length', () => {
  expect(() => new EncodedList().truncate(-1)).toThrow('expected a whole number >= 0, got -1');
});
