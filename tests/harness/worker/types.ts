/**
 * The data that crosses the boundary of an isolated worker: what the parent hands it (WorkerInput), the
 * messages it may send back (WorkerMessage, each carrying the run's nonce), and its final report. All of
 * it is plain data (structured-clone safe).
 */

/** What the parent hands the worker for one run (inside workerData, with the nonce and progress buffer). */
export interface WorkerInput {
  /** The module exporting the test (absolute): a bundle may hold several (bundle.ts). */
  readonly moduleFile: string;
  /** The printed title of the test to run, e.g. "Test (2A): initial election". */
  readonly testName: string;
  readonly seed: number;
  /** The command that replays this run, printed on failure. */
  readonly replay: string;
  readonly realtime: boolean;
  /** Folder for the trace and log of a failing run (or of every run with keepTrace). */
  readonly traceDir: string;
  readonly keepTrace: boolean;
  /** false: not even a failing run writes its trace (RunOptions.traceOnFailure). */
  readonly traceOnFailure?: boolean;
  /** Real-time limit the driver enforces inside the worker. */
  readonly wallLimitMs: number;
  /** Send debug lines (LAB_DEBUG) to the parent as they are printed. */
  readonly streamDebug: boolean;
  /** LabContext.plan for the run (explore's fault schedule), if any. */
  readonly plan?: string;
}

/** One run the parent asks of a worker: the first in workerData, each later one in a message. */
export interface RunRequest {
  /** A per-run secret: the parent accepts only messages that carry it. */
  readonly nonce: string;
  /** [virtual ms, events fired, test started, heap MB], written as the run goes (the watchdog reads it). */
  readonly progress: SharedArrayBuffer;
  readonly input: WorkerInput;
}

/** The whole of workerData: read once by boot.js and then made unreachable. */
export interface WorkerData {
  /** The host bundle (loaded once) and the run bundle (evaluated again for every run): bundle.ts. */
  readonly host: string;
  readonly bundle: string;
  /**
   * One Int32: the number of run requests the parent has posted. An idle worker sleeps on it
   * (Atomics.wait) and takes the request off its port itself, so no listener of the code under test
   * could see a request (and its nonce) first.
   */
  readonly control: SharedArrayBuffer;
  readonly first: RunRequest;
}

/** How a run ended, as the worker tells it. */
export interface WorkerReport {
  readonly passed: boolean;
  /** The failure: "Name: message", the full text with seed and replay (first line is the headline). */
  readonly error?: string;
  /** The failure's stack frames (the student's first), for the host to show a code frame. */
  readonly frames?: readonly string[];
  readonly virtualMs: number;
  readonly wallMs: number;
  /** CPU time of the worker thread during the run (RunResult.cpuMs). */
  readonly cpuMs: number;
  readonly traceHash: string;
  readonly traceFile?: string;
  readonly logFile?: string;
}

/** Every message a worker sends; the parent drops the run as untrusted if the nonce is wrong. */
export type WorkerMessage =
  | { readonly nonce: string; readonly kind: 'line'; readonly text: string }
  | { readonly nonce: string; readonly kind: 'report'; readonly report: WorkerReport }
  | {
      readonly nonce: string;
      readonly kind: 'exit';
      /** What was called: "process.exit(0)", "process.abort()". */
      readonly call: string;
      readonly stack: string;
    }
  | {
      readonly nonce: string;
      /**
       * Sent after the report, once the run's last callbacks have had their turn: whether the realm is as
       * the first run found it (leftovers.ts), and if not, what changed. Only a clean worker runs again.
       */
      readonly kind: 'idle';
      readonly clean: boolean;
      readonly why?: string;
    };
