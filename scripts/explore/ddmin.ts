/**
 * Delta debugging (Zeller and Hildebrandt's ddmin): from a list of items whose presence makes a run fail,
 * find a smaller list that still fails and from which no single chunk at the finest granularity tried
 * can be removed (1-minimal when it ends at single items). Explore's items are fault events.
 *
 * Candidates of one step are tried in waves of `parallel`, each wave in order; the step takes the
 * lowest-numbered failing candidate of the first wave that has one, so the answer does not depend on
 * how many run at once, only on the (deterministic) runs.
 */

/** Whether a run with exactly these items fails the way the original did. */
export type FailsWith<T> = (items: readonly T[]) => Promise<boolean>;

/** Split `items` into `n` chunks of near-equal size, in order. */
export function chunks<T>(items: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  let start = 0;
  for (let k = 0; k < n; k++) {
    const end = start + Math.floor((items.length - start) / (n - k));
    out.push(items.slice(start, end));
    start = end;
  }
  return out.filter((c) => c.length > 0);
}

/** The index of the first candidate that fails, trying `parallel` at a time; -1 if none does. */
export async function firstFailing<T>(
  candidates: readonly (readonly T[])[],
  fails: FailsWith<T>,
  parallel: number,
): Promise<number> {
  for (let start = 0; start < candidates.length; start += parallel) {
    const wave = candidates.slice(start, start + parallel);
    const verdicts = await Promise.all(wave.map((c) => fails(c)));
    const k = verdicts.indexOf(true);
    if (k >= 0) return start + k;
  }
  return -1;
}

/** ddmin: `items` must fail; returns a subset that fails and that no chunk can be taken from. */
export async function ddmin<T>(items: readonly T[], fails: FailsWith<T>, parallel = 1): Promise<T[]> {
  let current = [...items];
  let n = 2;
  while (current.length >= 2) {
    const parts = chunks(current, Math.min(n, current.length));
    const subset = await firstFailing(parts, fails, parallel);
    if (subset >= 0) {
      current = parts[subset];
      n = 2;
      continue;
    }
    // With two chunks, each complement is the other chunk: already tried.
    if (parts.length > 2) {
      const complements = parts.map((_, k) => parts.filter((__, j) => j !== k).flat());
      const complement = await firstFailing(complements, fails, parallel);
      if (complement >= 0) {
        current = complements[complement];
        n = Math.max(n - 1, 2);
        continue;
      }
    }
    if (parts.length >= current.length) break; // single items, none removable: 1-minimal
    n = Math.min(current.length, 2 * n);
  }
  if (current.length === 1 && (await fails([]))) return [];
  return current;
}
