/**
 * Lab runs in worker threads, watched from outside.
 *
 * - `runInWorker(bundle, input, limits)`: one run in a fresh worker, ended with the run (nothing of an
 *   earlier run can be there): runIsolated without a pool, or with LAB_FRESH_WORKERS=1.
 * - `new WorkerPool()` and `pool.run(bundle, input, limits)`: the same run, in a worker that an earlier run
 *   of the same bundle left clean, if there is one (jest's and the stress runner's way). Each run still
 *   starts from fresh module state: boot.js evaluates the bundle again for every run. A worker runs again
 *   only after a pass whose realm check came back clean (leftovers.ts); any other ending retires it.
 *
 * The parent decides the verdict: it accepts a message only if it carries the run's nonce (known to
 * boot.js, unreachable by the code under test), and a run passes only on such a report. Around it:
 * - a watchdog: the worker writes the virtual time and an event counter into a shared buffer after every
 *   event of the virtual clock; if virtual time stands still for `hangMs`, the run is stuck, inside one
 *   event (`while (true) {}`, a microtask storm) or in events that each take seconds at one instant, and
 *   the worker is terminated, after a look inside (hang-inspect.ts); a hard wall limit backs it up;
 * - a memory cap (`resourceLimits`): a heap past it ends the worker with ERR_WORKER_OUT_OF_MEMORY, which
 *   becomes an out-of-memory run instead of a V8 fatal error that takes the whole process down;
 * - process.exit/abort inside the worker: boot.js says who called it before the worker stops.
 * Neither function throws for a bad run; every ending is a WorkerResult.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Bundle } from './bundle';
import { inspectStuckWorker, type HangInspection } from './hang-inspect';
import { checkProgress, startProgress, type Progress } from './progress';
import type { RunRequest, WorkerData, WorkerInput, WorkerMessage, WorkerReport } from './types';

const BOOT_FILE = path.join(__dirname, 'boot.js');
const WATCH_EVERY_MS = 100;
/** Loading a bundle (and the module-level code of the test and the student) may take this long. */
const LOAD_LIMIT_MS = 30_000;
/** How long a new run waits for the worker the last one left to finish its realm check. */
const SETTLE_WAIT_MS = 1_000;
/** Idle workers a pool keeps by default (at most; the oldest goes first). */
const MAX_IDLE = 2;

export interface WorkerLimits {
  /** Real time without a single event before a run counts as hung. */
  readonly hangMs: number;
  /** Real time after which the run is stopped whatever it is doing. */
  readonly hardWallMs: number;
  /** Heap cap of the worker, in MB. */
  readonly memoryMb: number;
  /** Called with each output line (text ending in "\n") as the worker prints it. */
  readonly onLine?: (text: string) => void;
  /**
   * Keep the worker after a run that failed (not crashed, hung or killed) if its realm check comes back
   * clean, as after a pass. Only for hosts that run every failure that matters again in a fresh worker
   * (explore: its search fails a run in five on 2D, each failure costing a cold thread otherwise).
   */
  readonly reuseAfterFailure?: boolean;
}

interface Where {
  readonly virtualMs: number;
  readonly wallMs: number;
}

/** A worker's trusted report, or why there is none. */
export type WorkerResult =
  | ({ readonly kind: 'report'; readonly report: WorkerReport } & Where)
  | ({
      readonly kind: 'hung';
      readonly stalledMs: number;
      readonly loading: boolean;
      /** Events kept firing, but virtual time did not move. */
      readonly eventsMoving?: boolean;
      readonly inspection?: HangInspection;
    } & Where)
  | ({ readonly kind: 'wall-limit'; readonly inspection?: HangInspection } & Where)
  | ({
      readonly kind: 'out-of-memory';
      readonly memoryMb: number;
      /** Set when the run was stopped near its cap (progress.ts), before V8 ended it: the heap then. */
      readonly heapMb?: number;
      readonly inspection?: HangInspection;
    } & Where)
  | ({
      readonly kind: 'exited';
      readonly call: string;
      readonly stack: string;
      readonly code: number;
    } & Where)
  | ({ readonly kind: 'crashed'; readonly error: string; readonly stack?: string } & Where)
  | ({ readonly kind: 'untrusted'; readonly why: string } & Where);

function isMessage(value: unknown): value is WorkerMessage {
  return typeof value === 'object' && value !== null && 'kind' in value && 'nonce' in value;
}

/** The state of one run in progress, as the parent watches it. */
interface ActiveRun {
  readonly nonce: string;
  readonly seen: Float64Array;
  readonly started: number;
  readonly limits: WorkerLimits;
  readonly resolve: (result: WorkerResult) => void;
  watchdog?: ReturnType<typeof setInterval>;
  exitNote?: { call: string; stack: string };
  /** Set once the watchdog decided to stop the run and is looking inside it first (hang-inspect.ts). */
  stopping?: boolean;
  progress: Progress;
}

function newRequest(input: WorkerInput): RunRequest {
  // [virtual ms reached, events fired, 1 once the test has started (the module loaded), heap used in MB]
  const progress = new SharedArrayBuffer(4 * Float64Array.BYTES_PER_ELEMENT);
  return { nonce: randomBytes(24).toString('base64url'), progress, input };
}

/**
 * One worker thread: its first run starts with it; later runs (`runAgain`) only once it is idle. States:
 * running → (report) settling → (clean) idle → running …; every other ending → ended (terminated).
 */
class LabWorker {
  state: 'running' | 'settling' | 'idle' | 'ended' = 'running';
  /** Taken by a pool for its next run (so two callers never get the same worker). */
  claimed = false;
  private readonly worker: Worker;
  private readonly control: Int32Array;
  private current: ActiveRun | undefined;
  /** Nonces of this worker's finished runs: a late message of one is stale, not forged. */
  private readonly pastNonces = new Set<string>();
  private lastNonce = '';
  private settleWaiters: Array<() => void> = [];
  private retireAfterRun = false;

  private constructor(
    readonly bundle: Bundle,
    readonly memoryMb: number,
    worker: Worker,
    control: Int32Array,
  ) {
    this.worker = worker;
    this.control = control;
    this.worker.on('message', this.listeners.message);
    this.worker.on('error', this.listeners.error);
    this.worker.on('exit', this.listeners.exit);
  }

  /** This object's listeners on the thread (park removes exactly these: Node keeps its own there too). */
  private readonly listeners = {
    message: (message: unknown): void => this.onMessage(message),
    error: (error: unknown): void => this.onError(error),
    exit: (code: number): void => this.onExit(code),
  };

  /** A new worker, started on its first run. */
  static start(
    bundle: Bundle,
    memoryMb: number,
    input: WorkerInput,
    limits: WorkerLimits,
    resolve: (result: WorkerResult) => void,
  ): LabWorker {
    const control = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
    const first = newRequest(input);
    const workerData: WorkerData = { host: bundle.host, bundle: bundle.run, control, first };
    const thread = new Worker(BOOT_FILE, {
      workerData,
      execArgv: [], // no loader hooks of the parent (tsx): the bundles are plain CommonJS
      resourceLimits: { maxOldGenerationSizeMb: memoryMb },
    });
    const worker = new LabWorker(bundle, memoryMb, thread, new Int32Array(control));
    worker.begin(first, limits, resolve);
    return worker;
  }

  /** An idle worker another pool parked (see WorkerPool.close), or undefined if its thread is gone. */
  static adopt(parked: ParkedWorker): LabWorker | undefined {
    if (parked.worker.threadId < 0) return undefined; // it exited while parked
    const worker = new LabWorker(parked.bundle, parked.memoryMb, parked.worker, parked.control);
    worker.state = 'idle';
    return worker;
  }

  /** Leave this idle worker for another pool: stop listening to it; it keeps waiting for a request. */
  park(): ParkedWorker {
    if (this.state !== 'idle') throw new Error(`park on a worker that is ${this.state}`);
    this.worker.off('message', this.listeners.message);
    this.worker.off('error', this.listeners.error);
    this.worker.off('exit', this.listeners.exit);
    this.state = 'ended'; // for this pool
    return { bundle: this.bundle, memoryMb: this.memoryMb, worker: this.worker, control: this.control };
  }

  /** Run again in this idle worker. */
  runAgain(input: WorkerInput, limits: WorkerLimits): Promise<WorkerResult> {
    if (this.state !== 'idle') throw new Error(`runAgain on a worker that is ${this.state}`);
    return new Promise((resolve) => {
      const request = newRequest(input);
      this.state = 'running';
      this.claimed = false;
      this.begin(request, limits, resolve);
      this.worker.ref();
      this.worker.postMessage(request);
      Atomics.add(this.control, 0, 1); // after the post: the woken worker finds the request on its port
      Atomics.notify(this.control, 0);
    });
  }

  /** Resolves once the worker is idle or ended (or after `waitMs`, whichever comes first). */
  settled(waitMs: number): Promise<void> {
    if (this.state !== 'settling') return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, waitMs);
      this.settleWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Stop the thread (whatever it is doing); resolves once it is gone. */
  async end(): Promise<void> {
    this.setState('ended');
    await this.worker.terminate().catch(() => undefined);
  }

  private setState(state: LabWorker['state']): void {
    this.state = state;
    if (state !== 'settling') {
      const waiters = this.settleWaiters;
      this.settleWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  private begin(request: RunRequest, limits: WorkerLimits, resolve: (result: WorkerResult) => void): void {
    const started = performance.now();
    const run: ActiveRun = {
      nonce: request.nonce,
      seen: new Float64Array(request.progress),
      started,
      limits,
      resolve,
      progress: startProgress(started),
    };
    this.current = run;
    this.lastNonce = request.nonce;
    run.watchdog = setInterval(() => this.watch(run), WATCH_EVERY_MS);
  }

  private where(run: ActiveRun): Where {
    return { virtualMs: run.seen[0], wallMs: performance.now() - run.started };
  }

  private watch(run: ActiveRun): void {
    const { seen, limits } = run;
    const now = performance.now();
    if (run.stopping === true) return;
    if (seen[2] === 0) {
      // Still loading: the watchdog starts with the test, loading has its own, longer limit.
      run.progress = startProgress(now);
      if (now - run.started > Math.max(LOAD_LIMIT_MS, limits.hangMs)) {
        this.finish({ kind: 'hung', stalledMs: now - run.started, loading: true, ...this.where(run) });
      }
    } else {
      const stall = checkProgress(run.progress, seen, now, limits.hangMs, this.memoryMb);
      if (stall?.kind === 'out-of-memory') {
        this.inspectAndFinish(run, { ...stall, memoryMb: this.memoryMb, ...this.where(run) });
        return;
      }
      if (stall?.kind === 'hung') {
        this.inspectAndFinish(run, { ...stall, loading: false, ...this.where(run) });
        return;
      }
    }
    if (this.current === run && now - run.started > limits.hardWallMs) {
      this.inspectAndFinish(run, { kind: 'wall-limit', ...this.where(run) });
    }
  }

  /** Look inside the stuck worker (its stack, its trace so far), then end the run with what was found. */
  private inspectAndFinish(run: ActiveRun, result: Extract<WorkerResult, { inspection?: unknown }>): void {
    run.stopping = true;
    // Near its heap cap, a worker let go between samples may reach the cap: one look, then the probe.
    const samples = result.kind === 'out-of-memory' ? 1 : undefined;
    void inspectStuckWorker(this.worker, { samples }).then((inspection) => {
      if (this.current === run) this.finish({ ...result, inspection });
    });
  }

  /**
   * End the current run with `result`: a pass (or a failure, with limits.reuseAfterFailure) may leave
   * the worker for another run, nothing else does.
   */
  private finish(result: WorkerResult): void {
    const run = this.current;
    if (run === undefined) return;
    this.current = undefined;
    clearInterval(run.watchdog);
    this.pastNonces.add(run.nonce);
    const reusable =
      result.kind === 'report' &&
      (result.report.passed === true || run.limits.reuseAfterFailure === true) &&
      !this.retireAfterRun;
    if (reusable) {
      this.setState('settling'); // the worker says 'idle' once its realm check is done
      run.resolve(result);
      return;
    }
    // Resolve once the thread is gone, so a host that exits right after (jest) has nothing left running.
    void this.end().then(() => run.resolve(result));
  }

  private onMessage(message: unknown): void {
    const run = this.current;
    if (!isMessage(message)) {
      this.untrusted(`\`${JSON.stringify(message)}\``);
      return;
    }
    if (run === undefined || message.nonce !== run.nonce) {
      if (message.kind === 'idle' && message.nonce === this.lastNonce && this.state === 'settling') {
        if (message.clean) {
          this.setState('idle');
          this.worker.unref(); // an idle worker keeps no host alive
        } else {
          void this.end();
        }
      } else if (this.pastNonces.has(message.nonce)) {
        // A late message of a finished run (its code still running): harmless to the run in progress,
        // which cannot see it, but this worker is not clean; it ends after the current run.
        this.retireAfterRun = true;
        if (run === undefined) void this.end();
      } else {
        this.untrusted(`a "${message.kind}" message`);
      }
      return;
    }
    if (message.kind === 'line') {
      run.limits.onLine?.(message.text);
    } else if (message.kind === 'exit') {
      run.exitNote ??= { call: message.call, stack: message.stack };
    } else if (message.kind === 'report') {
      this.finish({ kind: 'report', report: message.report, ...this.where(run) });
    }
  }

  private untrusted(shape: string): void {
    const run = this.current;
    if (run === undefined) {
      void this.end();
      return;
    }
    this.finish({
      kind: 'untrusted',
      why: `the worker posted ${shape} without the run's nonce`,
      ...this.where(run),
    });
  }

  private onError(thrown: unknown): void {
    const run = this.current;
    // Code under test can throw anything, `null` included: only an error object has a name, code and stack
    // (an Error of another realm too, e.g. under jest: hence no instanceof).
    const error: Error & { code?: string } =
      typeof thrown === 'object' && thrown !== null && typeof (thrown as Error).message === 'string'
        ? (thrown as Error)
        : Object.assign(
            new Error(`a ${thrown === null ? 'null' : typeof thrown} was thrown: ${String(thrown)}`),
            {
              name: 'NonErrorThrown',
            },
          );
    if (run === undefined) {
      void this.end();
    } else if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') {
      this.finish({ kind: 'out-of-memory', memoryMb: this.memoryMb, ...this.where(run) });
    } else {
      const text = `${error.name}: ${error.message}`;
      this.finish({ kind: 'crashed', error: text, stack: error.stack, ...this.where(run) });
    }
  }

  private onExit(code: number): void {
    const run = this.current;
    if (run !== undefined) {
      if (run.exitNote !== undefined) {
        this.finish({ kind: 'exited', ...run.exitNote, code, ...this.where(run) });
      } else {
        const error = `WorkerExit: the worker stopped (exit code ${code}) before it reported a result`;
        this.finish({ kind: 'crashed', error, ...this.where(run) });
      }
    }
    this.setState('ended');
  }
}

/**
 * An idle worker thread between two pools: jest's environment keeps a shelf of them per jest worker
 * process (tests/harness/jest-environment.js), so the next test file's pool starts where the last one
 * left off instead of starting a thread and compiling the simulation again. Only host objects cross:
 * the thread, its control word and what it was started with.
 */
export interface ParkedWorker {
  readonly bundle: Bundle;
  readonly memoryMb: number;
  readonly worker: Worker;
  readonly control: Int32Array;
}

/**
 * Run one test (named in `input`) from `bundle` in a fresh worker that ends with the run. The result comes
 * once the thread is gone.
 */
export function runInWorker(bundle: Bundle, input: WorkerInput, limits: WorkerLimits): Promise<WorkerResult> {
  return new Promise((resolve) => {
    const worker = LabWorker.start(bundle, limits.memoryMb, input, limits, (result) => {
      if (worker.state === 'ended') resolve(result);
      else void worker.end().then(() => resolve(result));
    });
  });
}

/** Whether a worker (running or parked) was started as a run of `bundle` with `memoryMb` needs. */
function startedAlike(
  worker: Pick<ParkedWorker, 'bundle' | 'memoryMb'>,
  bundle: Bundle,
  memoryMb: number,
): boolean {
  return (
    worker.bundle.run === bundle.run && worker.bundle.host === bundle.host && worker.memoryMb === memoryMb
  );
}

/** A result, and whether it came from a worker that had run before. */
export type PooledResult = WorkerResult & { readonly reused: boolean };

/** Workers kept between runs of the same bundle (see the header). Close it when done. */
export class WorkerPool {
  private workers: LabWorker[] = [];
  private readonly maxIdle: number;
  private readonly shelf: ParkedWorker[] | undefined;

  /**
   * `maxIdle`: how many idle workers to keep (default 2); give the number of runs made at once.
   * `shelf`: where close() parks idle workers and where this pool looks for one before starting a thread
   * (kept by the host across pools; at most maxIdle stay on it).
   */
  constructor(options: { readonly maxIdle?: number; readonly shelf?: ParkedWorker[] } = {}) {
    this.maxIdle = Math.max(1, options.maxIdle ?? MAX_IDLE);
    this.shelf = options.shelf;
  }

  /** Run in an idle worker of the same bundle and heap cap if there is one, else in a new one. */
  async run(bundle: Bundle, input: WorkerInput, limits: WorkerLimits): Promise<PooledResult> {
    const spare = await this.take(bundle, limits.memoryMb);
    if (spare !== undefined) return { ...(await spare.runAgain(input, limits)), reused: true };
    const result = await new Promise<WorkerResult>((resolve) => {
      this.workers.push(LabWorker.start(bundle, limits.memoryMb, input, limits, resolve));
    });
    this.trim();
    return { ...result, reused: false };
  }

  /** End every worker, or with a shelf, park the idle ones on it (the rest end). */
  async close(): Promise<void> {
    const workers = this.workers;
    this.workers = [];
    // A worker whose last run just passed is still checking its realm: a shelf wants it once idle.
    if (this.shelf !== undefined) await Promise.all(workers.map((worker) => worker.settled(SETTLE_WAIT_MS)));
    const ending: Promise<void>[] = [];
    for (const worker of workers) {
      if (this.shelf !== undefined && worker.state === 'idle' && !worker.claimed)
        this.shelf.push(worker.park());
      else ending.push(worker.end());
    }
    for (const parked of this.shelf?.splice(0, Math.max(0, this.shelf.length - this.maxIdle)) ?? []) {
      ending.push(parked.worker.terminate().then(() => undefined));
    }
    await Promise.all(ending);
  }

  private async take(bundle: Bundle, memoryMb: number): Promise<LabWorker | undefined> {
    this.workers = this.workers.filter((worker) => worker.state !== 'ended');
    const candidates = this.workers.filter(
      (worker) =>
        (worker.state === 'idle' || worker.state === 'settling') &&
        !worker.claimed &&
        startedAlike(worker, bundle, memoryMb),
    );
    const worker =
      candidates.find((w) => w.state === 'idle') ?? candidates[0] ?? this.fromShelf(bundle, memoryMb);
    if (worker === undefined) return undefined;
    worker.claimed = true;
    await worker.settled(SETTLE_WAIT_MS);
    if (worker.state === 'idle') return worker;
    worker.claimed = false;
    if (worker.state === 'settling') void worker.end(); // its realm check never came back
    return undefined;
  }

  /** A parked worker of the same bundle and heap cap, taken off the shelf, if there is one. */
  private fromShelf(bundle: Bundle, memoryMb: number): LabWorker | undefined {
    if (this.shelf === undefined) return undefined;
    for (;;) {
      const index = this.shelf.findIndex((parked) => startedAlike(parked, bundle, memoryMb));
      if (index < 0) return undefined;
      const [parked] = this.shelf.splice(index, 1);
      const worker = LabWorker.adopt(parked);
      if (worker !== undefined) {
        this.workers.push(worker);
        return worker;
      }
    }
  }

  /** Keep at most maxIdle idle workers: the oldest go first. */
  private trim(): void {
    this.workers = this.workers.filter((worker) => worker.state !== 'ended');
    const idle = this.workers.filter((worker) => worker.state !== 'running' && !worker.claimed);
    for (const worker of idle.slice(0, Math.max(0, idle.length - this.maxIdle))) void worker.end();
  }
}
