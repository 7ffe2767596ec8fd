/**
 * The ways a lab run can fail, each its own class with `name` set. Messages say what happened, at what
 * virtual time, and what to do about it; the driver adds the seed and the replay command.
 */

/** A tester check failed: wrong leader count, an apply out of order, too many bytes, … */
export class LabCheckFailure extends Error {
  override name = 'LabCheckFailure';
}

/** The test body is waiting, but nothing is scheduled that could ever wake it. */
export class DeadlockError extends Error {
  override name = 'DeadlockError';
}

/** The run used more virtual time than the test allows (120 s by default, as in 6.824). */
export class VirtualTimeLimitError extends Error {
  override name = 'VirtualTimeLimitError';
}

/** The run used more real time than the driver allows (it stays below jest's own timeout). */
export class WallClockLimitError extends Error {
  override name = 'WallClockLimitError';
}

/** Code read the clock in a loop without letting time pass (`while (Date.now() < t) {}`). */
export class BusyWaitError extends Error {
  override name = 'BusyWaitError';
}

/** A promise rejected and nobody handled it, or a timer callback threw. */
export class UncaughtError extends Error {
  override name = 'UncaughtError';
}

/** The harness was used in a way it cannot support (re-entrant runs, jest fake timers switched on). */
export class HarnessError extends Error {
  override name = 'HarnessError';
}

/** Two runs with the same seed produced different traces. */
export class NondeterminismError extends Error {
  override name = 'NondeterminismError';
}
