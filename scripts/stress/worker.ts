/**
 * The inside of one stress-runner worker: find the test in its module, run it once with runLabTest,
 * post a WorkerReport to the parent. After every event the driver's onProgress hook writes the
 * virtual time reached (and an event count) into the shared buffer, so the parent's watchdog can tell
 * a run that is busy from one stuck in `while (true) {}` and say where it stopped.
 *
 * Loaded fresh for every run (never reused), after tests/harness/random-setup.ts; see pool.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runLabTest } from '../../tests/harness/run';
import { labTestsOf } from './discover';
import type { WorkerInput, WorkerReport } from './types';

/** Run the test named in workerData from `mod` (the test module's exports) and report back. */
export async function runWorker(mod: Record<string, unknown>): Promise<void> {
  const input = workerData as WorkerInput;
  const port = parentPort;
  if (port === null) throw new Error('runWorker must run inside a worker thread (it reads workerData)');
  const test = labTestsOf(mod).find((t) => t.name === input.testName);
  if (test === undefined) throw new Error(`test "${input.testName}" is not exported by its module any more`);
  const progress = new Float64Array(input.progress);
  const result = await runLabTest(test, {
    seed: input.seed,
    replay: input.replay,
    realtime: input.realtime,
    traceDir: input.traceDir,
    keepTrace: input.keepTrace,
    write: () => {}, // the parent prints the summary; LAB_DEBUG lines stay in the saved .log
    onProgress(virtualMs) {
      progress[0] = virtualMs;
      progress[1] += 1;
    },
  });
  const report: WorkerReport = {
    passed: result.passed,
    error: result.error?.message, // runLabTest's message starts with the error's name
    virtualMs: result.virtualMs,
    wallMs: result.wallMs,
    traceHash: result.traceHash,
    traceFile: result.traceFile,
    logFile: result.logFile,
  };
  port.postMessage(report);
}
