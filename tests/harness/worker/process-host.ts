/**
 * The child side of a run in its own process (process-run.ts): bundled by bundle.ts into plain CommonJS
 * and started as `node <process-host bundle>`, inside the grader's sandbox when there is one.
 *
 * It reads one request (the bundles, the run's input and limits) from stdin, runs it in a worker thread
 * exactly as `runInWorker` does in-process (boot.js, the nonce, the watchdog, the heap cap), and writes
 * the WorkerResult as one JSON line to fd 3; the test's printed lines go there too, as they come. Why a
 * process around the worker: some failures of a worker are fatal to the process that holds it (a V8
 * out-of-memory inside a native call, a thread stuck in a blocking native call that cannot be
 * terminated), and a process, unlike a thread, can be killed, sandboxed and limited by the OS. Whatever
 * happens here ends this process only; the parent decides what it means.
 */
import fs from 'node:fs';
import { runInWorker, type WorkerLimits } from './pool';
import type { Bundle } from './bundle';
import type { WorkerInput } from './types';

/** What the parent writes to the child's stdin. */
export interface ProcessRequest {
  readonly bundle: Bundle;
  readonly input: WorkerInput;
  readonly limits: Omit<WorkerLimits, 'onLine'>;
}

/** What the child writes to fd 3, a JSON object a line. */
export type ProcessMessage =
  | { readonly kind: 'line'; readonly text: string }
  | { readonly kind: 'result'; readonly result: import('./pool').WorkerResult };

const RESULT_FD = 3;

function write(message: ProcessMessage): void {
  fs.writeSync(RESULT_FD, `${JSON.stringify(message)}\n`);
}

async function main(): Promise<void> {
  const request = JSON.parse(fs.readFileSync(0, 'utf8')) as ProcessRequest;
  // Not waiting for the thread to exit: this process ends next, and every thread with it.
  const result = await runInWorker(
    request.bundle,
    request.input,
    { ...request.limits, onLine: (text) => write({ kind: 'line', text }) },
    false,
  );
  write({ kind: 'result', result });
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`process host: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(70);
});
