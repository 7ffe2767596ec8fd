/**
 * The boundary inside the tester's own thread (`npm test`, explore, the stress runner): student code
 * runs here, but only in batches, and the tester handles what it did only once the batch is over. Two
 * things differ inside a batch, as they do between the two processes of child mode: Math.random draws
 * from the student's own stream, and the timer functions are the student's (student-timers.ts), whose
 * stand-ins on the tester's clock start a batch of their own when they are due, as in child mode.
 */
import { TIMER_FUNCTIONS, realTimers } from '../real-timers';
import { currentRandomSource, setRandomSource } from '../random-setup';
import type { StudentTransport } from './boundary';
import type { Command, Effect } from './protocol';
import type { StudentHost } from './student-host';
import { StudentTimers } from './student-timers';

export const hop = (): Promise<void> => new Promise((resolve) => realTimers.setImmediate(resolve));

export class InProcessTransport implements StudentTransport {
  readonly #host: StudentHost;
  readonly #studentRandom: () => number;
  #testerRandom: (() => number) | undefined;
  #inStudent = false;
  readonly #restore: Array<() => void> = [];

  /** `host` was built with `timers.fire` as its way to run a due timer (see openBoundary). */
  constructor(host: StudentHost, timers: StudentTimers, studentRandom: () => number) {
    this.#host = host;
    this.#studentRandom = studentRandom;
    // The globals are the virtual clock's (driver.ts); inside a batch they are the student's. A clear of a
    // student timer is the student's wherever it is called; a clear inside a batch is the student's
    // whatever it names (a number the student kept names one of its own timers, never the tester's).
    const globals = globalThis as unknown as Record<string, (...args: unknown[]) => unknown>;
    for (const name of TIMER_FUNCTIONS) {
      const tester = globals[name];
      const student = timers.functions[name] as (...args: unknown[]) => unknown;
      globals[name] = name.startsWith('clear')
        ? (timer) => (this.#inStudent || StudentTimers.owns(timer) ? student(timer) : tester(timer))
        : (...args) => (this.#inStudent ? student(...args) : tester(...args));
      this.#restore.push(() => (globals[name] = tester));
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

  close(): void {
    this.#leave();
    for (const restore of this.#restore.splice(0).reverse()) restore();
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
