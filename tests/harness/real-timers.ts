/**
 * The real timers, kept for the harness, and tripwires over the globals for everyone else.
 *
 * The driver needs the true `setImmediate` (one hop drains every pending continuation) and the true clock
 * while a fake clock is installed; this module captures them when it loads, so it must load before any
 * clock is installed (the driver imports it; the isolated worker loads it before any test module).
 *
 * `installTripwires()` (isolated workers only) then replaces the global `setTimeout`, `setInterval` and
 * `setImmediate` with wrappers. Outside a virtual run they behave exactly as the real ones. During a
 * virtual run the fake clock stands in the globals, so a wrapper is reached only through a reference
 * captured earlier (`const tick = setInterval` at module load, `import { setTimeout } from 'node:timers'`):
 * a real timer in the middle of a simulation, which fires in real time while virtual time races past it.
 * The wrapper reports it, with the caller's stack, to the listener the driver set for the run; a real timer
 * created before the run and firing during it is reported the same way, with its creation site.
 *
 * The promise timers are wired too: `node:timers/promises`' setTimeout/setInterval/setImmediate (the fake
 * clock replaces the module's exports during a run, so only a reference taken at load reaches the real
 * one), its `scheduler.wait`/`scheduler.yield` (never faked) and `AbortSignal.timeout` (never faked).
 * A heartbeat loop on one of those passed Go's 2A tests on every seed tried: its beats came in real time,
 * the followers' timeouts in virtual time, and the leadership churn that followed fails none of them.
 */

/**
 * The names of Node's timer functions: the driver's fake clock replaces them, the code under test gets
 * its own version of each (boundary/student-timers.ts), and the grader's policy lists them among the
 * clock's globals.
 */
export const TIMER_FUNCTIONS = [
  'setTimeout',
  'setInterval',
  'setImmediate',
  'clearTimeout',
  'clearInterval',
  'clearImmediate',
] as const;

type TimerName = 'setTimeout' | 'setInterval' | 'setImmediate';
type TimerFn = (callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => unknown;

/** The real timers and clock, as they were when this module loaded. */
export const realTimers = {
  setTimeout: globalThis.setTimeout,
  clearTimeout: globalThis.clearTimeout,
  setInterval: globalThis.setInterval,
  clearInterval: globalThis.clearInterval,
  setImmediate: globalThis.setImmediate,
  clearImmediate: globalThis.clearImmediate,
  now: performance.now.bind(performance),
};

/** A real timer used during a virtual run: where it was created (and, if it fired, that it did). */
export class RealTimerError extends Error {
  override name = 'RealTimerError';
}

let listener: ((error: RealTimerError) => void) | undefined;
let installed = false;
const seen: string[] = [];

/** Receive tripwire reports during a virtual run (the driver sets this at the start, clears it at the end). */
export function setTripwireListener(fn: ((error: RealTimerError) => void) | undefined): void {
  listener = fn;
  if (fn !== undefined) seen.length = 0;
}

/** What the tripwires saw during the current (or last) run, one line each, for the failure's diagnosis. */
export function tripwireSightings(): readonly string[] {
  return seen;
}

/** The first frame of `stack` outside node internals: where the student's code called. */
export function callSite(stack: string | undefined): string {
  const frames = (stack ?? '').split('\n').filter((line) => line.trimStart().startsWith('at '));
  const outside = frames.find((line) => !line.includes('node:'));
  return (outside ?? frames[0] ?? '    at <unknown>').trim();
}

const ADVICE =
  'Call the global setTimeout/setInterval at the time you need them, or `await sleep(ms)`; never keep a ' +
  'reference taken when your module loaded.';

function report(line: string, advice = ADVICE): void {
  if (!seen.includes(line)) seen.push(line);
  listener?.(
    new RealTimerError(
      `${line}. A real timer fires in real time, not in the test's virtual time (so, for example, ` +
        `heartbeats scheduled this way never arrive). ${advice}`,
    ),
  );
}

/** Wrap `owner[key]`, a function that starts a real timer and returns no callback to guard: report each call during a run. */
function promiseTripwire(owner: object, key: string, what: string, advice?: string): void {
  const target = owner as Record<string, (...args: unknown[]) => unknown>;
  const real = target[key];
  const wrapped = {
    [key](this: unknown, ...args: unknown[]): unknown {
      if (listener !== undefined) {
        const holder: { stack?: string } = {};
        Error.captureStackTrace(holder, wrapped[key]);
        report(`a real ${what} was called during a virtual run, ${callSite(holder.stack)}`, advice);
      }
      return real.apply(this, args);
    },
  };
  Object.defineProperty(owner, key, { value: wrapped[key], writable: true, configurable: true });
}

function tripwire(name: TimerName, real: TimerFn): TimerFn {
  const wrapped = {
    // A named method, so stacks and `fn.name` read as the global it replaces.
    [name](callback: (...args: unknown[]) => void, ...rest: unknown[]): unknown {
      const holder: { stack?: string } = {};
      Error.captureStackTrace(holder, wrapped[name]); // the stack from the caller on
      const site = callSite(holder.stack);
      if (listener !== undefined) report(`a real ${name} was called during a virtual run, ${site}`);
      let reported = false;
      const guarded = (...args: unknown[]): void => {
        if (listener !== undefined && !reported) {
          reported = true;
          report(`a real ${name} created ${site} fired during a virtual run`);
        }
        callback(...args);
      };
      const fn = typeof callback === 'function' ? guarded : callback;
      return (real as (...a: unknown[]) => unknown)(fn, ...rest);
    },
  };
  return wrapped[name] as TimerFn;
}

/**
 * Replace the global real timers with tripwires (see the header). Only in isolated workers, before any
 * test module loads; a second call does nothing.
 */
export function installTripwires(): void {
  if (installed) return;
  installed = true;
  // The globals, and node:timers' own exports (`import { setInterval } from 'node:timers'` reads those).
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- patched in place, not imported for use
  const timersModule = require('node:timers') as Record<TimerName, TimerFn>;
  const g = globalThis as unknown as Record<TimerName, TimerFn>;
  for (const name of ['setTimeout', 'setInterval', 'setImmediate'] as const) {
    const wire = tripwire(name, realTimers[name] as unknown as TimerFn);
    g[name] = wire;
    timersModule[name] = wire;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- patched in place, not imported for use
  const promises = require('node:timers/promises') as Record<TimerName, unknown> & { scheduler: object };
  for (const name of ['setTimeout', 'setInterval', 'setImmediate'] as const) {
    promiseTripwire(promises, name, `${name} of node:timers/promises`);
  }
  const never = 'Use `await sleep(ms)` (or the global setTimeout) instead.';
  for (const name of ['wait', 'yield']) {
    promiseTripwire(promises.scheduler, name, `scheduler.${name} of node:timers/promises`, never);
  }
  promiseTripwire(AbortSignal, 'timeout', 'AbortSignal.timeout', never);
}
