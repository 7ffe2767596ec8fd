/**
 * `runInProcess(bundle, input, limits, options)`: one run in a child process of its own (process-host.ts
 * on the child's side), for the grader. It returns the same WorkerResult as `runInWorker`, so the run is
 * judged the same way; what the process adds is that nothing the run does can end the parent:
 *
 * - a V8 out-of-memory that is fatal to its whole process (an allocation inside a native call: a huge
 *   string written to bytes) ends the child, and becomes this run's `out-of-memory`;
 * - a thread stuck in a blocking native call (`execSync('sleep 45')`), which a worker's terminate() cannot
 *   stop, is killed with its process group at the parent's wall limit;
 * - what the child writes is read with a cap (`maxOutputBytes`): a flood ends the run, not the parent;
 * - `wrap` puts the child inside an OS sandbox (scripts/grade/sandbox.ts) before it starts.
 *
 * The child's own watchdog (the worker's, pool.ts) still tells a hung run from a slow one; the parent's
 * wall limit backs it up for a child that stopped answering altogether.
 */
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { Bundle } from './bundle';
import type { ProcessMessage, ProcessRequest } from './process-host';
import type { WorkerLimits, WorkerResult } from './pool';
import type { WorkerInput } from './types';

/** What the child wrote past this many bytes (results and lines together) ends the run. */
const DEFAULT_MAX_OUTPUT_BYTES = 64 * 2 ** 20;
/** How much of the child's stderr the parent keeps (the end of it: where a fatal error is). */
const STDERR_TAIL_BYTES = 16 * 1024;
/** The parent waits this much longer than the child's own hard wall limit before it kills the child. */
const PARENT_MARGIN_MS = 15_000;

export interface ProcessOptions {
  /** The process host bundle of the same root as `bundle` (bundle.ts, buildProcessHost). */
  readonly hostFile: string;
  /**
   * The command line that starts the child, from the plain one (`[node, host]`): a sandbox's wrapper.
   * Default: the plain command.
   */
  readonly wrap?: (command: readonly string[]) => string[];
  readonly maxOutputBytes?: number;
}

/** Whether a child's stderr says V8 ran out of memory (the fatal message V8 prints before it aborts). */
export function saysOutOfMemory(stderr: string): boolean {
  return /heap out of memory|Allocation failed|Reached heap limit|Array buffer allocation failed|FATAL ERROR: .*[Oo]ut of memory/.test(
    stderr,
  );
}

const KINDS = new Set(['report', 'hung', 'wall-limit', 'out-of-memory', 'exited', 'crashed', 'untrusted']);

/**
 * The child's result, if it has the shape of one. The child is not trusted (the code under test runs in
 * it), so nothing it sends is used before this check; a report's claims are checked later (isolated.ts).
 */
function asResult(value: unknown): WorkerResult | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const r = value as Record<string, unknown>;
  if (typeof r.kind !== 'string' || !KINDS.has(r.kind)) return undefined;
  if (typeof r.virtualMs !== 'number' || typeof r.wallMs !== 'number') return undefined;
  const strings = ['error', 'stack', 'call', 'why'].every(
    (k) => r[k] === undefined || typeof r[k] === 'string',
  );
  if (!strings) return undefined;
  if (r.kind === 'report' && (typeof r.report !== 'object' || r.report === null)) return undefined;
  if (r.kind === 'exited' && (typeof r.call !== 'string' || typeof r.stack !== 'string')) return undefined;
  if (r.kind === 'crashed' && typeof r.error !== 'string') return undefined;
  if (r.kind === 'untrusted' && typeof r.why !== 'string') return undefined;
  return value as WorkerResult;
}

function appendTail(tail: string, chunk: Buffer): string {
  const text = tail + chunk.toString('utf8');
  return text.length > STDERR_TAIL_BYTES ? text.slice(-STDERR_TAIL_BYTES) : text;
}

/** Run one test in a child process; never rejects for anything the run does. */
export function runInProcess(
  bundle: Bundle,
  input: WorkerInput,
  limits: WorkerLimits,
  options: ProcessOptions,
): Promise<WorkerResult> {
  const started = performance.now();
  const maxOutput = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  const plain = [process.execPath, options.hostFile];
  const [command, ...args] = options.wrap?.(plain) ?? plain;
  const child = spawn(command, args, {
    stdio: ['pipe', 'ignore', 'pipe', 'pipe'],
    detached: true, // its own process group: the whole tree is killed at the end
  });
  const request: ProcessRequest = {
    bundle,
    input,
    limits: { hangMs: limits.hangMs, hardWallMs: limits.hardWallMs, memoryMb: limits.memoryMb },
  };
  child.stdin?.on('error', () => undefined); // a child that died before reading it: its exit says why
  child.stdin?.end(JSON.stringify(request));

  return new Promise((resolve) => {
    let stderr = '';
    let received = 0;
    let pending = '';
    /** How the run ended, once the parent knows: its result, or why it was stopped. */
    let ending: WorkerResult | undefined;
    const where = (): { virtualMs: number; wallMs: number } => ({
      virtualMs: 0,
      wallMs: performance.now() - started,
    });
    const killTree = (): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    /** End the run now with `why`, whatever the child is doing. */
    const stop = (why: WorkerResult): void => {
      ending ??= why;
      killTree();
    };
    const wall = setTimeout(
      () => stop({ kind: 'wall-limit', ...where() }),
      limits.hardWallMs + PARENT_MARGIN_MS,
    );

    child.stderr?.on('data', (chunk: Buffer) => (stderr = appendTail(stderr, chunk)));
    const results = child.stdio[3] as Readable;
    results.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxOutput) {
        stop({
          kind: 'crashed',
          error:
            `OutputFlood: the run wrote more than ${maxOutput / 2 ** 20} MB of output and was stopped ` +
            '(a debug line in a loop that never ends?)',
          ...where(),
        });
        return;
      }
      pending += chunk.toString('utf8');
      for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        let message: ProcessMessage;
        try {
          message = JSON.parse(line) as ProcessMessage;
        } catch {
          stop({ kind: 'untrusted', why: 'the run process wrote a line that is not a message', ...where() });
          return;
        }
        if (message.kind === 'line' && typeof message.text === 'string') limits.onLine?.(message.text);
        else if (message.kind === 'result') {
          // Done: end the process now rather than wait for it to exit (a thread stuck in a native call
          // can hold up a process's exit for as long as the call lasts). A second result changes nothing.
          const result = asResult(message.result);
          stop(result ?? { kind: 'untrusted', why: 'the run process sent a malformed result', ...where() });
        }
      }
    });
    results.on('error', () => undefined);

    child.on('error', (error) =>
      stop({ kind: 'crashed', error: `ProcessError: ${error.message}`, ...where() }),
    );
    child.on('close', (code, signal) => {
      clearTimeout(wall);
      killTree(); // anything the run left running in its group
      if (ending !== undefined) return resolve(ending);
      if (saysOutOfMemory(stderr)) {
        return resolve({ kind: 'out-of-memory', memoryMb: limits.memoryMb, ...where() });
      }
      const how = signal === null ? `exit code ${code}` : `signal ${signal}`;
      const last = stderr.trim().split('\n').slice(-3).join(' | ');
      resolve({
        kind: 'crashed',
        error: `ProcessExit: the run's process ended (${how}) before it reported a result${last ? `: ${last}` : ''}`,
        ...where(),
      });
    });
  });
}
