/**
 * The states seen with each linearized set of the cache (see cache.ts), stored column-wise so that the
 * common cases allocate nothing: most sets only ever see one state, kept inline in `first`.
 *
 * - Default equality (no model `equal`): further states go in a short array compared with
 *   SameValueZero; past SMALL they all move into a native `Set`, whose engine-side hashing keeps a
 *   lookup O(1) even with tens of thousands of states (one set can come with every order of a batch of
 *   concurrent appends; a scanned list made that quadratic).
 * - A model's own `equal`: states are scanned; with `hashState`, only states of equal hash are compared.
 * Guarantee: `add` returns true iff no equal state was stored for that set, and then stores it.
 */

const SMALL = 8;

function sameValueZero(a: unknown, b: unknown): boolean {
  return a === b || (a !== a && b !== b);
}

export class StateStore<S> {
  private readonly first: S[] = [];
  private readonly firstHash: number[] = [];
  private readonly more: (S[] | undefined)[] = [];
  private readonly moreHash: (number[] | undefined)[] = [];
  private readonly sets: (Set<S> | undefined)[] = [];

  constructor(
    private readonly equal: ((a: S, b: S) => boolean) | undefined,
    private readonly hashState: ((state: S) => number) | undefined,
  ) {}

  /** Start the states of a new set with `state`; returns the set's entry number. */
  open(state: S): number {
    this.first.push(state);
    this.firstHash.push(this.equal && this.hashState ? this.hashState(state) | 0 : 0);
    this.more.push(undefined);
    this.moreHash.push(undefined);
    this.sets.push(undefined);
    return this.first.length - 1;
  }

  add(entry: number, state: S): boolean {
    return this.equal ? this.addWithEqual(this.equal, entry, state) : this.addSameValue(entry, state);
  }

  private addSameValue(entry: number, state: S): boolean {
    const set = this.sets[entry];
    if (set) {
      if (set.has(state)) return false;
      set.add(state);
      return true;
    }
    if (sameValueZero(this.first[entry], state)) return false;
    const more = this.more[entry];
    if (!more) {
      this.more[entry] = [state];
      return true;
    }
    for (let i = 0; i < more.length; i++) if (sameValueZero(more[i], state)) return false;
    more.push(state);
    if (more.length > SMALL) {
      this.sets[entry] = new Set([this.first[entry], ...more]);
      this.more[entry] = undefined;
    }
    return true;
  }

  private addWithEqual(equal: (a: S, b: S) => boolean, entry: number, state: S): boolean {
    const hash = this.hashState ? this.hashState(state) | 0 : 0;
    if (this.firstHash[entry] === hash && equal(this.first[entry], state)) return false;
    const more = this.more[entry] ?? (this.more[entry] = []);
    const hashes = this.moreHash[entry] ?? (this.moreHash[entry] = []);
    for (let i = 0; i < more.length; i++) if (hashes[i] === hash && equal(more[i], state)) return false;
    more.push(state);
    hashes.push(hash);
    return true;
  }
}
