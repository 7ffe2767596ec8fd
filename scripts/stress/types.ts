/**
 * The data the stress runner passes around: what to run (a RunSpec per test and seed) and what each run
 * came to (RunOutcome). Everything here is plain JSON, so it lands in `--json` unchanged.
 */
import type { Verdict } from '../../tests/harness/worker';

/** One lab test found by discovery: where it is defined and how jest reaches it. */
export interface FoundTest {
  /** The printed title, e.g. "Test (2A): initial election". */
  readonly name: string;
  readonly part: string;
  /** The `*.tests.ts` (or fixture) module that exports it, absolute. */
  readonly moduleFile: string;
  /**
   * The jest file that registers it (or the path shared by the files that register its module's tests),
   * for the replay command; none for fixtures jest does not run.
   */
  readonly jestFile: string | undefined;
}

/** One run to do: a test and a seed. */
export interface RunSpec {
  readonly test: FoundTest;
  readonly seed: number;
}

/** What one run came to, as the stress runner reports it. `hung` runs have no trace. */
export interface RunOutcome {
  readonly test: string;
  readonly part: string;
  readonly seed: number;
  readonly passed: boolean;
  /** The isolated run's verdict: pass, fail, hung, out-of-memory, exited, crashed, untrusted. */
  readonly verdict: Verdict;
  readonly hung: boolean;
  /** "Name: message", the full text (first line is the headline). */
  readonly error?: string;
  readonly virtualMs: number;
  readonly wallMs: number;
  /** CPU time of the run in its worker (its thread's): what the code under test cost to simulate. */
  readonly cpuMs: number;
  readonly traceHash: string;
  readonly traceFile?: string;
  readonly logFile?: string;
  /** `LAB_SEED=… npm test -- <file> -t '<title>'`, when a jest file registers the test. */
  readonly replayJest?: string;
  /** `npm run stress -- "<title>" -n 1 --seed …`. */
  readonly replayStress: string;
}
