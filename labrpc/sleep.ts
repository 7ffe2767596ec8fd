/**
 * `sleep(ms)`: the one way to wait. It uses the global setTimeout, which the test harness replaces with
 * a virtual clock, so the same code runs in virtual time under test and in real time elsewhere.
 * (Never import timers from 'node:timers/promises': that copy escapes the virtual clock.)
 */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A uniform random integer in [0, n), from Math.random (which the harness seeds). */
export function randomInt(n: number): number {
  return Math.floor(Math.random() * n);
}
