/**
 * The search cache: the set of (linearized-operation set, model state) pairs already explored.
 *
 * Why it is sound: the search is depth-first, so a pair found here was either fully explored without
 * success or is an ancestor on the current path (impossible: the set only grows along a path). Either
 * way exploring it again cannot find a linearization, and skipping it is what makes the search fast.
 *
 * Layout, chosen for speed: states are first turned into small integer ids (state-ids.ts), so a pair
 * is (set, id). Pairs live in an open-addressing table with linear probing, keyed by the set's Zobrist
 * hash mixed with the id; the words of all stored sets sit back to back in one growing Uint32Array
 * and the ids in an Int32Array, so storing a pair allocates nothing (and one set can come with many
 * thousands of states without a list to scan).
 */
import type { Bitset } from './bitset';
import { StateIds } from './state-ids';

const EMPTY = -1;

export interface StateEquality<S> {
  /** The model's `equal`, or undefined for the default SameValueZero. */
  readonly equal?: (a: S, b: S) => boolean;
  readonly hashState?: (state: S) => number;
}

export class LinearizationCache<S> {
  private slots = new Int32Array(1024).fill(EMPTY);
  private slotHashes = new Int32Array(1024);
  private arena: Uint32Array;
  private stateIdOf = new Int32Array(512);
  private readonly ids: StateIds<S>;
  private count = 0;

  constructor(
    private readonly wordCount: number,
    equality: StateEquality<S>,
  ) {
    this.arena = new Uint32Array(wordCount * 512);
    this.ids = new StateIds(equality.equal, equality.hashState);
  }

  /** Number of (set, state) pairs stored. */
  get size(): number {
    return this.count;
  }

  /** Add (bits, state) unless present; true when it was new (so the search should explore it). */
  addIfAbsent(bits: Bitset, state: S): boolean {
    const id = this.ids.idOf(state);
    const hash = bits.hash ^ Math.imul(id + 1, 0x9e3779b1);
    const mask = this.slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = this.slots[slot];
      if (entry === EMPTY) {
        this.insert(slot, hash, bits, id);
        return true;
      }
      if (this.slotHashes[slot] === hash && this.stateIdOf[entry] === id && this.sameWords(entry, bits))
        return false;
    }
  }

  private sameWords(entry: number, bits: Bitset): boolean {
    const base = entry * this.wordCount;
    const words = bits.words;
    for (let w = 0; w < this.wordCount; w++) if (this.arena[base + w] !== words[w]) return false;
    return true;
  }

  private insert(slot: number, hash: number, bits: Bitset, id: number): void {
    const entry = this.count++;
    if ((entry + 1) * this.wordCount > this.arena.length) this.arena = grow(this.arena);
    if (entry >= this.stateIdOf.length) this.stateIdOf = grow(this.stateIdOf);
    this.arena.set(bits.words, entry * this.wordCount);
    this.stateIdOf[entry] = id;
    this.slots[slot] = entry;
    this.slotHashes[slot] = hash;
    // Keep the load factor at or below 1/2 so probe sequences stay short.
    if (this.count * 2 > this.slots.length) this.rehash();
  }

  private rehash(): void {
    const oldSlots = this.slots;
    const oldHashes = this.slotHashes;
    this.slots = new Int32Array(oldSlots.length * 2).fill(EMPTY);
    this.slotHashes = new Int32Array(oldSlots.length * 2);
    const mask = this.slots.length - 1;
    for (let i = 0; i < oldSlots.length; i++) {
      if (oldSlots[i] === EMPTY) continue;
      let slot = oldHashes[i] & mask;
      while (this.slots[slot] !== EMPTY) slot = (slot + 1) & mask;
      this.slots[slot] = oldSlots[i];
      this.slotHashes[slot] = oldHashes[i];
    }
  }
}

function grow<T extends Uint32Array | Int32Array>(array: T): T {
  const grown = new (array.constructor as new (length: number) => T)(array.length * 2);
  grown.set(array);
  return grown;
}
