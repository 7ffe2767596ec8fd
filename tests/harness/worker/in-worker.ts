/**
 * The inside of one isolated worker: find the test in its module, run it once with runLabTest, stream its
 * printed lines to the parent and post the report. After every event the driver's onProgress hook writes
 * the virtual time reached (and an event count) into the shared buffer, so the parent's watchdog can tell
 * a busy run from one stuck in `while (true) {}` and say where it stopped.
 *
 * `main` receives its capabilities (the send function bound to the port and nonce, the input, the
 * progress buffer) from boot.js as arguments: nothing the test module can reach holds them.
 */
import { getHeapStatistics } from 'node:v8';
import { runLabTest, type RunResult } from '../run';
import { labTestsOf } from './discover';
import type { WorkerInput, WorkerMessage, WorkerReport } from './types';

type Unsigned<T> = T extends unknown ? Omit<T, 'nonce'> : never;

/** What boot.js hands the bundle's `main`. */
export interface WorkerCapabilities {
  readonly send: (message: Unsigned<WorkerMessage>) => void;
  readonly input: WorkerInput;
  readonly progress: Float64Array;
}

/** Run the test named in the input from `mod` (the test module's exports) and report back. */
export async function runWorker(mod: Record<string, unknown>, cap: WorkerCapabilities): Promise<void> {
  const { send, input, progress } = cap;
  const test = labTestsOf(mod).find((t) => t.name === input.testName);
  if (test === undefined) throw new Error(`test "${input.testName}" is not exported by its module`);
  progress[2] = 1; // the module loaded: the watchdog starts counting
  const result = await runLabTest(test, {
    seed: input.seed,
    replay: input.replay,
    realtime: input.realtime,
    traceDir: input.traceDir,
    keepTrace: input.keepTrace,
    traceOnFailure: input.traceOnFailure,
    wallLimitMs: input.wallLimitMs,
    plan: input.plan,
    write: (text) => send({ kind: 'line', text }),
    writeDebug: input.streamDebug ? (text) => send({ kind: 'line', text }) : () => {},
    onProgress(virtualMs) {
      progress[0] = virtualMs;
      progress[1] += 1;
      // The heap, now and then: a worker thrashing near its cap looks hung; this tells the two apart.
      if (progress[1] % 4 === 0) progress[3] = getHeapStatistics().used_heap_size / 2 ** 20;
    },
  });
  send({ kind: 'report', report: reportOf(result) });
}

/** A run's result as plain data, for the process that judges it (a worker's parent, the grader). */
export function reportOf(result: RunResult): WorkerReport {
  return {
    passed: result.passed,
    error: result.error?.message, // runLabTest's message starts with the error's name
    frames: result.error?.stack?.split('\n').filter((line) => /^\s+at /.test(line)),
    virtualMs: result.virtualMs,
    wallMs: result.wallMs,
    cpuMs: result.cpuMs,
    traceHash: result.traceHash,
    traceFile: result.traceFile,
    logFile: result.logFile,
  };
}
