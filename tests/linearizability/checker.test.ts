// Hand-made histories, one per rule the checker must get right: the kv and register semantics,
// real-time order (with touching operations counted as concurrent), unknown outcomes, partitions by
// key, both history forms, the timeout (which must answer `unknown`, never a verdict, and run on real
// time under the labs' fake clock), the step budgets (per part and in all, which read no clock), the verbose longest-prefix result, and the errors a user can hit.
// Each test name states the rule; each history is small enough to verify by hand.
import FakeTimers from '@sinonjs/fake-timers';
import { checkEvents, checkOperations, HistoryError, kvModel, ModelError, registerModel } from './index';
import type {
  HistoryEvent,
  KvInput,
  KvOutput,
  Model,
  Operation,
  RegisterInput,
  RegisterOutput,
} from './index';

type KvOp = Operation<KvInput, KvOutput>;

function put(key: string, value: string, call: number, ret: number, clientId = 0): KvOp {
  return { clientId, input: { op: 'put', key, value }, output: { value: '' }, call, return: ret };
}
function append(key: string, value: string, call: number, ret: number, clientId = 0): KvOp {
  return { clientId, input: { op: 'append', key, value }, output: { value: '' }, call, return: ret };
}
function get(key: string, value: string, call: number, ret: number, clientId = 1): KvOp {
  return { clientId, input: { op: 'get', key }, output: { value }, call, return: ret };
}

describe('kv model', () => {
  test('an empty history is linearizable', () => {
    expect(checkOperations(kvModel, []).result).toBe('ok');
  });

  test('a missing key reads as the empty string', () => {
    expect(checkOperations(kvModel, [get('k', '', 0, 1)]).result).toBe('ok');
    expect(checkOperations(kvModel, [get('k', 'x', 0, 1)]).result).toBe('illegal');
  });

  test('a get after a completed put must see it (real-time order)', () => {
    expect(checkOperations(kvModel, [put('k', 'a', 0, 1), get('k', 'a', 2, 3)]).result).toBe('ok');
    expect(checkOperations(kvModel, [put('k', 'a', 0, 1), get('k', '', 2, 3)]).result).toBe('illegal');
  });

  test('a get concurrent with a put may see the old or the new value', () => {
    expect(checkOperations(kvModel, [put('k', 'a', 0, 10), get('k', '', 2, 3)]).result).toBe('ok');
    expect(checkOperations(kvModel, [put('k', 'a', 0, 10), get('k', 'a', 2, 3)]).result).toBe('ok');
  });

  test('operations that only touch (return time = call time) count as concurrent', () => {
    expect(checkOperations(kvModel, [put('k', 'a', 0, 5), get('k', '', 5, 6)]).result).toBe('ok');
    expect(checkOperations(kvModel, [put('k', 'a', 0, 5), get('k', '', 6, 7)]).result).toBe('illegal');
  });

  test('concurrent appends land in some order, and every later get agrees on it', () => {
    const appends = [append('k', 'x', 0, 5, 0), append('k', 'y', 0, 5, 2)];
    expect(checkOperations(kvModel, [...appends, get('k', 'yx', 6, 7)]).result).toBe('ok');
    expect(checkOperations(kvModel, [...appends, get('k', 'xy', 6, 7), get('k', 'yx', 8, 9)]).result).toBe(
      'illegal',
    );
  });

  test('once a get has seen a value, a later get cannot go back (no stale reads)', () => {
    const history = [put('k', 'a', 0, 10, 0), get('k', 'a', 1, 2, 1), get('k', '', 3, 4, 2)];
    expect(checkOperations(kvModel, history).result).toBe('illegal');
  });

  test('keys are checked independently: one bad key makes the whole history illegal', () => {
    const good = [put('a', '1', 0, 1), get('a', '1', 2, 3)];
    const bad = [put('b', '1', 0, 1), get('b', '2', 2, 3)];
    const checked = checkOperations(kvModel, [...good, ...bad], { verbose: true });
    expect(checked.result).toBe('illegal');
    expect(checked.info!.partitions.map((p) => [p.label, p.verdict])).toEqual([
      ['key "a"', 'ok'],
      ['key "b"', 'illegal'],
    ]);
    expect(checked.info!.partitions[1].originalIndex).toEqual([2, 3]);
  });
});

describe('register model', () => {
  type RegOp = Operation<RegisterInput, RegisterOutput>;
  const op = (
    input: RegisterInput,
    output: RegisterOutput,
    call: number,
    ret: number,
    clientId = 0,
  ): RegOp => ({
    clientId,
    input,
    output,
    call,
    return: ret,
  });

  test('the register starts absent (nil)', () => {
    expect(
      checkOperations(registerModel, [op({ op: 'read' }, { kind: 'read', value: null }, 0, 1)]).result,
    ).toBe('ok');
    expect(
      checkOperations(registerModel, [op({ op: 'read' }, { kind: 'read', value: 0 }, 0, 1)]).result,
    ).toBe('illegal');
  });

  test('cas swaps iff the value equals `from`, and its output must say which happened', () => {
    const write = op({ op: 'write', value: 1 }, { kind: 'written' }, 0, 1);
    const cas = (from: number, swapped: boolean): RegOp =>
      op({ op: 'cas', from, to: 2 }, { kind: 'cas', swapped }, 2, 3);
    const read = (value: number): RegOp => op({ op: 'read' }, { kind: 'read', value }, 4, 5);
    expect(checkOperations(registerModel, [write, cas(1, true), read(2)]).result).toBe('ok');
    expect(checkOperations(registerModel, [write, cas(0, false), read(1)]).result).toBe('ok');
    expect(checkOperations(registerModel, [write, cas(1, false)]).result).toBe('illegal');
    expect(checkOperations(registerModel, [write, cas(1, true), read(1)]).result).toBe('illegal');
  });

  test('an operation with an unknown outcome may take effect late, or never', () => {
    const lost = op({ op: 'write', value: 7 }, { kind: 'unknown' }, 0, 100, 0);
    const read = (value: number | null, call: number): RegOp =>
      op({ op: 'read' }, { kind: 'read', value }, call, call + 1, 1);
    expect(checkOperations(registerModel, [lost, read(null, 2)]).result).toBe('ok');
    expect(checkOperations(registerModel, [lost, read(null, 2), read(7, 4)]).result).toBe('ok');
    // Once it has taken effect it cannot be undone.
    expect(checkOperations(registerModel, [lost, read(7, 2), read(null, 4)]).result).toBe('illegal');
  });

  test('an output that does not fit its operation is reported, not judged', () => {
    const bad = op({ op: 'read' }, { kind: 'cas', swapped: true }, 0, 1);
    expect(() => checkOperations(registerModel, [bad])).toThrow(ModelError);
  });
});

describe('event histories', () => {
  type Ev = HistoryEvent<KvInput, KvOutput>;
  const call = (id: number, input: KvInput): Ev => ({ kind: 'call', clientId: id, id, value: input });
  const ret = (id: number, value = ''): Ev => ({ kind: 'return', clientId: id, id, value: { value } });

  test('the order of the events is the real-time order', () => {
    const putThenGet = [
      call(0, { op: 'put', key: 'k', value: 'a' }),
      ret(0),
      call(1, { op: 'get', key: 'k' }),
    ];
    expect(checkEvents(kvModel, [...putThenGet, ret(1, 'a')]).result).toBe('ok');
    expect(checkEvents(kvModel, [...putThenGet, ret(1, '')]).result).toBe('illegal');
    const overlapping = [
      call(0, { op: 'put', key: 'k', value: 'a' }),
      call(1, { op: 'get', key: 'k' }),
      ret(1, ''),
      ret(0),
    ];
    expect(checkEvents(kvModel, overlapping).result).toBe('ok');
  });

  test('a return without its call, or a call that never returns, is a HistoryError', () => {
    expect(() => checkEvents(kvModel, [ret(3)])).toThrow(HistoryError);
    expect(() => checkEvents(kvModel, [call(0, { op: 'get', key: 'k' })])).toThrow(/never return/);
  });
});

describe('malformed input', () => {
  test('an operation that returns before its call is a HistoryError naming it', () => {
    expect(() => checkOperations(kvModel, [put('k', 'a', 5, 4)])).toThrow(
      /operation 0 .* returns at 4 before its call at 5/,
    );
    expect(() => checkOperations(kvModel, [put('k', 'a', Number.NaN, 4)])).toThrow(HistoryError);
  });

  test('a partition that loses an operation is a ModelError', () => {
    const lossy: Model<string, KvInput, KvOutput> = {
      ...kvModel,
      partition: (history) => [history.slice(1)],
    };
    expect(() => checkOperations(lossy, [put('k', 'a', 0, 1), put('k', 'b', 0, 1)])).toThrow(ModelError);
  });
});

describe('timeout and verbose results', () => {
  // Nine concurrent appends, then a get no order can produce: the search must try every order.
  const hard = [
    ...Array.from({ length: 9 }, (_, i) => append('k', String(i), 0, 10, i)),
    get('k', 'impossible', 11, 12, 9),
  ];

  test('running out of time answers unknown, never a verdict', () => {
    let fakeMs = 0;
    const clock = (): number => (fakeMs += 1000); // every look at the clock is one second later
    expect(checkOperations(kvModel, hard, { timeoutMs: 1500, clock }).result).toBe('unknown');
  });

  test('the timeout runs on real time even while a fake clock is installed (the lab tests run under one)', () => {
    // Ten concurrent appends: millions of (set, state) pairs, far more than 50 ms of work.
    const harder = [
      ...Array.from({ length: 10 }, (_, i) => append('k', String(i), 0, 10, i)),
      get('k', '?', 11, 12, 10),
    ];
    const clock = FakeTimers.install();
    try {
      expect(checkOperations(kvModel, harder, { timeoutMs: 50 }).result).toBe('unknown');
    } finally {
      clock.uninstall();
    }
  });

  test('an illegal part found before the timeout makes the answer illegal', () => {
    let fakeMs = 0;
    const clock = (): number => (fakeMs += 1000);
    const quicklyBad = [put('z', 'a', 0, 1), get('z', 'b', 2, 3)];
    expect(checkOperations(kvModel, [...hard, ...quicklyBad], { timeoutMs: 1500, clock }).result).toBe(
      'illegal',
    );
  });

  // Seven concurrent appends and an impossible get: ~30 000 steps to prove illegal (every order tried).
  const medium = [
    ...Array.from({ length: 7 }, (_, i) => append('k', String(i), 0, 10, i)),
    get('k', 'impossible', 11, 12, 7),
  ];
  const undecidedWithin = (history: KvOp[], maxSteps: number): boolean =>
    checkOperations(kvModel, history, { maxSteps }).result === 'unknown';
  /** The fewest steps that decide `history`: double, then bisect. */
  function stepsToDecide(history: KvOp[]): number {
    let hi = 1;
    while (undecidedWithin(history, hi)) hi *= 2;
    let lo = hi / 2;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (undecidedWithin(history, mid)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  const needed = stepsToDecide(medium);

  test('a step budget answers unknown below what the search needs and the verdict from there on', () => {
    expect(needed).toBeGreaterThan(10_000); // a search that takes real work, over several slices
    expect(checkOperations(kvModel, medium, { maxSteps: needed - 1 }).result).toBe('unknown');
    expect(checkOperations(kvModel, medium, { maxSteps: needed }).result).toBe('illegal');
    expect(checkOperations(kvModel, medium, { maxSteps: 10 * needed }).result).toBe('illegal');
  });

  test('the step budget is per part: an easy key is decided, a hard one is left unknown, and no clock is read', () => {
    const easy = [put('z', 'a', 0, 1), get('z', 'a', 2, 3)];
    const clock = (): number => {
      throw new Error('a step budget must not read the clock');
    };
    const { result, info } = checkOperations(kvModel, [...medium, ...easy], {
      maxSteps: needed - 1,
      verbose: true,
      clock,
    });
    expect(result).toBe('unknown');
    expect(info!.partitions.map((p) => p.verdict)).toEqual(['unknown', 'ok']);
  });

  test('a budget for all parts together stops the parts still undecided', () => {
    const twoHard = [...medium, ...medium.map((op) => ({ ...op, input: { ...op.input, key: 'j' } }))];
    const each = { maxSteps: needed };
    expect(checkOperations(kvModel, twoHard, each).result).toBe('illegal');
    // Two parts that each need `needed` steps, interleaved, cannot both finish in `needed` steps in all.
    const both = checkOperations(kvModel, twoHard, { ...each, maxTotalSteps: needed, verbose: true });
    expect(both.result).toBe('unknown');
    expect(both.info!.partitions.map((p) => p.verdict)).toEqual(['unknown', 'unknown']);
  });

  test('verbose keeps, for every operation, the longest linearizable prefix containing it', () => {
    const history = [
      put('k', 'a', 0, 1),
      get('k', 'a', 2, 3),
      put('k', 'b', 4, 5),
      get('k', 'a', 6, 7),
      get('k', 'c', 0, 8),
    ];
    const part = checkOperations(kvModel, history, { verbose: true }).info!.partitions[0];
    expect(part.verdict).toBe('illegal');
    const prefixOf = (id: number): readonly number[] => part.linearizations[part.longest[id]];
    expect(prefixOf(0)).toEqual([0, 1, 2]);
    expect(prefixOf(2)).toEqual([0, 1, 2]);
    expect(part.longest[3]).toBe(-1); // the stale get can be in no linearizable prefix
    expect(part.longest[4]).toBe(-1);
    const lengths = part.linearizations.map((l) => l.length);
    expect(lengths).toEqual([...lengths].sort((a, b) => b - a));
  });
});
