// Randomized tests: tiny random histories (up to 6 operations, 3 clients, small values, some unknown
// outcomes), judged by the checker and by a brute-force oracle (brute-force.ts) that shares none of
// its machinery. Both the verdict and, per operation, the length of the longest linearizable prefix
// containing it must agree. Seeded with pure-rand, so a failure names the seed and the history; the
// mix of ok and illegal histories is asserted too, so the comparison keeps its teeth.
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';
import { bruteForceCheck } from './brute-force';
import { checkOperations, kvModel, registerModel } from './index';
import type {
  KvInput,
  KvOutput,
  Model,
  Operation,
  RegisterInput,
  RegisterOutput,
  RegisterValue,
} from './index';

const HISTORIES = 300;

function pick<T>(rng: RandomGenerator, items: readonly T[]): T {
  return items[uniformInt(rng, 0, items.length - 1)];
}

function randomTimes(rng: RandomGenerator): { call: number; return: number } {
  const call = uniformInt(rng, 0, 10);
  return { call, return: call + uniformInt(rng, 0, 4) };
}

function randomRegisterOp(rng: RandomGenerator): Operation<RegisterInput, RegisterOutput> {
  const value = (): RegisterValue => uniformInt(rng, 0, 2);
  const unknown = uniformInt(rng, 0, 6) === 0;
  const base = { clientId: uniformInt(rng, 0, 2), ...randomTimes(rng) };
  const kind = uniformInt(rng, 0, 2);
  if (kind === 0) {
    const read = pick<RegisterValue | null>(rng, [null, 0, 1, 2]);
    return {
      ...base,
      input: { op: 'read' },
      output: unknown ? { kind: 'unknown' } : { kind: 'read', value: read },
    };
  }
  if (kind === 1)
    return {
      ...base,
      input: { op: 'write', value: value() },
      output: unknown ? { kind: 'unknown' } : { kind: 'written' },
    };
  const swapped = uniformInt(rng, 0, 1) === 1;
  return {
    ...base,
    input: { op: 'cas', from: value(), to: value() },
    output: unknown ? { kind: 'unknown' } : { kind: 'cas', swapped },
  };
}

function randomKvOp(rng: RandomGenerator): Operation<KvInput, KvOutput> {
  const key = pick(rng, ['a', 'b']);
  const base = { clientId: uniformInt(rng, 0, 2), ...randomTimes(rng) };
  const op = uniformInt(rng, 0, 2);
  if (op === 0)
    return {
      ...base,
      input: { op: 'get', key },
      output: { value: pick(rng, ['', 'x', 'y', 'xy', 'yx', 'x1', 'xx']) },
    };
  return {
    ...base,
    input: { op: op === 1 ? 'put' : 'append', key, value: pick(rng, ['x', 'y', '1']) },
    output: { value: '' },
  };
}

function compareWithOracle<S, I, O>(
  model: Model<S, I, O>,
  makeOp: (rng: RandomGenerator) => Operation<I, O>,
  seed: number,
): string {
  const rng = xoroshiro128plus(seed);
  let illegal = 0;
  for (let h = 0; h < HISTORIES; h++) {
    const history = Array.from({ length: uniformInt(rng, 0, 6) }, () => makeOp(rng));
    const expected = bruteForceCheck(model, history);
    const checked = checkOperations(model, history, { verbose: true });
    const where = `seed ${seed}, history ${h}: ${JSON.stringify(history)}`;
    expect({ where, result: checked.result }).toEqual({ where, result: expected.result });
    const lengths = checked.info!.partitions.map((p) =>
      p.longest.map((i) => (i < 0 ? 0 : p.linearizations[i].length)),
    );
    expect({ where, lengths }).toEqual({ where, lengths: expected.longest });
    if (expected.result === 'illegal') illegal++;
  }
  return `${illegal} illegal of ${HISTORIES}`;
}

/** The register with object states, to exercise a model's own `equal` (with and without `hashState`). */
function boxedRegister(withHash: boolean): Model<{ v: RegisterValue | null }, RegisterInput, RegisterOutput> {
  return {
    name: 'boxed register',
    init: () => ({ v: registerModel.init() }),
    step(state, input, output) {
      const next = registerModel.step(state.v, input, output);
      return next.ok ? { ok: true, state: { v: next.state } } : next;
    },
    equal: (a, b) => a.v === b.v,
    ...(withHash ? { hashState: (s: { v: RegisterValue | null }) => (s.v === null ? -1 : Number(s.v)) } : {}),
  };
}

describe('randomized: the checker agrees with a brute-force oracle on tiny histories', () => {
  test.each([1, 2, 3])('register model, verdict and longest prefix per operation (seed %i)', (seed) => {
    const mix = compareWithOracle(registerModel, randomRegisterOp, seed);
    // Both verdicts must be well represented, or the comparison proves little.
    expect(Number(mix.split(' ')[0])).toBeGreaterThan(HISTORIES / 10);
    expect(Number(mix.split(' ')[0])).toBeLessThan(HISTORIES * 0.9);
  });

  test.each([false, true])('object states compared by the model (hashState given: %s)', (withHash) => {
    compareWithOracle(boxedRegister(withHash), randomRegisterOp, 4);
  });

  test.each([1, 2, 3])('kv model (two keys), verdict and longest prefix per operation (seed %i)', (seed) => {
    const mix = compareWithOracle(kvModel, randomKvOp, seed);
    expect(Number(mix.split(' ')[0])).toBeGreaterThan(HISTORIES / 10);
    expect(Number(mix.split(' ')[0])).toBeLessThan(HISTORIES * 0.9);
  });
});
