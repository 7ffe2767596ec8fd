/**
 * The stable Math.random wrapper. It must load before any other module, so that libraries which keep
 * a reference to Math.random when they load (lodash does) call the wrapper, and the driver can put a
 * seeded generator behind it for each run. Jest loads this file through `setupFiles`; scripts import
 * it first. Loading it twice is harmless.
 */
type RandomSource = () => number;

interface RandomHost {
  __labRandom?: { native: RandomSource; current: RandomSource };
}

const host = globalThis as typeof globalThis & RandomHost;

if (!host.__labRandom) {
  const state = { native: Math.random, current: Math.random };
  host.__labRandom = state;
  Math.random = function random(): number {
    return state.current();
  };
}

const state = host.__labRandom;

/** Put `source` behind Math.random; with no argument, restore the native generator. */
export function setRandomSource(source?: RandomSource): void {
  state.current = source ?? state.native;
}

/** Whether a seeded source is currently installed. */
export function hasSeededRandom(): boolean {
  return state.current !== state.native;
}
