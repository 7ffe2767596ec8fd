/**
 * The stable Math.random wrapper. It must load before any other module, so that libraries which keep
 * a reference to Math.random when they load (lodash does) call the wrapper, and the driver can put a
 * seeded generator behind it for each run. Jest loads this file through `setupFiles`; scripts import
 * it first; the isolated worker's bundle loads it before any test module.
 *
 * The wrapper is locked in place (non-writable, non-configurable) and the generator behind it lives in
 * this module's closure, not on a global: code under test can neither replace `Math.random` nor reach the
 * seeded source (an assignment to Math.random is ignored, or throws in strict code). Only this module's
 * `setRandomSource` changes the source. The module loads once per realm; a second copy in the same realm
 * (two harnesses at once) could not control the wrapper, so it says so instead of seeding nothing.
 */
type RandomSource = () => number;

const native: RandomSource = Math.random;
let current: RandomSource = native;

function random(): number {
  return current();
}

const existing = Object.getOwnPropertyDescriptor(Math, 'random');
if (existing?.configurable === false) {
  throw new Error(
    'tests/harness/random-setup.ts: Math.random is already locked by another copy of the harness in this ' +
      'realm; load the harness from one place only (one project root per process or worker).',
  );
}
Object.defineProperty(Math, 'random', {
  value: random,
  writable: false,
  configurable: false,
  enumerable: false,
});

/** Put `source` behind Math.random; with no argument, restore the native generator. */
export function setRandomSource(source?: RandomSource): void {
  current = source ?? native;
}

/** Whether a seeded source is currently installed. */
export function hasSeededRandom(): boolean {
  return current !== native;
}

/** The source behind Math.random now (the boundary swaps the tester's and the student's streams). */
export function currentRandomSource(): RandomSource {
  return current;
}
