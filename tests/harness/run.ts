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
import { Trace, journalLines } from './trace';
import { DebugLog, parseDebugTopics } from './debug-log';
import { FailureBox, describeError, runRealtime, runVirtual } from './driver';
import { DEFAULT_WALL_LIMIT_MS, failureText, studentFramesFirst, type FailureFraming } from './failure';
import { tripwireSightings } from './real-timers';
import { installHangProbe, type HangProbeReport } from './hang-probe';
import type { LabContext, LabTest, StudentSideFactory } from './lab-test';

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
  /**
   * false: do not write the trace of a failing run either (explore's search runs: it would only delete
   * it, and formatting a long run's trace costs as much as a good part of the run). Default true.
   */
  traceOnFailure?: boolean;
  /** Called with the virtual time reached, after every timer fires (see DriverOptions.onProgress). */
  onProgress?: (virtualMs: number) => void;
  /** Run the code under test elsewhere (the grader's child process); see LabContext.studentSide. */
  studentSide?: StudentSideFactory;
  /** false: run without the invariant monitor (LabContext.monitor; for `npm run bench` only). */
  monitor?: boolean;
  /** Handed to the test as LabContext.plan (explore's fault schedule). */
  plan?: string;
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

const realNow = performance.now.bind(performance);
const stdoutWrite = (text: string): void => void process.stdout.write(text);

export async function runLabTest(test: LabTest, options: RunOptions): Promise<RunResult> {
  const write = options.write ?? stdoutWrite;
  const failure = new FailureBox();
  const deferred: Array<() => void> = [];
  const diagnoses: Array<() => string[]> = [];
  const notes: string[] = [];
  const afterStep: Array<(hop: () => Promise<void>) => Promise<void>> = [];
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
    plan: options.plan,
    trace,
    now: () => clockNow(),
    print(line) {
      trace.record('print', { line });
      write(`${line}\n`);
    },
    fail: (error) => failure.set(error),
    defer: (fn) => void deferred.push(fn),
    diagnose: (fn) => void diagnoses.push(fn),
    afterEachStep: (fn) => void afterStep.push(fn),
    studentSide: options.studentSide,
    monitor: options.monitor ?? true,
  };
  const cleanup = (): void => {
    for (const fn of deferred.reverse()) fn();
  };
  const body = async (clock: { now(): number }): Promise<void> => {
    clockNow = clock.now;
    await test.body(ctx);
  };
  const removeProbe = installHangProbe(() => saveHungTrace(test, trace, debug, options));
  const wallStart = realNow();
  const cpuStart = threadCpuMs();
  setRandomSource(seededRandom(options.seed));
  setDebugSink((server, topic, msg, group) => debug.add(server, topic, msg, group));
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
      onSettled: () => trace.markCompleted(),
      notes,
      // One hook (the boundary) in practice; none in the KV tests, which cost nothing then.
      afterStep: (hop: () => Promise<void>) =>
        afterStep.length === 0
          ? undefined
          : afterStep.reduce<Promise<void>>((done, fn) => done.then(() => fn(hop)), Promise.resolve()),
    };
    virtualMs = (await run(body, limits, failure, cleanup)).virtualMs;
  } catch (thrown) {
    error = thrown instanceof Error ? thrown : new Error(String(thrown));
    virtualMs = clockNow();
    trace.record('error', { name: error.name, msg: error.message });
  } finally {
    removeProbe();
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
  if ((error !== undefined && options.traceOnFailure !== false) || options.keepTrace)
    saveTrace(result, test, trace, debug, options);
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

/** A hung run's trace holds about this much of the journal's end (decoding more would take too long). */
const HUNG_TRACE_BYTES = 4 * 2 ** 20;

/**
 * For a run stuck inside one event (called from the parent through the inspector, hang-probe.ts): save
 * the trace up to the last completed event and the debug log (with the lines of the event in progress).
 */
function saveHungTrace(test: LabTest, trace: Trace, debug: DebugLog, options: RunOptions): HangProbeReport {
  const completedMs = trace.completedAt;
  const rpcs = trace.rpcs.describe(completedMs);
  try {
    const base = traceBase(test, options.seed, options);
    fs.mkdirSync(path.dirname(base), { recursive: true });
    const { journal, whole } = trace.completedJournal(HUNG_TRACE_BYTES);
    const lines = journalLines(journal);
    const header = JSON.stringify({
      kind: 'meta',
      test: test.name,
      part: test.part,
      seed: options.seed,
      passed: false,
      virtualMs: completedMs,
      traceHash: trace.hash(),
      replay: options.replay,
      hung: 'the run never finished the event after the last one here',
      ...(whole ? {} : { partial: `the last ${lines.length} events only` }),
    });
    fs.writeFileSync(`${base}.jsonl`, [header, ...lines].join('\n') + '\n');
    let logFile: string | undefined;
    if (debug.size > 0) {
      logFile = `${base}.log`;
      fs.writeFileSync(logFile, debug.text());
    }
    return { traceFile: `${base}.jsonl`, logFile, completedMs, rpcs };
  } catch (error) {
    return { completedMs, rpcs, problem: describeError(error) };
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
