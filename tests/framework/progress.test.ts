// The watchdog's judgement (tests/harness/worker/progress.ts): virtual time moving is progress; events
// firing at one instant are not; a heap near its cap stops the run before V8 does.
import { checkProgress, startProgress } from '../harness/worker/progress';

// [virtual ms, events, loaded, heap MB]
const seen = (virtualMs: number, events: number, heapMb = 50): Float64Array =>
  Float64Array.of(virtualMs, events, 1, heapMb);

test('virtual time moving on is progress, however few the events', () => {
  const progress = startProgress(0);
  expect(checkProgress(progress, seen(100, 1), 0, 1000, 2048)).toBeUndefined();
  expect(checkProgress(progress, seen(200, 2), 900, 1000, 2048)).toBeUndefined();
  expect(checkProgress(progress, seen(300, 2), 1800, 1000, 2048)).toBeUndefined();
});

test('one event that never ends is a hang with the events stopped', () => {
  const progress = startProgress(0);
  checkProgress(progress, seen(250, 3), 0, 1000, 2048);
  expect(checkProgress(progress, seen(250, 3), 1001, 1000, 2048)).toEqual({
    kind: 'hung',
    stalledMs: 1001,
    eventsMoving: false,
  });
});

test('events that keep firing at one instant are a hang too, with the events moving', () => {
  const progress = startProgress(0);
  checkProgress(progress, seen(101, 1), 0, 1000, 2048);
  checkProgress(progress, seen(101, 5), 600, 1000, 2048);
  expect(checkProgress(progress, seen(101, 9), 1200, 1000, 2048)).toMatchObject({
    kind: 'hung',
    eventsMoving: true,
  });
});

test('a heap past 85% of its cap stops the run as out of memory, saying how large it was', () => {
  const progress = startProgress(0);
  expect(checkProgress(progress, seen(100, 1, 1800), 0, 1000, 2048)).toEqual({
    kind: 'out-of-memory',
    heapMb: 1800,
  });
  // A stall with the heap past 70% is the garbage collector thrashing, not a loop.
  const stalled = startProgress(0);
  checkProgress(stalled, seen(100, 1, 1500), 0, 1000, 2048);
  expect(checkProgress(stalled, seen(100, 1, 1500), 1500, 1000, 2048)).toEqual({ kind: 'out-of-memory' });
});
