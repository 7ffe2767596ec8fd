/**
 * Fills in the optional parts of a `Model` with their defaults, so the checker and the visualizer
 * can call every function without checks: no partitioning, SameValueZero state equality, JSON descriptions.
 * Also home of `partitionBy`, the usual way to write `partition` (one part per key, sorted by key).
 */
import type { Model, Operation, StepResult } from '../types';

export interface ResolvedModel<S, I, O> {
  readonly name: string;
  init(): S;
  step(state: S, input: I, output: O): StepResult<S>;
  /** The model's own equality; undefined means the default, SameValueZero (`===`, and NaN equals NaN). */
  readonly equal?: (a: S, b: S) => boolean;
  readonly hashState?: (state: S) => number;
  partition(history: readonly Operation<I, O>[]): ReadonlyArray<readonly Operation<I, O>[]>;
  describePartition(part: readonly Operation<I, O>[], index: number): string;
  describeOperation(input: I, output: O): string;
  describeState(state: S): string;
}

export function resolveModel<S, I, O>(model: Model<S, I, O>): ResolvedModel<S, I, O> {
  return {
    name: model.name,
    init: () => model.init(),
    // Bound rather than wrapped: step runs millions of times and a bound call inlines well.
    step: model.step.bind(model),
    equal: model.equal ? (a, b) => model.equal!(a, b) : undefined,
    hashState: model.hashState ? (state) => model.hashState!(state) : undefined,
    partition: model.partition ? (history) => model.partition!(history) : (history) => [history],
    describePartition: (part, index) =>
      model.describePartition && part.length > 0 ? model.describePartition(part) : `partition ${index}`,
    describeOperation: model.describeOperation
      ? (input, output) => model.describeOperation!(input, output)
      : (input, output) => `${JSON.stringify(input)} -> ${JSON.stringify(output)}`,
    describeState: model.describeState
      ? (state) => model.describeState!(state)
      : (state) => JSON.stringify(state),
  };
}

/**
 * A `partition` function grouping operations by `keyOf(input)`, parts sorted by key. It returns the
 * very operation objects it was given (the checker maps them back to their positions by identity).
 */
export function partitionBy<I, O>(
  keyOf: (input: I) => string | number,
): (history: readonly Operation<I, O>[]) => Operation<I, O>[][] {
  return (history) => {
    const groups = new Map<string | number, Operation<I, O>[]>();
    for (const op of history) {
      const key = keyOf(op.input);
      const group = groups.get(key);
      if (group) group.push(op);
      else groups.set(key, [op]);
    }
    const keys = [...groups.keys()].sort((a, b) =>
      typeof a === 'number' && typeof b === 'number' ? a - b : String(a) < String(b) ? -1 : 1,
    );
    return keys.map((key) => groups.get(key)!);
  };
}
