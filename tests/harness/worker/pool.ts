/**
 * One run in a fresh worker thread, watched from outside: `runInWorker(bundle, input, limits)`.
 *
 * The worker is never reused (no module state may leak from one run into the next). The parent decides
 * the verdict: it accepts a message only if it carries the run's nonce (known to boot.js, unreachable by
 * the code under test), and a run passes only on such a report. Around it:
 * - a watchdog: the worker bumps an event counter in a shared buffer after every event of the virtual
 *   clock; if it stands still for `hangMs`, the run is stuck inside one event (`while (true) {}`, a
 *   microtask storm) and the worker is terminated; a hard wall limit backs it up;
 * - a memory cap (`resourceLimits`): a heap past it ends the worker with ERR_WORKER_OUT_OF_MEMORY, which
 *   becomes an out-of-memory run instead of a V8 fatal error that takes the whole process down;
 * - process.exit/abort inside the worker: boot.js says who called it before the worker stops.
 * This function never throws for a bad run; every ending is a WorkerResult.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { WorkerData, WorkerInput, WorkerMessage, WorkerReport } from './types';

const BOOT_FILE = path.join(__dirname, 'boot.js');
const WATCH_EVERY_MS = 100;
/** Loading a bundle (and the module-level code of the test and the student) may take this long. */
const LOAD_LIMIT_MS = 30_000;
/** A stalled worker whose heap was last seen past this share of its cap is out of memory, not hung. */
const NEAR_CAP = 0.7;

export interface WorkerLimits {
  /** Real time without a single event before a run counts as hung. */
  readonly hangMs: number;
  /** Real time after which the run is stopped whatever it is doing. */
  readonly hardWallMs: number;
  /** Heap cap of the worker, in MB. */
  readonly memoryMb: number;
  /** Called with each output line (text ending in "\n") as the worker prints it. */
  readonly onLine?: (text: string) => void;
}

interface Where {
  readonly virtualMs: number;
  readonly wallMs: number;
}

/** A worker's trusted report, or why there is none. */
export type WorkerResult =
  | ({ readonly kind: 'report'; readonly report: WorkerReport } & Where)
  | ({ readonly kind: 'hung'; readonly stalledMs: number; readonly loading: boolean } & Where)
  | ({ readonly kind: 'wall-limit' } & Where)
  | ({ readonly kind: 'out-of-memory'; readonly memoryMb: number } & Where)
  | ({
      readonly kind: 'exited';
      readonly call: string;
      readonly stack: string;
      readonly code: number;
    } & Where)
  | ({ readonly kind: 'crashed'; readonly error: string; readonly stack?: string } & Where)
  | ({ readonly kind: 'untrusted'; readonly why: string } & Where);

function isMessage(value: unknown): value is WorkerMessage {
  return typeof value === 'object' && value !== null && 'kind' in value && 'nonce' in value;
}

/** Run one test (named in `input`) from `bundle` in a fresh worker; resolves when it ends, however. */
export function runInWorker(bundle: string, input: WorkerInput, limits: WorkerLimits): Promise<WorkerResult> {
  // [virtual ms reached, events fired, 1 once the test has started (the module loaded), heap used in MB]
  const progress = new SharedArrayBuffer(4 * Float64Array.BYTES_PER_ELEMENT);
  const seen = new Float64Array(progress);
  const nonce = randomBytes(24).toString('base64url');
  const workerData: WorkerData = { bundle, nonce, progress, input };
  const started = performance.now();
  const worker = new Worker(BOOT_FILE, {
    workerData,
    execArgv: [], // no loader hooks of the parent (tsx): the bundle is plain CommonJS
    resourceLimits: { maxOldGenerationSizeMb: limits.memoryMb },
  });
  return new Promise<WorkerResult>((resolve) => {
    let lastEvents = -1;
    let lastChange = started;
    let done = false;
    let exitNote: { call: string; stack: string } | undefined;
    const where = (): Where => ({ virtualMs: seen[0], wallMs: performance.now() - started });
    const finish = (result: WorkerResult): void => {
      if (done) return;
      done = true;
      clearInterval(watchdog);
      // Resolve once the thread is gone, so a host that exits right after (jest) has nothing left running.
      worker.terminate().then(
        () => resolve(result),
        () => resolve(result),
      );
    };
    const watchdog = setInterval(() => {
      const now = performance.now();
      if (seen[2] === 0) {
        // Still loading: the watchdog starts with the test, loading has its own, longer limit.
        lastChange = now;
        if (now - started > Math.max(LOAD_LIMIT_MS, limits.hangMs)) {
          finish({ kind: 'hung', stalledMs: now - started, loading: true, ...where() });
        }
      } else if (seen[1] !== lastEvents) {
        lastEvents = seen[1];
        lastChange = now;
      } else if (now - lastChange > limits.hangMs) {
        // Stuck near the heap cap is the garbage collector thrashing, not a loop: call it what it is.
        if (seen[3] > NEAR_CAP * limits.memoryMb) {
          finish({ kind: 'out-of-memory', memoryMb: limits.memoryMb, ...where() });
        } else {
          finish({ kind: 'hung', stalledMs: now - lastChange, loading: false, ...where() });
        }
      }
      if (now - started > limits.hardWallMs) finish({ kind: 'wall-limit', ...where() });
    }, WATCH_EVERY_MS);
    worker.on('message', (message: unknown) => {
      if (!isMessage(message) || message.nonce !== nonce) {
        const shape = isMessage(message) ? `a "${message.kind}" message` : `\`${JSON.stringify(message)}\``;
        finish({ kind: 'untrusted', why: `the worker posted ${shape} without the run's nonce`, ...where() });
      } else if (message.kind === 'line') {
        limits.onLine?.(message.text);
      } else if (message.kind === 'exit') {
        exitNote ??= { call: message.call, stack: message.stack };
      } else {
        finish({ kind: 'report', report: message.report, ...where() });
      }
    });
    worker.on('error', (error: Error & { code?: string }) => {
      if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') {
        finish({ kind: 'out-of-memory', memoryMb: limits.memoryMb, ...where() });
      } else {
        finish({ kind: 'crashed', error: `${error.name}: ${error.message}`, stack: error.stack, ...where() });
      }
    });
    worker.on('exit', (code) => {
      if (exitNote !== undefined) finish({ kind: 'exited', ...exitNote, code, ...where() });
      else {
        const error = `WorkerExit: the worker stopped (exit code ${code}) before it reported a result`;
        finish({ kind: 'crashed', error, ...where() });
      }
    });
  });
}
