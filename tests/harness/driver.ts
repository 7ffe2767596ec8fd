/**
 * The virtual-time driver: runs an async body under a fake clock until it settles.
 *
 * Loop: let every pending continuation run (one native setImmediate hop drains the microtask and
 * nextTick queues), then fire exactly one timer, then repeat. Between two timers, everything an `await`
 * set off has therefore run, just as in real Node. Node's 1 ms minimum delay is kept by leaving the
 * clock's internal `duringTick` flag set, so `setTimeout(f, 0)` from an await continuation waits 1 ms.
 *
 * Once no timer is due at the current virtual time any more, the instant is over for the tester, and
 * `afterStep` runs (the boundary's settle: the student side catches up with everything the instant
 * queued for it, in one batch, see boundary/boundary.ts); then time moves on. One exchange with the
 * code under test per instant, not one per timer, is what keeps a child process cheap to drive.
 *
 * Guard rails, each failing the run with the virtual time: a deadlock (body pending, no timers), the
 * virtual-time limit, a wall-clock limit checked every 1024 events (kept below jest's timeout so the
 * driver fails first and stops its clock), a busy-wait on Date.now/performance.now, an unhandled
 * rejection, a throw inside a timer callback, and `fail(error)` from anywhere in the test.
 *
 * A busy-wait is caught by the number of reads in one instant, or by real time: a loop that awaits a
 * microtask between reads is slow per read, so the wall time spent in one instant is checked every few
 * thousand reads and a second of it is enough. Real timers reached during a run (see real-timers.ts) fail
 * it too, naming where they were created.
 *
 * The real setImmediate and clock come from real-timers.ts, which captures them when it loads, before any
 * clock is installed (nothing installs one but this module).
 */
import FakeTimers from '@sinonjs/fake-timers';
import {
  BusyWaitError,
  DeadlockError,
  HarnessError,
  UncaughtError,
  VirtualTimeLimitError,
  WallClockLimitError,
} from './errors';
import { TIMER_FUNCTIONS, realTimers, setTripwireListener } from './real-timers';

const nativeSetImmediate = realTimers.setImmediate;
const realNow = realTimers.now;
const hop = (): Promise<void> => new Promise((resolve) => nativeSetImmediate(resolve));

/** Virtual runs start at this Date.now(): far from 0, so that 0 never looks like "a real time". */
export const EPOCH_MS = 1_700_000_000_000;
/** Reads of the clock within one virtual instant that count as a busy-wait. */
const BUSY_WAIT_READS = 1_000_000;
/** Real time spent in one virtual instant, while reading the clock, that counts as a busy-wait. */
const BUSY_WAIT_WALL_MS = 1000;
/** How often (in reads within one instant) the busy-wait guard looks at the real clock. */
const BUSY_WAIT_WALL_CHECK_EVERY = 4096;
const WALL_CHECK_EVERY = 1024;

export interface DriverOptions {
  virtualLimitMs: number;
  wallLimitMs: number;
  /**
   * Called after every timer fires with the virtual time reached (real-time runs: every 20 ms). The stress
   * runner's watchdog uses it to say where a worker stuck in `while (true) {}` stopped.
   */
  onProgress?: (virtualMs: number) => void;
  /**
   * Called before each timer fires, once everything the earlier events set off has run: the trace notes
   * how far a run got, for one that then never finishes its next event (hang-probe.ts).
   */
  onSettled?: () => void;
  /** Filled when the run fails: what the driver saw (pending timers), for the failure's diagnosis. */
  notes?: string[];
  /** Called after every step, once its continuations ran (LabContext.afterEachStep). */
  afterStep?: (hop: () => Promise<void>) => Promise<void> | undefined;
}

/** Where a test (or the driver's own guards) reports a failure that must end the run now. */
export class FailureBox {
  error: Error | undefined;
  set(error: Error): void {
    this.error ??= error;
  }
}

export interface DriverClock {
  /** Virtual ms since the run started. */
  now(): number;
}

interface HostProcess {
  on(event: 'unhandledRejection', fn: (reason: unknown, promise: Promise<unknown>) => void): void;
  off(event: 'unhandledRejection', fn: (reason: unknown, promise: Promise<unknown>) => void): void;
}

let running = false;

import { formatVirtual } from './failure';

export { formatVirtual };

export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** The NotImplementedError (a handout's todo()) in `error` or its chain of causes, if there is one. */
function notImplemented(error: unknown): Error | undefined {
  let e: unknown = error;
  for (let depth = 0; depth < 5 && typeof e === 'object' && e !== null; depth++) {
    if ((e as Error).name === 'NotImplementedError') return e as Error;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Listen for unhandled rejections on the host process. Under jest, `process` is a sandbox copy and
 * jest-circus owns the host's listeners, so the test environment exposes the host as __hostProcess;
 * marking the promise handled there makes jest withdraw its own report, so the failure shows once.
 */
function watchUnhandled(failure: FailureBox, now: () => number): () => void {
  const hostProcess = (globalThis as { __hostProcess?: HostProcess }).__hostProcess;
  const target: HostProcess = hostProcess ?? (process as unknown as HostProcess);
  const listener = (reason: unknown, promise: Promise<unknown>): void => {
    if (hostProcess !== undefined) promise.catch(() => {});
    // A handout's todo() reached inside an RPC handler or a callback: its own error names the next piece
    // to write, which an "unhandled promise rejection" wrapper would only bury.
    const todo = notImplemented(reason);
    failure.set(
      todo ??
        new UncaughtError(
          `unhandled promise rejection at virtual time ${formatVirtual(now())}: ${describeError(reason)}`,
          { cause: reason },
        ),
    );
  };
  target.on('unhandledRejection', listener);
  return () => target.off('unhandledRejection', listener);
}

type Clock = ReturnType<ReturnType<typeof FakeTimers.withGlobal>['install']> & { duringTick?: boolean };

function installClock(): Clock {
  if (
    (setTimeout as { clock?: unknown }).clock !== undefined ||
    (nativeSetImmediate as { clock?: unknown }).clock
  ) {
    throw new HarnessError(
      'fake timers are already installed (jest.useFakeTimers or fakeTimers in the jest config?); ' +
        'the lab driver owns the clock: remove them',
    );
  }
  const clock = FakeTimers.withGlobal(globalThis).install({
    now: EPOCH_MS,
    toFake: [...TIMER_FUNCTIONS, 'Date', 'performance', 'hrtime'],
    loopLimit: Number.MAX_SAFE_INTEGER,
  }) as Clock;
  clock.duringTick = true; // Node's 1 ms clamp for setTimeout(f, 0), see the header
  return clock;
}

/**
 * Count clock reads per virtual instant; far too many, or a second of real time spent reading it in one
 * instant, means a loop is waiting for time that never passes.
 */
function guardClockReads(clock: Clock, failure: FailureBox, now: () => number): void {
  let instant = -1;
  let reads = 0;
  let instantWallStart = 0;
  const busyWait = (what: string): never => {
    // Every read past the limit throws, so that other loops spinning in the same instant stop too.
    const error = new BusyWaitError(
      `busy-wait detected at virtual time ${formatVirtual(now())}: ${what} without time passing. ` +
        'Time only moves while your code waits: use `await sleep(ms)` or a timer (a missing `await` ' +
        'in a loop that reads Date.now() does this too).',
    );
    failure.set(error);
    throw error;
  };
  const guard = (): void => {
    if (clock.now !== instant) {
      instant = clock.now;
      reads = 0;
      instantWallStart = realNow();
    } else if (++reads >= BUSY_WAIT_READS) {
      busyWait(`the clock was read ${BUSY_WAIT_READS} times`);
    } else if (reads % BUSY_WAIT_WALL_CHECK_EVERY === 0 && realNow() - instantWallStart > BUSY_WAIT_WALL_MS) {
      busyWait(
        `the clock was read ${reads} times in ${(BUSY_WAIT_WALL_MS / 1000).toFixed(0)} s of real time`,
      );
    }
  };
  const fakeDateNow = Date.now.bind(Date);
  Date.now = () => (guard(), fakeDateNow());
  const fakePerfNow = performance.now.bind(performance);
  performance.now = () => (guard(), fakePerfNow());
}

/** A line for the diagnosis: the fake timers still pending when the run stopped. */
function pendingTimersNote(clock: Clock, now: () => number): string {
  const count = clock.countTimers();
  if (count === 0) return 'no timers pending';
  const timers = [...pendingTimers(clock)];
  const next = Math.min(...timers.map((t) => t.callAt)) - EPOCH_MS;
  const due = Number.isFinite(next)
    ? `, the next due at virtual time ${formatVirtual(Math.max(next, now()))}`
    : '';
  return `${count} timer${count === 1 ? '' : 's'} pending${due}`;
}

/**
 * Run `body` in virtual time. Resolves when it resolves; rejects with the first failure (its own
 * rejection, or a guard rail). `cleanup` runs once, still in virtual time, whatever happened.
 */
export async function runVirtual(
  body: (clock: DriverClock) => Promise<void>,
  options: DriverOptions,
  failure: FailureBox,
  cleanup: () => void,
): Promise<{ virtualMs: number; events: number }> {
  if (running)
    throw new HarnessError('runVirtual is not re-entrant: one virtual clock per process at a time');
  running = true;
  const clock = installClock();
  const now = (): number => clock.now - EPOCH_MS;
  guardClockReads(clock, failure, now);
  const stopWatching = watchUnhandled(failure, now);
  setTripwireListener((error) => failure.set(error));
  let events = 0;
  try {
    events = await drive(clock, () => body({ now }), options, failure, now);
    return { virtualMs: now(), events };
  } catch (error) {
    options.notes?.push(pendingTimersNote(clock, now));
    throw error;
  } finally {
    setTripwireListener(undefined);
    try {
      cleanup();
    } finally {
      stopWatching();
      clock.uninstall();
      running = false;
    }
  }
}

async function drive(
  clock: Clock,
  body: () => Promise<void>,
  options: DriverOptions,
  failure: FailureBox,
  now: () => number,
): Promise<number> {
  let settled = false;
  Promise.resolve()
    .then(body)
    .then(
      () => (settled = true),
      (error: unknown) => failure.set(error instanceof Error ? error : new Error(String(error))),
    );
  const wallStart = realNow();
  for (let events = 0; ; events++) {
    await hop(); // drain continuations before looking at anything
    const exchange =
      failure.error === undefined && !timerDueNow(clock) ? options.afterStep?.(hop) : undefined;
    if (exchange !== undefined) await exchange;
    if (failure.error !== undefined) throw failure.error;
    if (settled) return events;
    if (clock.countTimers() === 0) {
      throw new DeadlockError(
        `deadlock at virtual time ${formatVirtual(now())}: the test is waiting but no timers are pending ` +
          '(awaiting a promise that nothing will resolve? a real timer or real I/O escaping the virtual clock?)',
      );
    }
    if (events % WALL_CHECK_EVERY === 0 && realNow() - wallStart > options.wallLimitMs) {
      throw new WallClockLimitError(
        `wall-clock limit of ${options.wallLimitMs} ms exceeded at virtual time ${formatVirtual(now())}`,
      );
    }
    options.onSettled?.();
    fireNextTimer(clock, now);
    options.onProgress?.(now());
    clock.duringTick = true;
    if (now() > options.virtualLimitMs) {
      throw new VirtualTimeLimitError(
        `virtual time limit of ${formatVirtual(options.virtualLimitMs)} exceeded ` +
          `(${clock.countTimers()} timers pending): the test took too long — is agreement ever reached?`,
      );
    }
  }
}

type Timers = Map<number, { callAt: number }> | Record<string, { callAt: number }>;

/** The clock's pending timers (fake-timers keeps them in a Map by id; an object in older versions). */
function pendingTimers(clock: Clock): Iterable<{ callAt: number }> {
  const timers = (clock as { timers?: Timers }).timers ?? {};
  return timers instanceof Map ? timers.values() : Object.values(timers);
}

/** Whether a timer is due at the clock's current time. */
function timerDueNow(clock: Clock): boolean {
  for (const timer of pendingTimers(clock)) if (timer.callAt <= clock.now) return true;
  return false;
}

function fireNextTimer(clock: Clock, now: () => number): void {
  try {
    clock.next();
  } catch (error) {
    if (error instanceof BusyWaitError) throw error;
    throw new UncaughtError(
      `uncaught exception in a timer callback at virtual time ${formatVirtual(now())}: ${describeError(error)}`,
      { cause: error },
    );
  }
}

/** Run `body` on real timers (LAB_REALTIME=1): slow and not replayable, but nothing is simulated. */
export async function runRealtime(
  body: (clock: DriverClock) => Promise<void>,
  options: DriverOptions,
  failure: FailureBox,
  cleanup: () => void,
): Promise<{ virtualMs: number; events: number }> {
  const start = realNow();
  const now = (): number => realNow() - start;
  const stopWatching = watchUnhandled(failure, now);
  let timer: ReturnType<typeof setTimeout> | undefined;
  // No instants in real time: the student side catches up every millisecond (the boundary's settle
  // does nothing when nothing is queued), so a student object answers within about one.
  let pumping = true;
  const pump = async (): Promise<void> => {
    while (pumping) {
      if (failure.error === undefined) await options.afterStep?.(hop);
      await new Promise((resolve) => realTimers.setTimeout(resolve, 1));
    }
  };
  const pumped = pump().catch((error: unknown) =>
    failure.set(error instanceof Error ? error : new Error(String(error))),
  );
  try {
    const poll = new Promise<void>((_, reject) => {
      const check = (): void => {
        options.onProgress?.(now());
        if (failure.error !== undefined) return reject(failure.error);
        if (now() > options.wallLimitMs) {
          return reject(new WallClockLimitError(`real-time limit of ${options.wallLimitMs} ms exceeded`));
        }
        timer = setTimeout(check, 20);
      };
      check();
    });
    await Promise.race([body({ now }), poll]);
    if (failure.error !== undefined) throw failure.error;
    return { virtualMs: now(), events: 0 };
  } finally {
    clearTimeout(timer);
    pumping = false;
    await pumped;
    try {
      cleanup();
    } finally {
      stopWatching();
    }
  }
}
