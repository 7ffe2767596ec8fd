/**
 * Runs RunSpecs, a few at a time, each in a fresh worker thread (never reused: no module state may leak from
 * one run into the next), with a watchdog in real time. The worker bumps an event counter in a shared
 * buffer after every event of the virtual clock; if the counter stands still for `hangMs`, the run is
 * stuck inside one event (`while (true) {}`, a microtask storm) and the watchdog terminates the worker,
 * reporting the run as hung with the last virtual time it reached. A worker that dies or throws outside
 * the test is a failed run too, with what it said. The pool itself never throws for a bad run.
 */
import { Worker } from 'node:worker_threads';
import { formatVirtual } from '../../tests/harness/driver';
import type { RunSpec, WorkerInput, WorkerReport } from './types';

export interface WorkerOptions {
  /** Real time without a single event before a run counts as hung. */
  readonly hangMs: number;
  /** The code that boots a worker for a test module (see bundle.ts). */
  readonly boot: (moduleFile: string) => string;
  /** Everything but the shared buffer that the worker needs for this run. */
  readonly input: (spec: RunSpec) => Omit<WorkerInput, 'progress'>;
}

/** A worker's report, or why there is none. */
export type PoolResult =
  | { readonly kind: 'report'; readonly report: WorkerReport }
  | { readonly kind: 'hung'; readonly virtualMs: number; readonly wallMs: number }
  | { readonly kind: 'crashed'; readonly error: string; readonly virtualMs: number; readonly wallMs: number };

const WATCH_EVERY_MS = 100;

/** Run one spec in a fresh worker; resolves when the worker reports, dies, or is killed. */
export function runInWorker(spec: RunSpec, options: WorkerOptions): Promise<PoolResult> {
  const progress = new SharedArrayBuffer(2 * Float64Array.BYTES_PER_ELEMENT);
  const seen = new Float64Array(progress);
  const workerData: WorkerInput = { ...options.input(spec), progress };
  const started = performance.now();
  const worker = new Worker(options.boot(spec.test.moduleFile), { eval: true, workerData });
  return new Promise<PoolResult>((resolve) => {
    let lastEvents = -1;
    let lastChange = started;
    let done = false;
    const finish = (result: PoolResult): void => {
      if (done) return;
      done = true;
      clearInterval(watchdog);
      void worker.terminate();
      resolve(result);
    };
    const elapsed = (): number => performance.now() - started;
    const watchdog = setInterval(() => {
      const now = performance.now();
      if (seen[1] !== lastEvents) {
        lastEvents = seen[1];
        lastChange = now;
      } else if (now - lastChange > options.hangMs) {
        finish({ kind: 'hung', virtualMs: seen[0], wallMs: elapsed() });
      }
    }, WATCH_EVERY_MS);
    worker.on('message', (report: WorkerReport) => finish({ kind: 'report', report }));
    worker.on('error', (error) =>
      finish({
        kind: 'crashed',
        error: `${error.name}: ${error.message}`,
        virtualMs: seen[0],
        wallMs: elapsed(),
      }),
    );
    worker.on('exit', (code) =>
      finish({
        kind: 'crashed',
        error: `WorkerExit: the worker exited (code ${code}) before reporting a result`,
        virtualMs: seen[0],
        wallMs: elapsed(),
      }),
    );
  });
}

/** The message for a run the watchdog killed. */
export function hungMessage(virtualMs: number, hangMs: number): string {
  return (
    `HungRun: no progress for ${(hangMs / 1000).toFixed(1)} s of real time: hung at or after virtual time ` +
    `${formatVirtual(virtualMs)}, inside one event (a loop that never awaits, e.g. \`while (true) {}\` or ` +
    '`while (!done) await null`?). The worker was terminated; no trace was saved.'
  );
}

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
