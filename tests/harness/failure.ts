/**
 * How a failed run is told: the failure text (headline, diagnosis, test, seed, time, trace, replay) and
 * the order of its stack frames. Shared by the worker that ran the test (run.ts) and the hosts that
 * judge runs from outside (worker/isolated.ts, in jest's process too), so it imports nothing heavy:
 * the hosts load it without the simulation.
 */

export const DEFAULT_WALL_LIMIT_MS = 150_000;

export function formatVirtual(ms: number): string {
  return `${(ms / 1000).toFixed(3)} s`;
}

/** What a failure report says besides its headline. */
export interface FailureFacts {
  readonly test: string;
  readonly seed: number;
  readonly virtualMs: number;
  readonly traceFile?: string;
  readonly logFile?: string;
}

export interface FailureFraming {
  readonly replay: string;
  readonly realtime?: boolean;
  /** Lines printed under the headline (LabContext.diagnose, and what the harness saw). */
  readonly diagnosis?: readonly string[];
  /** How the run ended, in the seed line ("failed", "hung"); default "failed". */
  readonly ended?: string;
}

/**
 * The text of a failure as the user should read it: the headline, the diagnosis, then the test, its seed
 * and when it failed, the saved trace and log, and the replay command. Used for every kind of failed run,
 * in the worker (a check failed) and in the parent (the worker hung, ran out of memory, exited).
 */
export function failureText(headline: string, facts: FailureFacts, framing: FailureFraming): string {
  const when = framing.realtime
    ? `after ${formatVirtual(facts.virtualMs)} real`
    : `at virtual time ${formatVirtual(facts.virtualMs)}`;
  const lines = [headline];
  if (framing.diagnosis !== undefined && framing.diagnosis.length > 0) {
    lines.push('  diagnosis:', ...framing.diagnosis.map((line) => `    ${line}`));
  }
  lines.push(`  test:   ${facts.test}`, `  seed:   ${facts.seed} (${framing.ended ?? 'failed'} ${when})`);
  if (facts.traceFile !== undefined) lines.push(`  trace:  ${facts.traceFile}`);
  if (facts.logFile !== undefined) lines.push(`  log:    ${facts.logFile}`);
  lines.push(`  replay: ${framing.replay}`);
  return lines.join('\n');
}

/** Is this stack frame in the student's code (raft/, kvraft/, shardctrler/, shardkv/), rather than the framework or the tests? */
export function isStudentFrame(frame: string): boolean {
  return (
    /[/\\](raft|kvraft|shardctrler|shardkv)[/\\]/.test(frame) && !/[/\\](tests|node_modules)[/\\]/.test(frame)
  );
}

/** A frame of the harness's own machinery (driver, run, real timers, the worker's boot), or of node. */
function isHarnessFrame(frame: string): boolean {
  return (
    /[/\\]tests[/\\]harness[/\\](worker[/\\])?[\w.-]+\.[jt]s\b/.test(frame) || /\(node:|at node:/.test(frame)
  );
}

/** A frame in a test's own definition (`2B.tests.ts`): the line of the test that failed. */
function isTestDefinitionFrame(frame: string): boolean {
  return /\.tests\.ts:\d+/.test(frame);
}

/**
 * The frames of a stack as a report should show them: the student's first (a report shows the first
 * frame's code), then the test's own line (the check that failed, in `2B.tests.ts`, rather than the
 * helper it called, `checks.ts`, which is the same for every test), then the other test code, then the
 * harness's own (which say little, so last).
 */
export function studentFramesFirst(stack: string): string[] {
  const frames = stack.split('\n').filter((line) => /^\s+at /.test(line));
  const student = frames.filter(isStudentFrame);
  const harness = frames.filter((frame) => !isStudentFrame(frame) && isHarnessFrame(frame));
  const rest = frames.filter((frame) => !isStudentFrame(frame) && !isHarnessFrame(frame));
  const definition = rest.filter(isTestDefinitionFrame);
  return [...student, ...definition, ...rest.filter((frame) => !isTestDefinitionFrame(frame)), ...harness];
}
