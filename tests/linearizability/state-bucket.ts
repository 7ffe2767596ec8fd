/**
 * The states seen with one linearized set (see cache.ts).
 *
 * - Default equality (no model `equal`): a few states are kept in a small array compared with
 *   SameValueZero; past SMALL they move into a native `Set`, whose engine-side hashing keeps a lookup
 *   O(1) even with tens of thousands of states (strings are hashed once by the engine, in native code).
 * - A model's own `equal`: states are scanned; with `hashState`, only states of equal hash are compared.
 * Guarantee: `add` returns true iff no equal state was present, and then stores the state.
 */

/** Small buckets stay arrays: most sets come with one to a handful of states, and a Set costs more. */
const SMALL = 8;

function sameValueZero(a: unknown, b: unknown): boolean {
  return a === b || (a !== a && b !== b);
}

export class StateBucket<S> {
  private list: S[] = [];
  private hashes: number[] = [];
  private set: Set<S> | undefined;

  constructor(
    private readonly equal: ((a: S, b: S) => boolean) | undefined,
    private readonly hashState: ((state: S) => number) | undefined,
  ) {}

  add(state: S): boolean {
    if (this.equal) return this.addWithEqual(this.equal, state);
    if (this.set) {
      if (this.set.has(state)) return false;
      this.set.add(state);
      return true;
    }
    for (const known of this.list) if (sameValueZero(known, state)) return false;
    this.list.push(state);
    if (this.list.length > SMALL) {
      this.set = new Set(this.list);
      this.list = [];
    }
    return true;
  }

  private addWithEqual(equal: (a: S, b: S) => boolean, state: S): boolean {
    const list = this.list;
    if (this.hashState) {
      const hash = this.hashState(state) | 0;
      for (let i = 0; i < list.length; i++)
        if (this.hashes[i] === hash && equal(list[i], state)) return false;
      this.hashes.push(hash);
    } else {
      for (let i = 0; i < list.length; i++) if (equal(list[i], state)) return false;
    }
    list.push(state);
    return true;
  }
}
