/**
 * The data the stress runner passes around: what to run (a RunSpec per test and seed), what a worker
 * reports back (RunOutcome), and the per-test summary that the live display and the final table show.
 * Everything here is plain JSON, so it crosses the worker boundary and lands in `--json` unchanged.
 */

/** One lab test found by discovery: where it is defined and how jest reaches it. */
export interface FoundTest {
  /** The printed title, e.g. "Test (2A): initial election". */
  readonly name: string;
  readonly part: string;
  /** The `*.tests.ts` (or fixture) module that exports it, absolute. */
  readonly moduleFile: string;
  /** The jest file that registers it, for the replay command; none for fixtures jest does not run. */
  readonly jestFile: string | undefined;
}

/** One run to do: a test and a seed. */
export interface RunSpec {
  readonly test: FoundTest;
  readonly seed: number;
}

/** What a worker posts back to the parent when its run ends. */
export interface WorkerReport {
  readonly passed: boolean;
  /** "Name: message", the full text (first line is the headline). */
  readonly error?: string;
  readonly virtualMs: number;
  readonly wallMs: number;
  readonly traceHash: string;
  readonly traceFile?: string;
  readonly logFile?: string;
}

/** What one run came to: the worker's report, and where it stands. `hung` runs have no trace. */
export interface RunOutcome extends WorkerReport {
  readonly test: string;
  readonly part: string;
  readonly seed: number;
  readonly hung: boolean;
  /** `LAB_SEED=… npm test -- <file> -t '<title>'`, when a jest file registers the test. */
  readonly replayJest?: string;
  /** `npm run stress -- "<title>" -n 1 --seed …`. */
  readonly replayStress: string;
}

/** What the parent hands a worker. `progress` is shared: [virtual ms reached, events seen]. */
export interface WorkerInput {
  readonly testName: string;
  readonly seed: number;
  readonly replay: string;
  readonly realtime: boolean;
  readonly traceDir: string;
  readonly keepTrace: boolean;
  readonly progress: SharedArrayBuffer;
}
