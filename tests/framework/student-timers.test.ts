/**
 * The student's timers (tests/harness/boundary/student-timers.ts): what the code under test's
 * setTimeout and its kin emit for the tester's clock, and what runs when a stand-in says a timer is due.
 */
import type { Effect } from '../harness/boundary/protocol';
import { StudentTimers } from '../harness/boundary/student-timers';

function timers(): { timers: StudentTimers; effects: Effect[] } {
  const effects: Effect[] = [];
  return { timers: new StudentTimers((effect) => effects.push(effect)), effects };
}

test('each timer is an effect in the order it was set, and its callback runs with its arguments when fired', () => {
  const { timers: t, effects } = timers();
  const calls: unknown[][] = [];
  const a = t.functions.setTimeout((...args: unknown[]) => calls.push(args), 150, 'x', 2);
  t.functions.setImmediate((...args: unknown[]) => calls.push(args), 'now');
  expect(effects).toEqual([
    { op: 'timer', timer: 1, ms: 150, repeat: false, immediate: false },
    { op: 'timer', timer: 2, ms: 0, repeat: false, immediate: true },
  ]);
  t.fire(2);
  t.fire(a.id);
  t.fire(a.id); // a one-shot timer runs once
  expect(calls).toEqual([['now'], ['x', 2]]);
});

test('a cleared timer emits a clear and never runs, even if its stand-in already went off', () => {
  const { timers: t, effects } = timers();
  let ran = false;
  const timer = t.functions.setTimeout(() => (ran = true), 10);
  t.functions.clearTimeout(timer);
  t.functions.clearTimeout(timer); // twice: one effect
  t.fire(timer.id);
  expect(ran).toBe(false);
  expect(effects.filter((e) => e.op === 'clear')).toEqual([{ op: 'clear', timer: 1 }]);
});

test('an interval runs every time it fires; refresh() sets the timer again with the same delay', () => {
  const { timers: t, effects } = timers();
  let runs = 0;
  const interval = t.functions.setInterval(() => runs++, 50);
  t.fire(interval.id);
  t.fire(interval.id);
  expect(runs).toBe(2);
  const election = t.functions.setTimeout(() => {}, 300);
  effects.length = 0;
  election.refresh();
  expect(effects).toEqual([
    { op: 'clear', timer: election.id },
    { op: 'timer', timer: election.id, ms: 300, repeat: false, immediate: false },
  ]);
  expect(Number(election)).toBe(election.id); // usable as a primitive id, as Node's Timeout is
});

test('what a callback throws is reported, and a non-function callback is a TypeError at the call', () => {
  const { timers: t, effects } = timers();
  const timer = t.functions.setTimeout(() => {
    throw new RangeError('boom');
  }, 1);
  t.fire(timer.id);
  const crash = effects.find((e) => e.op === 'crash');
  expect(crash).toMatchObject({
    error: expect.stringMatching(/^uncaught exception in a timer callback: RangeError: boom/),
  });
  expect(() => t.functions.setTimeout('not a function', 1)).toThrow(TypeError);
});
