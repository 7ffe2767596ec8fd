/**
 * The codec's self-tests: the equivalents of Go labgob's three tests (catalog §2), then what a student
 * relies on: copies are deep, and every value that would not survive the trip is reported once, by path.
 */
import { CodecError, codecStats, decode, deepCopy, encode, setCodecWarningSink } from '../../labrpc';
import { check, defineLabTest, type LabTest } from '../harness';

const part = 'codec';

function warningsSince(before: number): string[] {
  return codecStats().messages.slice(before);
}

// Go: TestGOB — plain data of every kind round-trips unchanged, with no warnings.
const roundTrip = defineLabTest({
  part,
  title: 'plain data round-trips with no warnings',
  async body() {
    const before = codecStats().warnings;
    const value = {
      term: 3,
      negative: -12,
      big: 2 ** 40,
      half: 0.5,
      name: 'S1',
      empty: '',
      ok: true,
      nothing: null,
      entries: [
        { term: 1, command: 101 },
        { term: 2, command: 'x' },
      ],
      nested: { a: { b: { c: [1, [2, [3]]] } } },
      snapshot: new Uint8Array([0, 1, 254, 255]),
    };
    const copy = deepCopy(value);
    check(
      JSON.stringify(copy) === JSON.stringify(value),
      `round trip changed the value: ${JSON.stringify(copy)}`,
    );
    check(copy.snapshot instanceof Uint8Array && copy.snapshot[3] === 255, 'Uint8Array did not survive');
    check(copy.entries !== value.entries && copy.nested.a !== value.nested.a, 'the copy shares objects');
    check(codecStats().warnings === before, `unexpected warnings: ${warningsSince(before).join('; ')}`);
  },
});

class LogEntry {
  constructor(
    public term: number,
    public command: unknown,
  ) {}
  describe(): string {
    return `T${this.term}`;
  }
}

// Go: TestCapital — a value that would lose something on the way (Go: a lower-case field) adds exactly
// one warning, however many times it is encoded, and the warning names its path. The warnings this test
// provokes go to its trace only: printed, they read like warnings about the student's own LogEntry.
const foreignValues = defineLabTest({
  part,
  title: 'a value that would not survive is reported once, by path',
  async body(ctx) {
    setCodecWarningSink((msg) => ctx.trace.record('codec', { msg })); // the run restores it
    const before = codecStats().warnings;
    const args = { entries: [new LogEntry(1, 5), new LogEntry(1, 6), new LogEntry(2, 7)] };
    for (let i = 0; i < 3; i++) encode(args, 'args');
    const added = warningsSince(before);
    check(added.length === 1, `expected exactly 1 warning, got ${added.length}: ${added.join('; ')}`);
    check(
      added[0].includes('args.entries[0]') && added[0].includes('LogEntry'),
      `warning lacks the path: ${added[0]}`,
    );
    const arrived = deepCopy(args);
    check(Object.getPrototypeOf(arrived.entries[1]) === Object.prototype, 'the prototype should be lost');
    const cases: Array<[unknown, string]> = [
      [{ m: new Map([['k', 1]]) }, 'Map will arrive as a plain object'],
      [{ s: new Set([1]) }, 'Set will arrive as an array'],
      [{ u: undefined }, 'undefined will arrive as null'],
      [{ f: () => 1 }, 'a function will arrive as null'],
      [{ n: Number.NaN }, 'NaN is almost always a bug'],
    ];
    for (const [value, text] of cases) {
      const n = codecStats().warnings;
      encode({ inner: value }, 'reply');
      const got = warningsSince(n);
      check(
        got.length === 1 && got[0].includes('reply.inner.') && got[0].includes(text),
        `expected "${text}", got ${got}`,
      );
    }
  },
});

// Go: TestDefault — Go warns when a reply is decoded into a variable that already holds data, because
// gob skips zero fields. Here a reply is always a fresh object and zero values are sent, so the
// mistake cannot happen; the test pins that down.
const zeroValues = defineLabTest({
  part,
  title: 'zero values are carried and decoding never merges into old data',
  async body() {
    const bytes = encode({ x: 0, s: '', b: false, list: [] }, 'reply');
    const first = decode<{ x: number; s: string; b: boolean; list: unknown[] }>(bytes);
    const second = decode<typeof first>(bytes);
    check(
      first.x === 0 && first.s === '' && first.b === false && first.list.length === 0,
      'a zero value was lost',
    );
    first.x = 99;
    check(second.x === 0, 'two decodes of the same bytes share an object');
  },
});

const cannotEncode = defineLabTest({
  part,
  title: 'cycles and BigInt are errors that name the path',
  async body() {
    const cyclic: { self?: unknown; list: unknown[] } = { list: [] };
    cyclic.list.push({ back: cyclic });
    const errors = [() => encode(cyclic, 'args'), () => encode({ index: 10n }, 'args')].map((attempt) => {
      try {
        attempt();
        return undefined;
      } catch (error) {
        return error;
      }
    });
    check(
      errors[0] instanceof CodecError && errors[0].message.startsWith('args.list[0].back: '),
      `cycle: ${errors[0]}`,
    );
    check(
      errors[1] instanceof CodecError && errors[1].message.includes('args.index: BigInt'),
      `BigInt: ${errors[1]}`,
    );
    const shared = { x: 1 };
    check(deepCopy({ a: shared, b: shared }).b.x === 1, 'a shared (non-cyclic) object must encode');
  },
});

const bytesAreCompact = defineLabTest({
  part,
  title: 'sizes are MessagePack sizes: small integers take one byte',
  async body() {
    check(encode(7).length === 1, `encode(7) took ${encode(7).length} bytes`);
    check(encode('abc').length === 4, 'a 3-char string takes 1 header byte + 3');
    check(encode({ term: 5 }).length === 7, `{term: 5} took ${encode({ term: 5 }).length} bytes, expected 7`);
  },
});

export const codecTests: LabTest[] = [roundTrip, foreignValues, zeroValues, cannotEncode, bytesAreCompact];
