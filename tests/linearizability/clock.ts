/**
 * The real monotonic clock for the checker's timeout.
 *
 * Why: the lab tests run under a virtual clock. @sinonjs/fake-timers replaces the global `performance`
 * and defines a fake own `now` on node:perf_hooks' performance object, and the lab driver counts calls
 * to the clocks as busy-waiting. The checker's timeout is about real time spent searching, and a fake
 * clock does not advance during synchronous work, so a timeout read from it would never fire.
 * So `realNow` calls `Performance.prototype.now` on perf_hooks' object directly: the fakes shadow it
 * with own properties or a new global object, but never touch the prototype method. This holds even if
 * this module is first loaded while a fake clock is installed (capturing `performance.now` at load, the
 * usual trick, would not).
 * Guarantee: `realNow()` is in milliseconds, never decreases, and ignores fake clocks.
 */
import { performance as nodePerformance } from 'node:perf_hooks';

const prototypeNow = (Object.getPrototypeOf(nodePerformance) as { now: (this: unknown) => number }).now;

export const realNow = (): number => prototypeNow.call(nodePerformance);
