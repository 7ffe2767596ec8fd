/**
 * The real monotonic clock, captured once when this module loads.
 *
 * Why: the lab tests run under a virtual clock (@sinonjs/fake-timers replaces `performance.now` and
 * `Date.now` on the globals). The checker's timeout is about real CPU time spent searching, and under a
 * fake clock that never advances during synchronous work a timeout would never fire. Capturing the
 * function at load (this module is imported before any test installs the fake clock) keeps the real one.
 * Guarantee: `realNow()` is milliseconds, monotonic, and unaffected by later clock fakes.
 */

export const realNow: () => number = performance.now.bind(performance);
