/**
 * Run one lab test once: `runLabTest(test, { seed, replay })` → RunResult. Used by jest (jest.ts), the
 * stress runner and the grader alike; it needs no test framework.
 *
 * A run: seed Math.random, start a trace, route debug lines and codec warnings into it, run the body in
 * virtual time (or real time with `realtime`), run the test's deferred cleanup, restore everything. A
 * failed run writes its trace (.jsonl) and debug log (.log) under `.lab/traces/` and its error message
 * carries the test, the seed, the virtual time, those paths and the replay command.
 */
import fs from 'node:fs';
import path from 'node:path';
import { resetCodecWarnings, setCodecWarningSink, setDebugSink } from '../../labrpc';
import { threadCpuMs } from './cpu-time';
import { setRandomSource } from './random-setup';
import { seededRandom } from './seeded-random';
import { Trace } from './trace';
import { DebugLog, parseDebugTopics } from './debug-log';
import { FailureBox, describeError, formatVirtual, runRealtime, runVirtual } from './driver';
import { tripwireSightings } from './real-timers';
import type { LabContext, LabTest } from './lab-test';

export interface RunOptions {
  seed: number;
  /** The command that replays this run, printed on failure. */
  replay: string;
  realtime?: boolean;
  /** Real-time limit for one run; stays below jest's testTimeout. */
  wallLimitMs?: number;
  /** Where test output lines go (default: straight to stdout). */
  write?: (text: string) => void;
  /** Where LAB_DEBUG lines go (default: where `write` sends output lines). */
  writeDebug?: (text: string) => void;
  /** Folder for failure traces (default: .lab/traces, or LAB_TRACE_DIR). */
  traceDir?: string;
  /** Write the trace file even when the run passes. */
  keepTrace?: boolean;
  /** Called with the virtual time reached, after every timer fires (see DriverOptions.onProgress). */
  onProgress?: (virtualMs: number) => void;
}

export interface RunResult {
  test: string;
  seed: number;
  passed: boolean;
  /** The failure, with the seed, trace path and replay command in its message. */
  error?: Error;
  virtualMs: number;
  wallMs: number;
  /** CPU time of the run (this thread's, see cpu-time.ts): the cost of the code under test, in ms. */
  cpuMs: number;
  traceHash: string;
  traceFile?: string;
  logFile?: string;
}

export const DEFAULT_WALL_LIMIT_MS = 150_000;

const realNow = performance.now.bind(performance);
const stdoutWrite = (text: string): void => void process.stdout.write(text);

export async function runLabTest(test: LabTest, options: RunOptions): Promise<RunResult> {
  const write = options.write ?? stdoutWrite;
  const failure = new FailureBox();
  const deferred: Array<() => void> = [];
  const diagnoses: Array<() => string[]> = [];
  const notes: string[] = [];
  let clockNow = (): number => 0;
  const trace = new Trace(() => clockNow());
  const debug = new DebugLog(
    trace,
    () => clockNow(),
    parseDebugTopics(process.env.LAB_DEBUG),
    options.writeDebug ?? write,
  );
  const ctx: LabContext = {
    seed: options.seed,
    tracePath: `${traceBase(test, options.seed, options)}.jsonl`,
    trace,
    now: () => clockNow(),
    print(line) {
      trace.record('print', { line });
      write(`${line}\n`);
    },
    fail: (error) => failure.set(error),
    defer: (fn) => void deferred.push(fn),
    diagnose: (fn) => void diagnoses.push(fn),
  };
  const cleanup = (): void => {
    for (const fn of deferred.reverse()) fn();
  };
  const body = async (clock: { now(): number }): Promise<void> => {
    clockNow = clock.now;
    await test.body(ctx);
  };
  const wallStart = realNow();
  const cpuStart = threadCpuMs();
  setRandomSource(seededRandom(options.seed));
  setDebugSink((server, topic, msg) => debug.add(server, topic, msg));
  resetCodecWarnings();
  setCodecWarningSink((msg) => {
    trace.record('codec', { msg });
    process.stderr.write(`${msg}\n`);
  });
  let virtualMs = 0;
  let error: Error | undefined;
  try {
    const run = options.realtime ? runRealtime : runVirtual;
    const limits = {
      virtualLimitMs: test.virtualLimitMs,
      wallLimitMs: options.wallLimitMs ?? wallLimit(),
      onProgress: options.onProgress,
      notes,
    };
    virtualMs = (await run(body, limits, failure, cleanup)).virtualMs;
  } catch (thrown) {
    error = thrown instanceof Error ? thrown : new Error(String(thrown));
    virtualMs = clockNow();
    trace.record('error', { name: error.name, msg: error.message });
  } finally {
    setRandomSource();
    setDebugSink();
    setCodecWarningSink((msg) => process.stderr.write(`${msg}\n`));
  }
  const result: RunResult = {
    test: test.name,
    seed: options.seed,
    passed: error === undefined,
    virtualMs,
    wallMs: realNow() - wallStart,
    cpuMs: threadCpuMs() - cpuStart,
    traceHash: trace.hash(),
  };
  if (error !== undefined || options.keepTrace) saveTrace(result, test, trace, debug, options);
  if (error !== undefined) {
    const why = diagnosis(error.message, diagnoses, notes);
    result.error = explain(error, result, {
      replay: options.replay,
      realtime: options.realtime,
      diagnosis: why,
    });
  }
  return result;
}

function wallLimit(): number {
  const text = process.env.LAB_WALL_LIMIT_MS;
  return text === undefined ? DEFAULT_WALL_LIMIT_MS : Number(text);
}

function slug(text: string): string {
  return text.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

/** The trace's path without `.jsonl`: `.lab/traces/<part>-<title>-seed<n>` (or under traceDir). */
function traceBase(test: LabTest, seed: number, options: RunOptions): string {
  const dir = options.traceDir ?? process.env.LAB_TRACE_DIR ?? path.join('.lab', 'traces');
  return path.join(dir, `${slug(test.part)}-${slug(test.title)}-seed${seed}`);
}

function saveTrace(
  result: RunResult,
  test: LabTest,
  trace: Trace,
  debug: DebugLog,
  options: RunOptions,
): void {
  const base = traceBase(test, result.seed, options);
  fs.mkdirSync(path.dirname(base), { recursive: true });
  const header = JSON.stringify({
    kind: 'meta',
    test: test.name,
    part: test.part,
    seed: result.seed,
    passed: result.passed,
    virtualMs: result.virtualMs,
    traceHash: result.traceHash,
    replay: options.replay,
  });
  fs.writeFileSync(`${base}.jsonl`, [header, ...trace.lines].join('\n') + '\n');
  if (options.keepTrace) fs.writeFileSync(`${base}.journal`, trace.journal()); // for checkSavedTrace
  result.traceFile = `${base}.jsonl`;
  if (debug.size > 0) {
    fs.writeFileSync(`${base}.log`, debug.text());
    result.logFile = `${base}.log`;
  }
}

/** The test's own diagnosis lines, then what the harness saw (real timers, pending timers). */
function diagnosis(
  headline: string,
  diagnoses: ReadonlyArray<() => string[]>,
  notes: readonly string[],
): string[] {
  const lines: string[] = [];
  for (const fn of diagnoses) {
    try {
      lines.push(...fn());
    } catch (thrown) {
      lines.push(`(a diagnosis failed: ${describeError(thrown)})`);
    }
  }
  for (const seen of tripwireSightings()) if (!headline.includes(seen)) lines.push(seen);
  lines.push(...notes);
  return lines;
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

/** Is this stack frame in the student's code (raft/, kvraft/), rather than the framework or the tests? */
function isStudentFrame(frame: string): boolean {
  return /[/\\](raft|kvraft)[/\\]/.test(frame) && !/[/\\](tests|node_modules)[/\\]/.test(frame);
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

/** The failure as the user should read it: what, when, why, and how to see it again. */
function explain(error: Error, result: RunResult, framing: FailureFraming): Error {
  const text = failureText(describeError(error), result, framing);
  const explained = new Error(text);
  explained.name = error.name;
  // Show where it went wrong: the stack of the innermost cause, the student's frames first.
  let root: Error = error;
  while (root.cause instanceof Error) root = root.cause;
  explained.stack = [text, ...studentFramesFirst(root.stack ?? '')].join('\n');
  return explained;
}
