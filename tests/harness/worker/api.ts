/** The types of the isolated-run API (documented in index.ts). */
import type { WorkerPool } from './pool';

/** Which test to run, and with what seed. */
export interface IsolatedSpec {
  /** The module that exports the test (a `*.tests.ts` file or a fixture): absolute, or relative to root. */
  readonly moduleFile: string;
  /** The test's printed title, e.g. "Test (2A): initial election". */
  readonly testName: string;
  readonly seed: number;
}

export interface IsolatedOptions {
  /** The command that replays this run; printed in every failure message. */
  readonly replay: string;
  /**
   * The project root to bundle from: the harness, the test module's imports and the packages
   * (`<root>/node_modules`) all come from there. Default: this checkout.
   */
  readonly root?: string;
  /** Run on real timers (LAB_REALTIME). Default false. */
  readonly realtime?: boolean;
  /** Real time without a single event before the run counts as hung. Default LAB_HANG_MS or 10 s. */
  readonly hangMs?: number;
  /** Real-time limit of the run (the driver's; the parent adds a margin). Default LAB_WALL_LIMIT_MS or 150 s. */
  readonly wallLimitMs?: number;
  /** Heap cap of the worker in MB. Default 2048. */
  readonly memoryMb?: number;
  /** Folder for traces and logs (relative: to root if given, else to the cwd). Default LAB_TRACE_DIR or .lab/traces. */
  readonly traceDir?: string;
  /** Save the trace and log even when the run passes. Default false. */
  readonly keepTrace?: boolean;
  /** false: do not save them when the run fails either (explore's search runs). Default true. */
  readonly traceOnFailure?: boolean;
  /**
   * With `pool`: a worker whose run failed stays for the next run if it is left clean (WorkerLimits).
   * Give `recheck` too, so that a failure that matters is run again in a fresh worker. Default false.
   */
  readonly reuseAfterFailure?: boolean;
  /**
   * Keep the trace and check it in the parent: the run passes only if its saved trace's lines hash to the
   * hash the worker reported. Default false.
   */
  readonly verifyTrace?: boolean;
  /** Forward LAB_DEBUG lines as well as the test's printed lines. Default true. */
  readonly streamDebug?: boolean;
  /** Called with each printed line (text ending in "\n") as the run prints it. */
  readonly onLine?: (text: string) => void;
  /**
   * Run in a worker an earlier passing run of the same module left clean, if the pool has one (each run
   * still gets fresh module state; pool.ts). Default: a fresh worker, ended with the run. Ignored under
   * LAB_FRESH_WORKERS=1.
   */
  readonly pool?: WorkerPool;
  /** Handed to the test as LabContext.plan: `npm run explore`'s fault schedule. Default: none. */
  readonly plan?: string;
  /**
   * Which failures in a reused worker deserve the confirming run in a fresh one (see runIsolated).
   * Default: all of them. Explore confirms only its findings: most of its failures are liveness checks
   * its own faults outran, and a second run of each would halve its rate.
   */
  readonly recheck?: (outcome: IsolatedOutcome) => boolean;
}

/**
 * pass / fail: the worker's trusted report. The others are the parent's verdict on a worker that did not
 * report: hung (watchdog or hard wall limit), out-of-memory (heap cap), exited (process.exit/abort),
 * crashed (the worker failed outside the test, e.g. the module did not load), untrusted (a message without
 * the run's nonce, or a report whose trace does not check out).
 */
export type Verdict = 'pass' | 'fail' | 'hung' | 'out-of-memory' | 'exited' | 'crashed' | 'untrusted';

export interface IsolatedOutcome {
  readonly test: string;
  readonly seed: number;
  readonly verdict: Verdict;
  /** verdict === 'pass'. */
  readonly passed: boolean;
  /**
   * For every verdict but pass: the full failure text. First line `Name: headline`, then the diagnosis,
   * the test, its seed and the virtual time, the trace and log files, and the replay command.
   */
  readonly message?: string;
  /** Stack frames of the failure ("    at …"), the student's code (raft/, kvraft/) first; may be empty. */
  readonly frames: readonly string[];
  /** Virtual ms reached (real ms under realtime). */
  readonly virtualMs: number;
  /** Real ms, measured by the parent from worker start to the end. */
  readonly wallMs: number;
  /** CPU time the run took in its worker thread (0 when it did not report). */
  readonly cpuMs: number;
  /** The trace hash ('' when the run did not report). */
  readonly traceHash: string;
  readonly traceFile?: string;
  readonly logFile?: string;
  /** The lines the run printed, in order (the test's output, and LAB_DEBUG lines if streamed). */
  readonly lines: readonly string[];
}
