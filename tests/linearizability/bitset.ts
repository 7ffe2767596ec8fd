/**
 * A fixed-size set of operation ids (0..size-1) over a Uint32Array, with a hash kept up to date on
 * every change.
 *
 * The hash is Zobrist-style: each id has a fixed pseudo-random 32-bit key and the hash is the XOR of
 * the keys of the ids present, so `set`/`clear` update it in O(1) and equal sets always hash equally
 * (the search asks for the hash of the linearized set after every step, so recomputing it over all
 * words each time would dominate). Keys come from a fixed mixing function of the id, not from
 * Math.random, so runs are reproducible.
 */

/** A well-mixed 32-bit key for id `i` (a murmur3-style finalizer over a golden-ratio sequence). */
function zobristKey(i: number): number {
  let h = Math.imul(i + 1, 0x9e3779b9);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

export class Bitset {
  readonly words: Uint32Array;
  readonly keys: Int32Array;
  /** XOR of the keys of the ids present. */
  hash = 0;

  constructor(readonly size: number) {
    this.words = new Uint32Array(Math.max(1, Math.ceil(size / 32)));
    this.keys = new Int32Array(size);
    for (let i = 0; i < size; i++) this.keys[i] = zobristKey(i);
  }

  has(i: number): boolean {
    return (this.words[i >>> 5] & (1 << (i & 31))) !== 0;
  }

  /** Add `i`; the caller guarantees it was absent (the search only adds unlinearized ids). */
  set(i: number): void {
    this.words[i >>> 5] |= 1 << (i & 31);
    this.hash ^= this.keys[i];
  }

  /** Remove `i`; the caller guarantees it was present. */
  clear(i: number): void {
    this.words[i >>> 5] &= ~(1 << (i & 31));
    this.hash ^= this.keys[i];
  }
}
