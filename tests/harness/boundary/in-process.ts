/**
 * The boundary inside the tester's own thread (`npm test`, explore, the stress runner): student code
 * runs here, but only in student phases — a batch, or a timer the student set — and the tester handles
 * what it did only once the phase is over. Two things differ between the phases, as they do between the
 * two processes of child mode: Math.random draws from the student's own stream, and a timer set during
 * a student phase starts a student phase when it fires.
 *
 * The tester's clock (fake-timers, installed by driver.ts) holds the student's timers directly; child
 * mode puts a stand-in for each on the same clock, in the same order (boundary.ts handles timer effects
 * before any other effect of a batch).
 */
import { realTimers } from '../real-timers';
import { currentRandomSource, setRandomSource } from '../random-setup';
import type { StudentTransport } from './boundary';
import type { Command, Effect } from './protocol';
import type { StudentHost } from './student-host';

type TimerSetter = (handler: (...args: unknown[]) => void, ...rest: unknown[]) => unknown;
const SETTERS = ['setTimeout', 'setInterval', 'setImmediate'] as const;

export const hop = (): Promise<void> => new Promise((resolve) => realTimers.setImmediate(resolve));

export class InProcessTransport implements StudentTransport {
  readonly #host: StudentHost;
  readonly #studentRandom: () => number;
  #testerRandom: (() => number) | undefined;
  #inStudent = false;
  readonly #restore: Array<() => void> = [];

  constructor(host: StudentHost, studentRandom: () => number) {
    this.#host = host;
    this.#studentRandom = studentRandom;
    const globals = globalThis as unknown as Record<string, TimerSetter>;
    for (const name of SETTERS) {
      const set = globals[name];
      globals[name] = (handler, ...rest) =>
        set(this.#inStudent ? this.#studentTimer(handler) : handler, ...rest);
      this.#restore.push(() => (globals[name] = set));
    }
    this.#restore.push(host.captureDebugLines());
  }

  async run(batch: readonly Command[]): Promise<Effect[]> {
    this.#enter();
    try {
      this.#host.run(batch);
    } finally {
      await hop(); // everything the batch set off runs now, still in the student phase
      this.#leave();
    }
    return this.#host.take();
  }

  takeStray(): Effect[] {
    this.#leave();
    return this.#host.take();
  }

  timer(): void {
    throw new Error('in-process student timers are on the clock itself');
  }

  close(): void {
    this.#leave();
    for (const restore of this.#restore.splice(0).reverse()) restore();
  }

  #studentTimer(handler: (...args: unknown[]) => void): (...args: unknown[]) => void {
    return (...args) => {
      this.#enter();
      handler(...args);
    };
  }

  #enter(): void {
    if (this.#inStudent) return;
    this.#testerRandom = currentRandomSource();
    setRandomSource(this.#studentRandom);
    this.#inStudent = true;
  }

  #leave(): void {
    if (!this.#inStudent) return;
    setRandomSource(this.#testerRandom);
    this.#inStudent = false;
  }
}
