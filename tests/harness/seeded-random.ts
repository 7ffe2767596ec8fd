/**
 * Seeded random numbers for a run: xoroshiro128+ (pure-rand), its state spread from the seed with
 * splitmix32. The spreading matters: seeded directly with a small integer, xoroshiro128+'s first double
 * is about 0.99999 for every seed from 0 to 100, so every first election timeout would be the maximum.
 */
import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';

/** splitmix32: turns consecutive seeds into well-mixed 32-bit words. */
function splitmix32(seed: number): () => number {
  let state = seed | 0;
  return () => {
    state = (state + 0x9e3779b9) | 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) | 0;
  };
}

/** A generator of doubles in [0, 1), fully determined by `seed`. */
export function seededRandom(seed: number): () => number {
  const mix = splitmix32(seed);
  const rng = xoroshiro128plusFromState([mix(), mix(), mix(), mix()]);
  return () => uniformFloat64(rng);
}

/** Parse a seed from the environment or a command line; a clear error if it is not an integer. */
export function parseSeed(text: string, where: string): number {
  const seed = Number(text);
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new Error(`Expected ${where} to be a non-negative integer seed, got \`${text}\``);
  }
  return seed;
}

/** A fresh seed from the unseeded generator, for runs that were not given one. */
export function freshSeed(nativeRandom: () => number): number {
  return 1 + Math.floor(nativeRandom() * 0x7fff_fffe);
}
