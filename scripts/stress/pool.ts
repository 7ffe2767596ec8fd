/**
 * `runPool(items, parallel, job, onResult)`: run jobs a few at a time, reporting each as it ends. Each
 * stress run is one isolated worker (tests/harness/worker), so the pool only has to keep `parallel` of
 * them busy.
 */

/** Run `job` on every item, `parallel` at a time, calling `onResult` as each finishes. */
export async function runPool<T, R>(
  items: readonly T[],
  parallel: number,
  job: (item: T) => Promise<R>,
  onResult: (item: T, result: R) => void,
): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++];
      onResult(item, await job(item));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(parallel, items.length)) }, lane));
}
