/**
 * Look inside a worker that stopped making progress, before it is terminated: `inspectStuckWorker`
 * connects an inspector session in this (the parent's) process, attaches to the worker through the
 * NodeWorker domain, and pauses it — V8 stops even a `while (true) {}` at its next instruction. It takes a
 * few samples of the stack (resuming in between, so they show where the time goes), then, while paused,
 * evaluates the run's hang probe (../hang-probe.ts), which saves the trace up to the last completed event
 * and returns the RPC traffic just before. Everything has a deadline: a worker too busy collecting garbage
 * to answer yields what was learnt so far, and the reason for the rest.
 */
import inspector from 'node:inspector';
import type { Worker } from 'node:worker_threads';
import { PROBE_EXPRESSION, type HangProbeReport } from '../hang-probe';

export interface HangInspection {
  /** Stack samples, top frame first, as `    at fn (file:line:col)` lines (bundle positions). */
  readonly samples: readonly (readonly string[])[];
  readonly probe?: HangProbeReport;
  /** What could not be learnt, and why. */
  readonly problems: readonly string[];
}

export interface InspectOptions {
  /** How many stack samples to take (default 5). */
  readonly samples?: number;
  /** Real time between two samples, in ms (the worker runs in between; default 200). */
  readonly gapMs?: number;
  /** The whole inspection's deadline, in ms (default 6000). */
  readonly timeoutMs?: number;
}

const DEFAULTS = { samples: 5, gapMs: 200, timeoutMs: 6000 } as const;

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly location: {
    readonly scriptId: string;
    readonly lineNumber: number;
    readonly columnNumber: number;
  };
}

interface WorkerMessage {
  readonly id?: number;
  readonly method?: string;
  readonly params?: {
    readonly callFrames?: readonly CallFrame[];
    readonly scriptId?: string;
    readonly url?: string;
  };
  readonly result?: { readonly result?: { readonly value?: unknown } };
  readonly error?: { readonly message: string };
}

class DeadlineError extends Error {}

/** One inspector session on one worker thread. */
class WorkerSession {
  private readonly session = new inspector.Session();
  private sessionId: string | undefined;
  private nextId = 0;
  private readonly replies = new Map<number, (message: WorkerMessage) => void>();
  private pausedWaiter: ((frames: readonly CallFrame[]) => void) | undefined;
  /** Each script's url by id (Debugger.scriptParsed): a frame's own url is empty for some scripts. */
  readonly urls = new Map<string, string>();

  constructor(
    private readonly threadId: number,
    private readonly deadline: number,
  ) {}

  async open(): Promise<void> {
    this.session.connect();
    const attached = new Promise<void>((resolve) => {
      this.session.on('NodeWorker.attachedToWorker', (event) => {
        const { sessionId, workerInfo } = event.params as {
          sessionId: string;
          workerInfo: { title: string };
        };
        // The inspector numbers workers its own way; the title carries the thread id ("[worker 3]").
        if (workerInfo.title === `[worker ${this.threadId}]`) {
          this.sessionId = sessionId;
          resolve();
        }
      });
    });
    this.session.on('NodeWorker.receivedMessageFromWorker', (event) => {
      const { sessionId, message } = event.params as { sessionId: string; message: string };
      if (sessionId === this.sessionId) this.onMessage(JSON.parse(message) as WorkerMessage);
    });
    await this.withDeadline(this.post('NodeWorker.enable', { waitForDebuggerOnStart: false }));
    await this.withDeadline(attached);
  }

  /** Pause the worker and return its stack. */
  async pause(): Promise<readonly CallFrame[]> {
    const paused = new Promise<readonly CallFrame[]>((resolve) => (this.pausedWaiter = resolve));
    await this.send('Debugger.pause');
    return this.withDeadline(paused);
  }

  resume(): Promise<WorkerMessage> {
    return this.send('Debugger.resume');
  }

  /** Evaluate `expression` in the paused worker; its value, as JSON-able data. */
  async evaluate(expression: string): Promise<unknown> {
    const reply = await this.send('Runtime.evaluate', { expression, returnByValue: true });
    if (reply.error !== undefined) throw new Error(reply.error.message);
    return reply.result?.result?.value;
  }

  send(method: string, params: object = {}): Promise<WorkerMessage> {
    const id = ++this.nextId;
    const reply = new Promise<WorkerMessage>((resolve) => this.replies.set(id, resolve));
    const message = JSON.stringify({ id, method, params });
    void this.post('NodeWorker.sendMessageToWorker', { sessionId: this.sessionId, message }).catch(() => {});
    return this.withDeadline(reply);
  }

  /** Let the worker go (resumed, detached), and close the session. Never throws. */
  async close(): Promise<void> {
    if (this.sessionId !== undefined) {
      await Promise.race([this.send('Debugger.disable').catch(() => {}), sleep(200)]);
      await this.post('NodeWorker.detach', { sessionId: this.sessionId }).catch(() => {});
    }
    try {
      this.session.disconnect();
    } catch {
      // already gone
    }
  }

  private onMessage(message: WorkerMessage): void {
    if (message.id !== undefined) {
      this.replies.get(message.id)?.(message);
      this.replies.delete(message.id);
    } else if (message.method === 'Debugger.scriptParsed') {
      const { scriptId, url } = message.params ?? {};
      if (scriptId !== undefined && url !== undefined && url !== '') this.urls.set(scriptId, url);
    } else if (message.method === 'Debugger.paused') {
      this.pausedWaiter?.(message.params?.callFrames ?? []);
      this.pausedWaiter = undefined;
    }
  }

  private post(method: string, params: object): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.session.post(method, params, (error, result) => (error ? reject(error) : resolve(result)));
    });
  }

  private withDeadline<T>(promise: Promise<T>): Promise<T> {
    const left = this.deadline - performance.now();
    if (left <= 0) return Promise.reject(new DeadlineError());
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new DeadlineError()), left);
      promise.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function frameLine(frame: CallFrame, urls: ReadonlyMap<string, string>): string {
  const { lineNumber, columnNumber, scriptId } = frame.location;
  const url = frame.url || urls.get(scriptId) || '';
  const where = url === '' ? '<unknown>' : url.replace(/^file:\/\//, '');
  return `    at ${frame.functionName || '<anonymous>'} (${where}:${lineNumber + 1}:${columnNumber + 1})`;
}

function isProbeReport(value: unknown): value is HangProbeReport {
  return typeof value === 'object' && value !== null && 'completedMs' in value && 'rpcs' in value;
}

/** Pause `worker` a few times for its stack, then have it save what it can (see the header). */
export async function inspectStuckWorker(
  worker: Worker,
  options: InspectOptions = {},
): Promise<HangInspection> {
  const wanted = options.samples ?? DEFAULTS.samples;
  const gapMs = options.gapMs ?? DEFAULTS.gapMs;
  const timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
  const samples: string[][] = [];
  const problems: string[] = [];
  let probe: HangProbeReport | undefined;
  const session = new WorkerSession(worker.threadId, performance.now() + timeoutMs);
  const step = `the inspector did not answer within ${(timeoutMs / 1000).toFixed(0)} s`;
  try {
    await session.open();
    await session.send('Debugger.enable');
    samples.push((await session.pause()).map((frame) => frameLine(frame, session.urls)));
    // The trace first, while paused: it matters more than further samples if time runs out.
    const value = await session.evaluate(PROBE_EXPRESSION);
    const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : undefined;
    if (isProbeReport(parsed)) probe = parsed;
    else problems.push('the run had no hang probe to save its trace');
    for (let k = 1; k < wanted; k++) {
      await session.resume();
      await sleep(gapMs);
      samples.push((await session.pause()).map((frame) => frameLine(frame, session.urls)));
    }
  } catch (error) {
    problems.push(error instanceof DeadlineError ? step : `the inspector failed: ${String(error)}`);
  } finally {
    await session.close();
  }
  return { samples, probe, problems };
}
