/**
 * Gives every distinct model state a small integer id, so the search cache can store and compare
 * (linearized set, state) pairs as plain numbers (see cache.ts).
 *
 * - Default equality (the model has no `equal`): a native Map keyed by the state itself, i.e.
 *   SameValueZero; the engine hashes primitives (strings included) in native code. This is what keeps
 *   histories with thousands of states per set (every order of a batch of concurrent appends) fast.
 * - A model's own `equal`: states are bucketed by `hashState` (one bucket if the model has none) and
 *   compared with `equal` inside a bucket; give object states a `hashState`, or every lookup scans.
 * Guarantee: two states get the same id iff they are equal under the model's equality.
 */

export class StateIds<S> {
  private readonly byValue = new Map<S, number>();
  private readonly byHash = new Map<number, { state: S; id: number }[]>();
  private count = 0;

  constructor(
    private readonly equal: ((a: S, b: S) => boolean) | undefined,
    private readonly hashState: ((state: S) => number) | undefined,
  ) {}

  idOf(state: S): number {
    if (!this.equal) {
      const known = this.byValue.get(state);
      if (known !== undefined) return known;
      this.byValue.set(state, this.count);
      return this.count++;
    }
    return this.idByEquality(this.equal, state);
  }

  private idByEquality(equal: (a: S, b: S) => boolean, state: S): number {
    const hash = this.hashState ? this.hashState(state) | 0 : 0;
    let bucket = this.byHash.get(hash);
    if (!bucket) this.byHash.set(hash, (bucket = []));
    for (const known of bucket) if (equal(known.state, state)) return known.id;
    bucket.push({ state, id: this.count });
    return this.count++;
  }
}
