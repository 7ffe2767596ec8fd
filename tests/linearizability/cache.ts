/**
 * The search cache: the set of (linearized-operation set, model state) pairs already explored.
 *
 * Why it is sound: the search is depth-first, so a pair found here was either fully explored without
 * success or is an ancestor on the current path (impossible: the set only grows along a path). Either
 * way exploring it again cannot find a linearization, and skipping it is what makes the search fast.
 *
 * Layout, chosen for speed: an open-addressing table of the distinct sets (Zobrist hash, linear
 * probing; the words of all sets back to back in one growing Uint32Array), and per set a bucket of the
 * states seen with it. One set can come with many thousands of states (concurrent appends in every
 * order), so a bucket must not be a list scanned on each lookup: with the default equality the states
 * go in a native `Set` (SameValueZero, hashed by the engine); with a model's own `equal` they are
 * scanned, pre-filtered by `hashState` when the model has one.
 */
import type { Bitset } from './bitset';
import { StateStore } from './state-bucket';

const EMPTY = -1;

export interface StateEquality<S> {
  /** The model's `equal`, or undefined for the default SameValueZero (then states go in a native Set). */
  readonly equal?: (a: S, b: S) => boolean;
  readonly hashState?: (state: S) => number;
}

export class LinearizationCache<S> {
  private slots: Int32Array = new Int32Array(256).fill(EMPTY);
  private slotHashes: Int32Array = new Int32Array(256);
  private arena: Uint32Array;
  private readonly states: StateStore<S>;
  private setCount = 0;
  private pairs = 0;

  constructor(
    private readonly wordCount: number,
    private readonly equality: StateEquality<S>,
  ) {
    this.arena = new Uint32Array(wordCount * 64);
    this.states = new StateStore<S>(equality.equal, equality.hashState);
  }

  /** Number of (set, state) pairs stored. */
  get size(): number {
    return this.pairs;
  }

  /** Add (bits, state) unless present; true when it was new (so the search should explore it). */
  addIfAbsent(bits: Bitset, state: S): boolean {
    const hash = bits.hash;
    const mask = this.slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = this.slots[slot];
      if (entry === EMPTY) {
        this.insertSet(slot, bits, state);
        this.pairs++;
        return true;
      }
      if (this.slotHashes[slot] === hash && this.sameWords(entry, bits)) {
        if (!this.states.add(entry, state)) return false;
        this.pairs++;
        return true;
      }
    }
  }

  private sameWords(entry: number, bits: Bitset): boolean {
    const base = entry * this.wordCount;
    const words = bits.words;
    for (let w = 0; w < this.wordCount; w++) if (this.arena[base + w] !== words[w]) return false;
    return true;
  }

  private insertSet(slot: number, bits: Bitset, state: S): void {
    const entry = this.setCount++;
    if ((entry + 1) * this.wordCount > this.arena.length) {
      const grown = new Uint32Array(this.arena.length * 2);
      grown.set(this.arena);
      this.arena = grown;
    }
    this.arena.set(bits.words, entry * this.wordCount);
    this.states.open(state);
    this.slots[slot] = entry;
    this.slotHashes[slot] = bits.hash;
    // Keep the load factor at or below 1/2 so probe sequences stay short.
    if (this.setCount * 2 > this.slots.length) this.rehash();
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
