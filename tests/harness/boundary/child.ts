/**
 * The boundary across a process (grading): the code under test runs in a child (child-main.ts), inside
 * the grader's sandbox; the tester, here, sends each batch with the virtual time and waits for its
 * effects. The child's timers are stand-ins on the tester's clock (boundary.ts), and firing one sends a
 * `fire` command; so the child never decides when anything happens.
 *
 * A child that crashes, stops answering or sends garbage fails its own run, with a reason: the tester
 * times each batch in real time, caps the size of every frame and of the child's output, and checks the
 * shape of what comes back.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { HarnessError } from '../errors';
import type { StudentSideFactory } from '../lab-test';
import { realTimers } from '../real-timers';
import { formatVirtual } from '../failure';
import type { StudentTransport } from './boundary';
import { allowedCpuList, pinThread } from './affinity';
import { openChannels } from './channels';
import { FrameReader, MAX_FRAME_BYTES, frame } from './frames';
import { PersistUnpatcher } from './persist-patch';
import { isEffect, type Command, type Effect } from './protocol';

/** Real time one batch may take, by default: the same 10 s a hung run gets in `npm test`. */
export const DEFAULT_BATCH_LIMIT_MS = 10_000;
/** What the child may print (stdout and stderr together) before the rest is dropped. */
const MAX_OUTPUT_BYTES = 1 * 2 ** 20;

/** Whether a child's stderr says V8 ran out of memory (the fatal message V8 prints before it aborts). */
export function saysOutOfMemory(stderr: string): boolean {
  return /heap out of memory|Allocation failed|Reached heap limit|Array buffer allocation failed|FATAL ERROR: .*[Oo]ut of memory/.test(
    stderr,
  );
}

/** How to start the child process that holds the code under test. */
export interface StudentProcessOptions {
  /** The command and its arguments (node and child-main with the project root), before any wrapper. */
  command: string[];
  /** Wrap the command (the grader's sandbox); the plain command when absent. */
  wrap?: (command: string[]) => string[];
  env?: Record<string, string>;
  /** Real time one batch may take before the child is killed and the run fails. */
  batchLimitMs?: number;
  /**
   * The CPU for the two main threads of every exchange, the tester's and the child's (affinity.ts):
   * the grader gives each of its lanes one. Undefined leaves both where the OS puts them.
   */
  cpu?: number;
}

/** The factory the grader passes as RunOptions.studentSide. */
export function childStudentSide(options: StudentProcessOptions): StudentSideFactory {
  return (seed, fail) => new ChildTransport(options, seed, fail);
}

export class ChildProcessError extends HarnessError {
  override name = 'ChildProcessError';
}

/** The CPUs the tester's main thread was free to use before it was first pinned, and where it is now. */
let testerCpus: string | undefined;
let testerPinnedTo: number | undefined;

/** Pin the tester's main thread to `cpu` (once per lane: it stays); false if it could not be. */
function pinTester(cpu: number): boolean {
  if (testerPinnedTo === cpu) return true;
  testerCpus ??= allowedCpuList();
  if (!pinThread(process.pid, cpu)) return false;
  testerPinnedTo = cpu;
  return true;
}

export class ChildTransport implements StudentTransport {
  readonly #child: ChildProcess;
  readonly #reader = new FrameReader();
  readonly #limitMs: number;
  readonly #persists = new PersistUnpatcher(MAX_FRAME_BYTES);
  /** The tester's ends of the channels (channels.ts): batches out, effects in. */
  readonly #toChild: net.Socket;
  readonly #fromChild: net.Socket;
  readonly #toChildFd: number;
  #waiting: { resolve: (effects: Effect[]) => void; reject: (error: Error) => void } | undefined;
  #ended: Error | undefined;
  #stderr = '';
  #printed = 0;

  constructor(options: StudentProcessOptions, seed: number, fail: (error: Error) => void) {
    this.#limitMs = options.batchLimitMs ?? DEFAULT_BATCH_LIMIT_MS;
    let command = options.wrap?.(options.command) ?? options.command;
    const pinned = options.cpu !== undefined && pinTester(options.cpu);
    // The child inherits the tester's pin: it starts free (its compiler threads may use every core),
    // and pins only its own main thread (child-main.ts).
    if (pinned && testerCpus !== undefined) command = ['taskset', '-c', testerCpus, ...command];
    const channels = openChannels();
    try {
      this.#child = spawn(command[0], command.slice(1), {
        stdio: [channels.forChild[0], 'pipe', 'pipe', channels.forChild[1]],
        env: options.env ?? { PATH: process.env.PATH ?? '/usr/bin:/bin' },
        detached: true, // its own process group: close() kills everything it started
      });
    } catch (error) {
      fs.closeSync(channels.toChild);
      fs.closeSync(channels.fromChild);
      throw error;
    } finally {
      for (const fd of channels.forChild) fs.closeSync(fd); // the child has its own copies now
    }
    this.#fromChild = new net.Socket({ fd: channels.fromChild, readable: true, writable: false });
    this.#fromChild.on('data', (chunk: Buffer) => this.#receive(chunk));
    this.#toChildFd = channels.toChild;
    this.#toChild = new net.Socket({ fd: channels.toChild, readable: false, writable: true });
    for (const socket of [this.#fromChild, this.#toChild]) socket.on('error', () => {}); // its exit says why
    for (const stream of [this.#child.stdout, this.#child.stderr]) {
      stream?.on('data', (chunk: Buffer) => this.#print(chunk));
    }
    this.#child.on('error', (error) =>
      this.#end(new ChildProcessError(`could not start the child: ${error.message}`)),
    );
    this.#child.on('exit', (code, signal) => {
      const how = signal === null ? `exit code ${code}` : `signal ${signal}`;
      const tail = this.#stderr.trim().split('\n').slice(-3).join(' | ');
      const outOfMemory = saysOutOfMemory(this.#stderr);
      const error = new ChildProcessError(
        outOfMemory
          ? `the code under test ran out of memory, and its process ended (${how})`
          : `the process running the code under test ended (${how})${tail ? `: ${tail}` : ''}`,
      );
      if (outOfMemory) error.name = 'OutOfMemory'; // as npm test names it
      if (this.#waiting !== undefined) fail(error);
      this.#end(error);
    });
    this.#send({ init: { seed, cpu: pinned ? options.cpu : undefined } });
  }

  run(batch: readonly Command[], now: number): Promise<Effect[]> {
    if (this.#ended !== undefined) return Promise.reject(this.#ended);
    return new Promise((resolve, reject) => {
      const timer = realTimers.setTimeout(() => {
        // As npm test's watchdog says it (worker/isolated.ts), so a hung run reads the same in both.
        const hung = new ChildProcessError(
          `no progress for ${(this.#limitMs / 1000).toFixed(1)} s of real time: the code under test did ` +
            `not finish the step at virtual time ${formatVirtual(now)} (a loop that never awaits, e.g. ` +
            'while (true) {}, or a call that blocks)',
        );
        hung.name = 'HungRun';
        this.#end(hung);
      }, this.#limitMs);
      this.#waiting = {
        resolve: (effects) => {
          realTimers.clearTimeout(timer);
          resolve(effects);
        },
        reject: (error) => {
          realTimers.clearTimeout(timer);
          reject(error);
        },
      };
      this.#send({ now, batch });
    });
  }

  close(): void {
    this.#end(new ChildProcessError('closed'));
  }

  /** What crossed so far: exchanges (batches answered) and bytes each way (for `npm run bench`). */
  readonly traffic = { exchanges: 0, bytesOut: 0, bytesIn: 0 };

  #send(message: unknown): void {
    const bytes = frame(message);
    this.traffic.bytesOut += bytes.length;
    const written = this.#writeNow(bytes);
    if (written < bytes.length) this.#toChild.write(bytes.subarray(written));
  }

  /**
   * Write what fits into the channel at once, unless earlier bytes are still queued in the stream: how
   * many bytes went. Almost every batch goes in this one system call, with none of the stream's write
   * requests and callbacks; the stream takes the rest of a frame too big for the pipe.
   */
  #writeNow(bytes: Buffer): number {
    if (this.#toChild.writableLength > 0) return 0;
    try {
      return fs.writeSync(this.#toChildFd, bytes);
    } catch {
      return 0; // full (EAGAIN), or the child is gone: the stream queues it, or its error is ignored
    }
  }

  #receive(chunk: Buffer): void {
    this.traffic.bytesIn += chunk.length;
    let messages: unknown[];
    try {
      messages = this.#reader.push(chunk);
    } catch (error) {
      return this.#end(new ChildProcessError(`the child broke the protocol: ${(error as Error).message}`));
    }
    for (const message of messages) {
      let effects = (message as { effects?: unknown } | null)?.effects;
      try {
        if (Array.isArray(effects)) effects = effects.map((effect: unknown) => this.#unpatch(effect));
      } catch (error) {
        return this.#end(new ChildProcessError(`the child broke the protocol: ${(error as Error).message}`));
      }
      if (!Array.isArray(effects) || !effects.every(isEffect)) {
        return this.#end(new ChildProcessError('the child sent something that is not a list of effects'));
      }
      const waiting = this.#waiting;
      this.#waiting = undefined;
      if (waiting === undefined) {
        return this.#end(new ChildProcessError('the child sent effects nobody asked for'));
      }
      this.traffic.exchanges++;
      waiting.resolve(effects);
    }
  }

  /** A persister save comes as a patch on the object's last one (persist-patch.ts): the whole save. */
  #unpatch(effect: unknown): unknown {
    const wire = effect as Record<string, unknown> | null;
    return wire?.op === 'persist-patch' ? this.#persists.unpatch(wire) : effect;
  }

  #print(chunk: Buffer): void {
    this.#stderr = (this.#stderr + chunk.toString('utf8')).slice(-16384);
    if (this.#printed >= MAX_OUTPUT_BYTES) return;
    const text = chunk.subarray(0, MAX_OUTPUT_BYTES - this.#printed);
    this.#printed += text.length;
    process.stderr.write(text);
    if (this.#printed >= MAX_OUTPUT_BYTES) process.stderr.write('\n[the rest of the output is dropped]\n');
  }

  #end(error: Error): void {
    if (this.#ended === undefined) {
      this.#ended = error;
      try {
        if (this.#child.pid !== undefined) process.kill(-this.#child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      this.#toChild.destroy();
      this.#fromChild.destroy();
    }
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.reject(error);
  }
}
