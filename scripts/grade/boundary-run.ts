/**
 * One graded Raft run behind the boundary (tests/harness/boundary): the tester — the grader's own test,
 * network, clock, checks and verdict — runs in a process built from the grader's checkout, and only the
 * submission's code runs in a child of its own inside the sandbox, exchanging the lab's API as messages.
 * Nothing the submission does can reach the verdict: it is computed in a process the submission's code
 * never runs in. The trace is written by the tester, straight into the out folder.
 *
 * The run is the same run as `npm test`'s for the same seed (the same steps in the same order), so the
 * trace hash the grader reports is the one the student sees when they replay it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { FRAMEWORK_ROOT, buildBoundaryTester } from '../../tests/harness/worker/bundle';
import { DEFAULT_WALL_LIMIT_MS } from '../../tests/harness';
import type { TesterResult } from '../../tests/harness/boundary/tester-main';
import { mapBundleFrames } from '../../tests/harness/worker/source-map';
import type { RunVerdict, VerdictKind } from './execute';
import type { Sandbox } from './sandbox';
import { allowedCpuList, canPin, parseCpuList } from '../../tests/harness/boundary/affinity';

/**
 * One tester process, for one run at a time and then the next (its startup, ~0.2 s, is paid once per
 * lane, not per run). A run that does not answer in time, or a process that ended, is never used again.
 */
class TesterProcess {
  readonly #process: ChildProcess;
  #lines = '';
  #stderr = '';
  #waiting: ((answer: { result: TesterResult } | { failed: string }) => void) | undefined;
  #dead = false;

  /** The core this lane's runs pin their two main threads to (affinity.ts), if any. */
  readonly cpu: number | undefined;

  constructor(bundle: string, cpu: number | undefined) {
    this.cpu = cpu;
    this.#process = spawn(process.execPath, [bundle], { stdio: ['pipe', 'ignore', 'pipe', 'pipe'] });
    (this.#process.stdio[3] as NodeJS.ReadableStream).on('data', (chunk: Buffer) => this.#receive(chunk));
    this.#process.stderr?.on('data', (chunk: Buffer) => {
      this.#stderr = (this.#stderr + chunk.toString('utf8')).slice(-8192);
    });
    this.#process.on('close', (code) => {
      this.#dead = true;
      const why = this.#stderr.trim().split('\n').slice(-5).join('\n') || `exit code ${String(code)}`;
      this.#answer({ failed: why });
    });
    this.#process.stdin?.on('error', () => {}); // a process that died: its close says why
  }

  get usable(): boolean {
    return !this.#dead;
  }

  run(request: object, limitMs: number): Promise<{ result: TesterResult } | { failed: string }> {
    return new Promise((resolve) => {
      const killer = setTimeout(() => this.kill(), limitMs);
      this.#waiting = (answer) => {
        clearTimeout(killer);
        resolve(answer);
      };
      this.#process.stdin?.write(`${JSON.stringify(request)}\n`);
    });
  }

  kill(): void {
    this.#dead = true;
    this.#process.kill('SIGKILL');
  }

  #receive(chunk: Buffer): void {
    this.#lines += chunk.toString('utf8');
    if (this.#lines.length > MAX_RESULT_BYTES) return this.kill();
    for (let end = this.#lines.indexOf('\n'); end >= 0; end = this.#lines.indexOf('\n')) {
      const line = this.#lines.slice(0, end);
      this.#lines = this.#lines.slice(end + 1);
      try {
        this.#answer({ result: JSON.parse(line) as TesterResult });
      } catch {
        this.#answer({ failed: 'its report is not JSON' });
      }
    }
  }

  #answer(answer: { result: TesterResult } | { failed: string }): void {
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.(answer);
  }
}

/**
 * The idle tester processes, reused run after run; ended with the grader (their stdin closes). With
 * pinning, each new tester gets the core fewest live testers have, so that lanes up to the number of
 * cores each have a core of their own.
 */
class TesterPool {
  readonly #idle: TesterProcess[] = [];
  readonly #all: TesterProcess[] = [];
  #cpus: number[] | undefined;

  async acquire(bundle: string, pin: boolean): Promise<TesterProcess> {
    for (let tester = this.#idle.pop(); tester !== undefined; tester = this.#idle.pop()) {
      if (tester.usable && (tester.cpu !== undefined) === pin) return tester;
      if (tester.usable) tester.kill();
    }
    const tester = new TesterProcess(bundle, pin ? this.#freestCpu() : undefined);
    this.#all.push(tester);
    return tester;
  }

  #freestCpu(): number | undefined {
    this.#cpus ??= canPin() ? parseCpuList(allowedCpuList() ?? '') : [];
    const live = this.#all.filter((tester) => tester.usable);
    this.#all.splice(0, this.#all.length, ...live); // a tester that died keeps no core
    let best: { cpu: number; users: number } | undefined;
    for (const cpu of this.#cpus) {
      const users = live.filter((tester) => tester.cpu === cpu).length;
      if (best === undefined || users < best.users) best = { cpu, users };
    }
    return best?.cpu;
  }

  release(tester: TesterProcess): void {
    if (tester.usable) this.#idle.push(tester);
  }

  /** Stop every idle tester (the grader calls this when it is done). */
  close(): void {
    for (const tester of this.#idle.splice(0)) tester.kill();
    this.#all.splice(0);
  }
}

const testers = new TesterPool();

/** Stop the idle tester processes: the grader is done with boundary runs. */
export function closeBoundaryTesters(): void {
  testers.close();
}

/** The tester's process gets this much longer than its own wall limit before the grader kills it. */
const TESTER_MARGIN_MS = 30_000;
/** The most the grader reads of what the tester writes (a report is a few kilobytes). */
const MAX_RESULT_BYTES = 16 * 2 ** 20;

export interface BoundaryRunInput {
  readonly testName: string;
  readonly seed: number;
  readonly replay: string;
  readonly workspace: string;
  /** The child's bundle: the submission's code and the student side of the boundary (buildBoundaryChild). */
  readonly childBundle: string;
  readonly traceDir: string;
  readonly scratch: string;
  readonly sandbox: Sandbox;
  readonly memoryMb: number;
  /** Memory the child may use beyond its heap (RLIMIT_DATA counts everything). */
  readonly marginMb: number;
  readonly hangMs: number;
  /** Pin the run's tester and child main threads to one core (affinity.ts). */
  readonly pin: boolean;
}

/** What a boundary run adds to a RunVerdict (the test, seed and replay are the caller's). */
export type BoundaryRunOutcome = Omit<RunVerdict, 'test' | 'seed' | 'replay'>;

/** How a failed run is counted, from its message (ChildProcessError says how the child ended). */
function kindOf(error: string): VerdictKind {
  if (/^OutOfMemory: /.test(error)) return 'out-of-memory';
  if (/^HungRun: /.test(error)) return 'hung';
  if (/ChildProcessError: the process running the code under test ended/.test(error)) return 'exited';
  return 'fail';
}

export async function runBehindBoundary(input: BoundaryRunInput): Promise<BoundaryRunOutcome> {
  const { childBundle } = input;
  const testerBundle = await buildBoundaryTester(FRAMEWORK_ROOT);
  const modules = fs.realpathSync(path.join(input.workspace, 'node_modules'));
  const child = input.sandbox.wrap(
    [process.execPath, `--max-old-space-size=${input.memoryMb}`, childBundle],
    { readOnly: [input.workspace, modules], writable: input.scratch, cwd: input.workspace },
    { memoryMb: input.memoryMb + input.marginMb, cpuSeconds: 600 },
  );
  const started = Date.now();
  const tester = await testers.acquire(testerBundle, input.pin);
  const request = {
    testName: input.testName,
    seed: input.seed,
    replay: input.replay,
    traceDir: input.traceDir,
    wallLimitMs: DEFAULT_WALL_LIMIT_MS,
    child: {
      command: child,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      batchLimitMs: input.hangMs,
      cpu: tester.cpu,
    },
  };
  let answer: { result: TesterResult } | { failed: string };
  try {
    answer = await tester.run(request, DEFAULT_WALL_LIMIT_MS + TESTER_MARGIN_MS);
  } finally {
    testers.release(tester);
  }
  const wallMs = Date.now() - started;
  if ('failed' in answer) {
    return {
      kind: 'crashed',
      error: `HarnessError: the tester's process failed: ${answer.failed}`,
      virtualMs: 0,
      wallMs,
      traceHash: '',
    };
  }
  const result = answer.result;
  if (result.passed) {
    return { kind: 'pass', virtualMs: result.virtualMs, wallMs, traceHash: result.traceHash };
  }
  // The child's frames point into its bundle: back to the submission's sources (raft/raft.ts:12:5).
  const error = mapBundleFrames(result.error ?? 'the run failed', childBundle);
  return {
    kind: kindOf(error),
    error,
    virtualMs: result.virtualMs,
    wallMs,
    traceHash: result.traceHash,
    traceFile: result.traceFile,
  };
}
