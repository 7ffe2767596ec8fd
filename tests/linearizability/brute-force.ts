/**
 * A deliberately naive linearizability checker for tiny histories, used only as the oracle in the
 * randomized tests. It shares nothing with the real search (no entry list, no cache, no bitset): it
 * enumerates every sequence of operations in which each next operation `x` is allowed by real time
 * (no operation left out returned strictly before `x` was called) and by the model, per partition.
 *
 * It reports the verdict and, per operation, the length of the longest such sequence containing it,
 * which is what the checker's verbose info must reproduce. Exponential: keep histories under ~8 ops.
 */
import { resolveModel } from './models/resolve';
import type { CheckVerdict, Model, Operation } from './types';

export interface BruteForceResult {
  readonly result: Exclude<CheckVerdict, 'unknown'>;
  /** Per partition (in the model's partition order), per operation: longest prefix length, 0 if none. */
  readonly longest: number[][];
}

export function bruteForceCheck<S, I, O>(
  model: Model<S, I, O>,
  history: readonly Operation<I, O>[],
): BruteForceResult {
  const resolved = resolveModel(model);
  const parts = resolved.partition(history);
  const longest = parts.map((part) => longestPrefixes(resolved.init(), part, resolved.step));
  const ok = parts.every((part, i) => longest[i].every((length) => length === part.length));
  return { result: ok ? 'ok' : 'illegal', longest };
}

function longestPrefixes<S, I, O>(
  init: S,
  ops: readonly Operation<I, O>[],
  step: (state: S, input: I, output: O) => { ok: boolean; state?: S },
): number[] {
  const best = ops.map(() => 0);
  const sequence: number[] = [];
  const used = ops.map(() => false);
  const explore = (state: S): void => {
    for (const id of sequence) best[id] = Math.max(best[id], sequence.length);
    ops.forEach((op, id) => {
      if (used[id]) return;
      const blocked = ops.some((other, j) => !used[j] && j !== id && other.return < op.call);
      if (blocked) return;
      const next = step(state, op.input, op.output);
      if (!next.ok) return;
      used[id] = true;
      sequence.push(id);
      explore(next.state as S);
      sequence.pop();
      used[id] = false;
    });
  };
  explore(init);
  return best;
}
