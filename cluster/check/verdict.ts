/**
 * Lost acknowledged writes: a check of the final state, simpler than linearizability and independent of
 * it, so a run reports a plain count beside the checker's verdict.
 *
 * A write W (put or append) that the Clerk saw succeed must show in the key's final value — an append's
 * token somewhere in it, a put's token at its start — unless some put P on that key could have been
 * ordered after W and erased it: P is another put that had not returned before W was called
 * (P.return >= W.call). Writes that never returned are not acknowledged and are not counted.
 */
import type { KvOperation } from './workload';

export interface LostWrite {
  op: KvOperation;
  finalValue: string;
}

export function lostWrites(
  ops: readonly KvOperation[],
  finalValues: ReadonlyMap<string, string>,
): LostWrite[] {
  const putsByKey = new Map<string, KvOperation[]>();
  for (const op of ops) {
    if (op.input.op !== 'put') continue;
    const list = putsByKey.get(op.input.key) ?? [];
    list.push(op);
    putsByKey.set(op.input.key, list);
  }
  const lost: LostWrite[] = [];
  for (const op of ops) {
    const { input } = op;
    if (input.op === 'get') continue;
    const finalValue = finalValues.get(input.key);
    if (finalValue === undefined) continue; // no final read of this key: nothing to judge
    const visible =
      input.op === 'append' ? finalValue.includes(input.value) : finalValue.startsWith(input.value);
    if (visible) continue;
    const erasable = (putsByKey.get(input.key) ?? []).some((p) => p !== op && p.return >= op.call);
    if (!erasable) lost.push({ op, finalValue });
  }
  return lost;
}
