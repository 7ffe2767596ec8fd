/**
 * `runIsolated(spec, options)`: one lab test, one seed, in a worker thread, judged by the parent.
 * See index.ts for the contract; this module turns a WorkerResult into an IsolatedOutcome whose message
 * reads like every other failure (headline, diagnosis, test, seed and time, trace, replay).
 */
import fs from 'node:fs';
import path from 'node:path';
// Only the light modules of the harness: this runs in jest's process too, where the simulation (the
// codec, the driver, the trace) is never needed.
import { DEFAULT_WALL_LIMIT_MS, failureText, formatVirtual, studentFramesFirst } from '../failure';
import { bundleFor, FRAMEWORK_ROOT, type Bundle } from './bundle';
import { runInWorker, type WorkerLimits, type WorkerPool, type WorkerResult } from './pool';
import { mapBundleFrames } from './source-map';
import { hangDetails, type HangDetails } from './hang-report';
import type { IsolatedOptions, IsolatedOutcome, IsolatedSpec, Verdict } from './api';
import type { WorkerInput } from './types';

export const DEFAULT_HANG_MS = 10_000;
export const DEFAULT_MEMORY_MB = 2048;
/** The parent's own wall limit is the driver's plus this margin (the driver normally fails first). */
const HARD_WALL_MARGIN_MS = 30_000;

/** The message for a run the watchdog killed; `details` from looking inside it first (hang-report.ts). */
export function hungMessage(
  virtualMs: number,
  hangMs: number,
  details?: HangDetails,
  eventsMoving = false,
): string {
  const stalled = `HungRun: no progress for ${(hangMs / 1000).toFixed(1)} s of real time`;
  if (eventsMoving) {
    return (
      `${stalled}: virtual time stood still at ${formatVirtual(virtualMs)} while events kept firing (each ` +
      `taking seconds, or an endless chain of them at one instant)${details?.where ?? ''}. The worker was ` +
      `terminated${saved(details)}.`
    );
  }
  if (details !== undefined && details.where !== '') {
    return (
      `${stalled}: stuck inside one event at virtual time ${formatVirtual(virtualMs)}${details.where}. ` +
      `The worker was terminated${saved(details)}.`
    );
  }
  return (
    `${stalled}: hung at or after virtual time ${formatVirtual(virtualMs)}, inside one event (a loop that ` +
    'never awaits, e.g. `while (true) {}` or `while (!done) await null`?). The worker was terminated' +
    `${saved(details)}.`
  );
}

/** "used more than its 2048 MB heap", or "reached 1800 MB of its 2048 MB heap" when stopped before. */
function heapUse(memoryMb: number, heapMb: number | undefined): string {
  return heapMb === undefined
    ? `used more than its ${memoryMb} MB heap`
    : `reached ${Math.round(heapMb)} MB of its ${memoryMb} MB heap`;
}

/** How the headline ends: where the trace went, or that there is none. */
function saved(details: HangDetails | undefined): string {
  return details?.traceFile === undefined
    ? '; no trace was saved'
    : ', after saving its trace up to the last completed event';
}

/** The first frame of a stack in the student's code, or else the first frame outside the harness. */
function siteOf(stack: string): string {
  return studentFramesFirst(stack)[0]?.trim() ?? 'at <unknown>';
}

/** Headline and verdict of a run that ended without a trusted report. */
function unreported(
  result: Exclude<WorkerResult, { kind: 'report' }>,
  hangMs: number,
  details: HangDetails | undefined,
): [Verdict, string] {
  switch (result.kind) {
    case 'hung':
      if (result.loading) {
        return [
          'hung',
          `HungRun: the test module was still loading after ${(result.stalledMs / 1000).toFixed(1)} s of real ` +
            'time (a loop at the top level of a module?); the worker was terminated.',
        ];
      }
      return ['hung', hungMessage(result.virtualMs, hangMs, details, result.eventsMoving)];
    case 'wall-limit':
      return [
        'hung',
        `HungRun: the run went on past its real-time limit (${(result.wallMs / 1000).toFixed(1)} s) and was ` +
          `terminated at virtual time ${formatVirtual(result.virtualMs)}${details?.where ?? ''}${saved(details)}.`,
      ];
    case 'out-of-memory':
      return [
        'out-of-memory',
        `OutOfMemory: the run ${heapUse(result.memoryMb, result.heapMb)} and was stopped (something grows ` +
          'without bound: a log never trimmed, an array appended to on every heartbeat?)' +
          `${details?.where ?? ''}${saved(details)}.`,
      ];
    case 'exited':
      return [
        'exited',
        `ProcessExit: ${result.call} was called during the run, ${siteOf(result.stack)}. Lab code must not ` +
          'end the process: return, or throw an error that says what went wrong.',
      ];
    case 'untrusted':
      return ['untrusted', `UntrustedResult: ${result.why}; the run counts as failed.`];
    case 'crashed':
      return ['crashed', `${result.error} (outside the test: the worker could not run it)`];
  }
}

/** The hash of a saved trace, recomputed from its journal (trace.ts), and the hash its header records. */
function hashOfTraceFile(file: string): { recorded: string; actual: string } {
  const [header] = fs.readFileSync(file, 'utf8').split('\n', 1);
  const recorded = (JSON.parse(header) as { traceHash?: string }).traceHash ?? '';
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when a trace is verified
  const { checkSavedTrace } = require('../trace') as typeof import('../trace');
  const check = checkSavedTrace(file);
  return { recorded, actual: 'hash' in check ? check.hash : check.problem };
}

/** A report's claims that the parent can check: its trace file, when it saved one. */
function distrust(result: Extract<WorkerResult, { kind: 'report' }>, verify: boolean): string | undefined {
  const { report } = result;
  if (typeof report.passed !== 'boolean' || typeof report.traceHash !== 'string') return 'a malformed report';
  if (!verify) return undefined;
  if (report.traceFile === undefined) return 'a report without the trace it was asked to keep';
  const { recorded, actual } = hashOfTraceFile(report.traceFile);
  if (recorded !== report.traceHash || actual !== report.traceHash) {
    return `a trace whose hash does not match its lines (${report.traceFile})`;
  }
  return undefined;
}

/** Where traces go: relative paths are taken from the root when one is given, else from the cwd (as printed). */
function traceDirOf(options: IsolatedOptions): string {
  const dir = options.traceDir ?? process.env.LAB_TRACE_DIR ?? path.join('.lab', 'traces');
  return options.root === undefined ? dir : path.resolve(options.root, dir);
}

/** The worker's texts with bundle positions mapped back to the sources (see source-map.ts). */
function sourceMapped(result: WorkerResult, bundle: Bundle): WorkerResult {
  const map = (text: string): string => mapBundleFrames(mapBundleFrames(text, bundle.run), bundle.host);
  switch (result.kind) {
    case 'report': {
      const { error, frames } = result.report;
      const report = { ...result.report, error: error && map(error), frames: frames?.map(map) };
      return { ...result, report };
    }
    case 'exited':
      return { ...result, stack: map(result.stack) };
    case 'hung':
    case 'wall-limit':
    case 'out-of-memory': {
      const { inspection } = result;
      if (inspection === undefined) return result;
      const samples = inspection.samples.map((sample) => sample.map(map));
      return { ...result, inspection: { ...inspection, samples } };
    }
    case 'crashed':
      return { ...result, error: map(result.error), stack: result.stack && map(result.stack) };
    default:
      return result;
  }
}

/** Verdicts worth a second run in a fresh worker when a reused one gave them (see runIsolated). */
const RECHECKED: ReadonlySet<Verdict> = new Set(['fail', 'crashed', 'exited', 'untrusted']);

/**
 * Run `spec` once (see index.ts): in a fresh worker, or with `options.pool` in a worker an earlier run of
 * the same bundle left clean. A run that fails in a reused worker is run again in a fresh one, which is
 * what its printed replay does, and that run's verdict stands: a verdict never depends on which tests ran
 * before it. (Not for a hang or a heap past its cap: a second run would cost another watchdog period or
 * another climb to the cap, and neither comes from module state, which every run gets fresh.) Never
 * rejects for a bad run; only for a bad spec.
 */
export async function runIsolated(spec: IsolatedSpec, options: IsolatedOptions): Promise<IsolatedOutcome> {
  const root = path.resolve(options.root ?? FRAMEWORK_ROOT);
  const moduleFile = path.resolve(root, spec.moduleFile);
  const bundle = await bundleFor(moduleFile, root);
  const pool = process.env.LAB_FRESH_WORKERS === '1' ? undefined : options.pool;
  spec = { ...spec, moduleFile };
  const first = await runOnce(spec, options, bundle, pool, options.onLine);
  if (first.passed || !first.reused || !RECHECKED.has(first.verdict)) return first.outcome;
  if (options.recheck !== undefined && !options.recheck(first.outcome)) return first.outcome;
  const fresh = await runOnce(spec, options, bundle, undefined, undefined);
  if (fresh.verdict === first.verdict && fresh.outcome.traceHash === first.outcome.traceHash) {
    return first.outcome; // the same run: keep the lines already streamed
  }
  const note =
    `(This test ${first.verdict === 'fail' ? 'failed' : `ended as ${first.verdict}`} in a worker that had run ` +
    `other tests of this file, and ${fresh.passed ? 'passed' : `ended as ${fresh.verdict}`} alone in a fresh ` +
    'one; the fresh run stands. State outlived a run where the harness did not look: please report it, ' +
    'and set LAB_FRESH_WORKERS=1 meanwhile.)';
  return { ...fresh.outcome, lines: [...fresh.outcome.lines, note] };
}

interface Attempt {
  readonly outcome: IsolatedOutcome;
  readonly verdict: Verdict;
  readonly passed: boolean;
  readonly reused: boolean;
}

async function runOnce(
  spec: IsolatedSpec,
  options: IsolatedOptions,
  bundle: Bundle,
  pool: WorkerPool | undefined,
  onLine: ((text: string) => void) | undefined,
): Promise<Attempt> {
  const hangMs = options.hangMs ?? (Number(process.env.LAB_HANG_MS) || DEFAULT_HANG_MS);
  const wallLimitMs = options.wallLimitMs ?? Number(process.env.LAB_WALL_LIMIT_MS ?? DEFAULT_WALL_LIMIT_MS);
  const verify = options.verifyTrace ?? false;
  const lines: string[] = [];
  const input: WorkerInput = {
    moduleFile: spec.moduleFile,
    testName: spec.testName,
    seed: spec.seed,
    replay: options.replay,
    realtime: options.realtime ?? false,
    traceDir: traceDirOf(options),
    keepTrace: (options.keepTrace ?? false) || verify,
    traceOnFailure: options.traceOnFailure,
    wallLimitMs,
    streamDebug: options.streamDebug ?? true,
    plan: options.plan,
  };
  const limits: WorkerLimits = {
    hangMs,
    hardWallMs: wallLimitMs + HARD_WALL_MARGIN_MS,
    memoryMb: options.memoryMb ?? DEFAULT_MEMORY_MB,
    reuseAfterFailure: options.reuseAfterFailure,
    onLine(text) {
      lines.push(text.replace(/\n$/, ''));
      onLine?.(text);
    },
  };
  let raw: WorkerResult & { reused: boolean };
  if (pool === undefined) {
    raw = { ...(await runInWorker(bundle, input, limits)), reused: false };
  } else {
    raw = await pool.run(bundle, input, limits);
  }
  const outcome = judge(spec, options, sourceMapped(raw, bundle), lines, hangMs, verify);
  return { outcome, verdict: outcome.verdict, passed: outcome.passed, reused: raw.reused };
}

/** The outcome of one worker result. */
function judge(
  spec: IsolatedSpec,
  options: IsolatedOptions,
  result: WorkerResult,
  lines: string[],
  hangMs: number,
  verify: boolean,
): IsolatedOutcome {
  const base = { test: spec.testName, seed: spec.seed, virtualMs: result.virtualMs, cpuMs: 0, lines };
  if (result.kind === 'report') {
    const why = distrust(result, verify);
    const { report } = result;
    if (why === undefined) {
      return {
        ...base,
        verdict: report.passed ? 'pass' : 'fail',
        passed: report.passed,
        message: report.error,
        frames: studentFramesFirst((report.frames ?? []).join('\n')),
        virtualMs: report.virtualMs,
        wallMs: result.wallMs,
        cpuMs: report.cpuMs,
        traceHash: report.traceHash,
        traceFile: report.traceFile,
        logFile: report.logFile,
      };
    }
    const headline = `UntrustedResult: the worker sent ${why}; the run counts as failed.`;
    const message = failureText(headline, base, { replay: options.replay, realtime: options.realtime });
    return {
      ...base,
      verdict: 'untrusted',
      passed: false,
      message,
      frames: [],
      wallMs: result.wallMs,
      traceHash: '',
    };
  }
  const inspected = 'inspection' in result ? result.inspection : undefined;
  const details = inspected === undefined ? undefined : hangDetails(inspected);
  const [verdict, headline] = unreported(result, hangMs, details);
  const ended = verdict === 'hung' ? 'hung' : 'stopped';
  const stack = result.kind === 'exited' || result.kind === 'crashed' ? result.stack : undefined;
  const frames = stack === undefined ? [] : studentFramesFirst(stack);
  const facts = { ...base, traceFile: details?.traceFile, logFile: details?.logFile };
  const message = failureText(headline, facts, {
    replay: options.replay,
    realtime: options.realtime,
    ended,
    diagnosis: details?.diagnosis,
  });
  return { ...facts, verdict, passed: false, message, frames, wallMs: result.wallMs, traceHash: '' };
}
