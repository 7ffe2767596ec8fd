/**
 * Runner-agnostic lab tests. A test is defined once, as data:
 *
 *   export const initialElection = defineLabTest({
 *     part: '2A', title: 'initial election',
 *     async body(ctx) { const cfg = await makeConfig(ctx, 3, false, false); … },
 *   });
 *
 * Jest runs the tests a module exports (`registerWithJest(require.resolve('./2A.tests'))` in a
 * `*.test.ts` file), and so can the stress runner and the grader, each run in a worker thread, with
 * `runLabTest(test, options)`. The body receives a LabContext:
 * the run's seed, its trace, a way to print the test's output lines, to fail at once, and to register
 * cleanup that runs when the body ends, whatever way it ends.
 */
import type { Trace } from './trace';
import type { StudentTransport } from './boundary/boundary';

export type Part =
  '2A' | '2B' | '2C' | '2D' | '2E' | '3A' | '3B' | '3C' | '4A' | '4B' | 'labrpc' | 'codec' | 'harness';

export interface LabContext {
  /** The seed of this run; Math.random is seeded from it. */
  readonly seed: number;
  /** The run's event trace (RPCs, faults, debug lines), hashed as it grows. */
  readonly trace: Trace;
  /** Virtual milliseconds since the run started. */
  now(): number;
  /** Print one output line (e.g. "Test (2A): initial election ..."); kept in order with the trace. */
  print(line: string): void;
  /**
   * Fail the run now, from anywhere (an applier, a timer callback): the driver stops at its next step
   * and reports `error` with the virtual time. Use for checks that must abort the test at once.
   */
  fail(error: Error): void;
  /** Run `fn` when the body ends (pass or fail), in reverse order of registration. */
  defer(fn: () => void): void;
  /**
   * Say why, if the run fails: `fn` is called once, after the failure, and its lines are printed under
   * the failure message (each server's role and term, RPCs in flight, …). Call it as often as you like;
   * the lines come in registration order. A throw inside `fn` is caught and shown as one line.
   */
  diagnose(fn: () => string[]): void;
  /**
   * Where this run's trace will be saved if it fails (`.lab/traces/<part>-<title>-seed<n>.jsonl`), so a
   * test can leave a file beside it (the kv tests write `<name>.history.html`, which the timeline links
   * to). Absent when the host saves no traces.
   */
  readonly tracePath?: string;
  /**
   * What the host asked this run to do beyond the test's script, as text the harness does not read:
   * `npm run explore`'s fault schedule (tests/explore/plan.ts). Absent in every ordinary run.
   */
  readonly plan?: string;
  /**
   * Run `fn` after every step of the virtual clock, once what the step set off has run: the boundary to
   * the code under test (tests/harness/boundary) exchanges its batches there. `hop` lets the tester's own
   * continuations run.
   */
  afterEachStep(fn: (hop: () => Promise<void>) => Promise<void>): void;
  /**
   * Where the code under test runs, when not in this thread: the grader passes a factory that starts a
   * sandboxed child process (boundary/child.ts). Absent: in this thread (`npm test`).
   */
  readonly studentSide?: StudentSideFactory;
}

/** Starts the student side of the boundary with the student's random seed; `fail` fails the run. */
export type StudentSideFactory = (seed: number, fail: (error: Error) => void) => StudentTransport;

export interface LabTest {
  /** The printed and jest title, e.g. "Test (2B): basic agreement". */
  readonly name: string;
  readonly part: Part;
  readonly title: string;
  /** The virtual-time limit of one run, in ms. */
  readonly virtualLimitMs: number;
  readonly body: (ctx: LabContext) => Promise<void>;
}

export interface LabTestSpec {
  part: Part;
  title: string;
  /** The virtual-time limit of one run; 120 s as in 6.824 unless a test needs otherwise. */
  virtualLimitMs?: number;
  body: (ctx: LabContext) => Promise<void>;
}

export const DEFAULT_VIRTUAL_LIMIT_MS = 120_000;

export function defineLabTest(spec: LabTestSpec): LabTest {
  return {
    name: `Test (${spec.part}): ${spec.title}`,
    part: spec.part,
    title: spec.title,
    virtualLimitMs: spec.virtualLimitMs ?? DEFAULT_VIRTUAL_LIMIT_MS,
    body: spec.body,
  };
}
