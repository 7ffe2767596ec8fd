/**
 * The checker's public types: operations and events (the two forms a history comes in), the model a
 * history is checked against, and the results.
 *
 * Guarantees a model must give (the checker relies on them and cannot verify them):
 * - `step` never mutates the state it is given: the search keeps old states and comes back to them.
 * - `equal` is an equivalence; states that are `equal` behave identically under `step`. If `hashState`
 *   is given, equal states have equal hashes.
 * - `partition` (optional) splits a history into groups that can be checked independently
 *   (P-compositionality, e.g. one group per key); every operation lands in exactly one group.
 *
 * Times (`call`, `return`) are plain numbers in any one unit. At equal times a call counts as happening
 * before a return, so two operations that merely touch are treated as concurrent.
 */

/** One completed operation: what a client asked (`input`), what it got back (`output`), and when. */
export interface Operation<I, O> {
  /** Zero-based client id; used only to lay out the visualization (one row per client). */
  readonly clientId: number;
  readonly input: I;
  readonly output: O;
  /** Time the client invoked the operation. */
  readonly call: number;
  /** Time the client received the response; must be >= `call`. */
  readonly return: number;
}

/** A call or return event of an event history; the array order is the real-time order. */
export type HistoryEvent<I, O> =
  | { readonly kind: 'call'; readonly clientId: number; readonly id: number; readonly value: I }
  | { readonly kind: 'return'; readonly clientId: number; readonly id: number; readonly value: O };

/** What `Model.step` answers: legal with the next state, or not legal. */
export type StepResult<S> = { readonly ok: true; readonly state: S } | { readonly ok: false };

/** A sequential specification the history must be equivalent to. */
export interface Model<S, I, O> {
  /** Short name, shown in the visualization and in error messages. */
  readonly name: string;
  /** The state before any operation. */
  init(): S;
  /** Apply one operation; `ok: false` when `output` is impossible from `state`. Must not mutate `state`. */
  step(state: S, input: I, output: O): StepResult<S>;
  /**
   * State equality for the search cache. Default: SameValueZero (`===`, NaN equal to NaN), which lets
   * the cache keep states in a native Set; give `equal` only for states that are objects.
   */
  equal?(a: S, b: S): boolean;
  /** Optional 32-bit hash of a state, consistent with `equal`; speeds up the cache. */
  hashState?(state: S): number;
  /** Split a history into independently checkable parts. Default: one part, the whole history. */
  partition?(history: readonly Operation<I, O>[]): ReadonlyArray<readonly Operation<I, O>[]>;
  /** A label for one part (e.g. "key '3'"). Default: "partition <n>". */
  describePartition?(part: readonly Operation<I, O>[]): string;
  /** Human-readable operation, e.g. `get('x') -> 'ab'`. Default: JSON of input and output. */
  describeOperation?(input: I, output: O): string;
  /** Human-readable state. Default: JSON of the state. */
  describeState?(state: S): string;
}

/** The verdict. `unknown` means the search ran out of time; it is never a claim either way. */
export type CheckVerdict = 'ok' | 'illegal' | 'unknown';

export interface CheckOptions {
  /** Give up after this many milliseconds of real time and answer `unknown`. 0 or absent: no limit. */
  readonly timeoutMs?: number;
  /**
   * Give up on a part (a key, for the kv model) after this many search steps, and count it `unknown`.
   * Unlike `timeoutMs`, the same history gives the same verdict on every machine. Absent: no limit.
   */
  readonly maxSteps?: number;
  /** Give up on every part still undecided once all parts together took this many steps. */
  readonly maxTotalSteps?: number;
  /** Keep, for every operation, the longest linearizable prefix containing it (needed to visualize). */
  readonly verbose?: boolean;
  /**
   * The clock for `timeoutMs`, in milliseconds. Default: the real `performance.now`, captured when this
   * module loaded, so a fake clock installed later by a test cannot stop the timeout from firing.
   */
  readonly clock?: () => number;
}

/** One partition of a verbose result. Operation ids are indexes into `operations`. */
export interface PartitionInfo<I, O> {
  readonly label: string;
  /** `unknown` when the time (or the part's step budget) ran out before this part was decided. */
  readonly verdict: CheckVerdict;
  /** The partition's operations; `originalIndex[i]` is the position of `operations[i]` in the input. */
  readonly operations: readonly Operation<I, O>[];
  readonly originalIndex: readonly number[];
  /** Distinct partial linearizations (lists of operation ids in linearization order), longest first. */
  readonly linearizations: readonly (readonly number[])[];
  /** `longest[i]`: index into `linearizations` of the longest one containing operation i, or -1. */
  readonly longest: readonly number[];
}

export interface LinearizationInfo<I, O> {
  readonly partitions: readonly PartitionInfo<I, O>[];
}

export interface CheckResult<I, O> {
  readonly result: CheckVerdict;
  /** Present when `verbose` was set. */
  readonly info?: LinearizationInfo<I, O>;
}

/**
 * Something the test did, drawn on the timeline's time axis: a fault (`partition`, `crash`, `restart`)
 * or any other event. Same time unit as the operations; without `end` it is a single instant.
 */
export interface Annotation {
  readonly start: number;
  readonly end?: number;
  readonly label: string;
  /** Free-form; `partition`, `crash`, `restart` and `heal` get their own colours. */
  readonly kind?: string;
}
