/**
 * One lab test as `npm test` runs it, for both jest hosts: the lab runner (jest-runner.ts, which runs the
 * lab files outside jest's sandbox) and `registerWithJest` inside a jest file (jest.ts, for files the
 * runner does not take). `judgeLabTest` runs the test in a worker (worker/isolated.ts), with the seed
 * from LAB_SEED or a fresh one, a second time in a fresh worker under LAB_CHECK_DETERMINISM, and returns
 * the lines to print and, for a failure, the error jest shows: the failure text once, then the stack
 * frames with the student's first (jest draws the code of the first frame).
 *
 * Nothing here touches jest's globals: the replay command names the jest file it was given.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseDebugTopics } from './debug-log';
import { readLabEnv, newSeed } from './env';
import { NondeterminismError } from './errors';
import { keepLatestTrace } from './latest-trace';
import { runIsolated, type IsolatedOutcome, type WorkerPool } from './worker';
import type { ListedTest } from './worker/listing';

/** What a jest host needs of a test: its printed name and its title as written. */
export type Named = Pick<ListedTest, 'name' | 'title'>;

/** Escape a title for jest's -t (a regular expression), and quote it for a POSIX shell. */
function titlePattern(name: string): string {
  const regex = `^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;
  return `'${regex.replace(/'/g, `'\\''`)}'`;
}

/** The command that runs this test with this seed again, alone: `LAB_SEED=… npm test -- <file> -t '…'`. */
export function replayCommand(seed: number, testPath: string, name: string, env: string[] = []): string {
  const file = path.relative(process.cwd(), testPath) || testPath;
  return [...env, `LAB_SEED=${seed}`, 'npm test --', file, '-t', titlePattern(name)].join(' ');
}

/** The one failing test that stands for a module whose tests could not be listed (worker/listing.ts). */
export function unlistedTestName(moduleFile: string): string {
  return `the tests of ${path.relative(process.cwd(), moduleFile)}`;
}

/** A stack frame at the line of `moduleFile` that names the test: where a frameless failure points. */
function definitionFrame(moduleFile: string, test: Named): string[] {
  const lines = fs.readFileSync(moduleFile, 'utf8').split('\n');
  const quoted = [`'${test.title}'`, `"${test.title}"`, `\`${test.title}\``];
  const index = lines.findIndex((line) => quoted.some((q) => line.includes(q)));
  if (index < 0) return [];
  const column = lines[index].indexOf(test.title);
  return [`    at ${test.name} (${moduleFile}:${index + 1}:${column})`];
}

/**
 * The error jest shows: the failure text once, then stack frames, the student's first. A run that ended
 * without frames (hung, out of memory) points at the test's definition, which also keeps jest from
 * splitting the text after its first line.
 */
function failureOf(outcome: IsolatedOutcome, test: Named, moduleFile: string): Error {
  const message = outcome.message ?? 'failed';
  const name = /^(\w+):/.exec(message)?.[1] ?? 'Error';
  const error = new Error(message.slice(name.length + 2));
  error.name = name;
  const frames = outcome.frames.length > 0 ? outcome.frames : definitionFrame(moduleFile, test);
  error.stack = [message, ...frames].join('\n');
  return error;
}

/** Where a lab test runs from, and where its lines go. */
export interface LabRunPlace {
  /** The module that exports the test (absolute). */
  readonly moduleFile: string;
  /** The jest file that registers it: its replay command names this file. */
  readonly testPath: string;
  /** Workers shared with the other tests of the run (worker/pool.ts); undefined: a fresh one. */
  readonly pool: WorkerPool | undefined;
  /** Where the printed lines go: written as one block when the test ends (or live under LAB_DEBUG). */
  readonly write: (text: string) => void;
}

/** The test passed, or failed with the error jest shows. Its lines have been written either way. */
export type LabVerdict =
  | { readonly passed: true; readonly cpuMs: number }
  | { readonly passed: false; readonly cpuMs: number; readonly error: Error };

/**
 * Run the test once in a worker. Its printed lines go out as one block when it ends (two runs print at
 * once, and a test's title and its Passed line belong together), or line by line as they come while
 * LAB_DEBUG is on (someone is watching one test run).
 */
async function runOnce(
  test: Named,
  place: LabRunPlace,
  seed: number,
  realtime: boolean,
  extraEnv: string[],
  print: boolean,
  pool: WorkerPool | undefined,
): Promise<IsolatedOutcome> {
  const replay = replayCommand(seed, place.testPath, test.name, extraEnv);
  const live = print && parseDebugTopics(process.env.LAB_DEBUG) !== undefined;
  const outcome = await runIsolated(
    { moduleFile: place.moduleFile, testName: test.name, seed },
    {
      replay,
      realtime,
      onLine: live ? (text) => place.write(text) : undefined,
      pool,
    },
  );
  return { ...outcome, lines: live ? [] : outcome.lines }; // lines left to print
}

function block(lines: readonly string[]): string {
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

/** Run one lab test as `npm test` does (see the header), write its lines, and judge it. */
export async function judgeLabTest(test: Named, place: LabRunPlace): Promise<LabVerdict> {
  const env = readLabEnv();
  const seed = env.seed ?? newSeed();
  const realtimeEnv = env.realtime ? ['LAB_REALTIME=1'] : [];
  const first = await runOnce(test, place, seed, env.realtime, realtimeEnv, true, place.pool);
  if (!first.passed) {
    if (first.traceFile !== undefined) keepLatestTrace(first.traceFile);
    place.write(block(first.lines));
    return { passed: false, cpuMs: first.cpuMs, error: failureOf(first, test, place.moduleFile) };
  }
  if (env.checkDeterminism && !env.realtime) {
    // The second run prints nothing: its lines are the first run's, and each Passed line shows once.
    // It runs in a fresh worker, so it also checks that a reused worker changed nothing.
    const second = await runOnce(test, place, seed, false, ['LAB_CHECK_DETERMINISM=1'], false, undefined);
    if (!second.passed)
      return { passed: false, cpuMs: first.cpuMs, error: failureOf(second, test, place.moduleFile) };
    if (second.traceHash !== first.traceHash) {
      place.write(block(first.lines));
      const error = new NondeterminismError(
        `${test.name}: seed ${seed} gave two different traces (${first.traceHash.slice(0, 12)} then ` +
          `${second.traceHash.slice(0, 12)}). Something outside the seed and the virtual clock influences ` +
          `the run: real I/O, crypto randomness, a captured Math.random, or state kept between runs.\n` +
          `  replay: ${replayCommand(seed, place.testPath, test.name, ['LAB_CHECK_DETERMINISM=1'])}`,
      );
      return { passed: false, cpuMs: first.cpuMs, error };
    }
  }
  const clock = env.realtime ? 'real' : 'virtual';
  const time = `${(first.virtualMs / 1000).toFixed(1)} s ${clock} · ${(first.cpuMs / 1000).toFixed(2)} s CPU`;
  place.write(block([...first.lines, `  [seed ${seed} · ${time} · trace ${first.traceHash.slice(0, 16)}]`]));
  return { passed: true, cpuMs: first.cpuMs };
}
