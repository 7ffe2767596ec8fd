/**
 * The student's timers, on either side of the boundary: `setTimeout` and its kin, as the code under test
 * sees them. A timer is only a callback kept here; setting one emits a `timer` effect, and the tester puts
 * a stand-in for it on its own clock (boundary.ts), which sends a `fire` command when it is due. So the
 * tester's clock orders every timer of a run, the student's among its own, and a student timer runs
 * inside a batch like any other student code: in the child process (child-main.ts) and in the tester's
 * thread (in-process.ts) alike, which is what makes the two modes run the same steps in the same order.
 */
import type { Effect } from './protocol';
import { describeThrown } from './student-host';

type TimerEffect = Extract<Effect, { op: 'timer' | 'clear' | 'crash' }>;
type Callback = (...args: unknown[]) => void;

interface Pending {
  fn: Callback;
  args: unknown[];
  /** The effect that set it (refresh() sets it again, the same way). */
  set: Extract<Effect, { op: 'timer' }>;
}

/** What the student's setTimeout returns: a Node Timeout's methods, and its id as a primitive. */
export class StudentTimer {
  readonly #timers: StudentTimers;
  constructor(
    readonly id: number,
    timers: StudentTimers,
  ) {
    this.#timers = timers;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
  hasRef(): boolean {
    return true;
  }
  /** Start it again from now, with the same delay (Node's Timeout.refresh: an election timer's reset). */
  refresh(): this {
    this.#timers.refresh(this.id);
    return this;
  }
  [Symbol.toPrimitive](): number {
    return this.id;
  }
}

/** The timer functions the code under test gets, by the names Node gives them. */
export interface TimerFunctions {
  setTimeout: (fn: unknown, ...rest: unknown[]) => StudentTimer;
  setInterval: (fn: unknown, ...rest: unknown[]) => StudentTimer;
  setImmediate: (fn: unknown, ...rest: unknown[]) => StudentTimer;
  clearTimeout: (timer: unknown) => void;
  clearInterval: (timer: unknown) => void;
  clearImmediate: (timer: unknown) => void;
}

export class StudentTimers {
  readonly #pending = new Map<number, Pending>();
  readonly #emit: (effect: TimerEffect) => void;
  #next = 0;

  /**
   * `emit` takes the timer effects, in order, and a `crash` for what a callback threw (nothing catches
   * it: the run fails, as it would on an uncaught exception in a Node timer).
   */
  constructor(emit: (effect: TimerEffect) => void) {
    this.#emit = emit;
  }

  readonly functions: TimerFunctions = {
    setTimeout: (fn, ...rest) => this.#set(fn, false, false, rest),
    setInterval: (fn, ...rest) => this.#set(fn, true, false, rest),
    setImmediate: (fn, ...rest) => this.#set(fn, false, true, rest),
    clearTimeout: (timer) => this.clear(timer),
    clearInterval: (timer) => this.clear(timer),
    clearImmediate: (timer) => this.clear(timer),
  };

  /** Whether `timer` is one of these (the in-process mode sends the tester's own clears elsewhere). */
  static owns(timer: unknown): timer is StudentTimer {
    return timer instanceof StudentTimer;
  }

  clear(timer: unknown): void {
    const id = timer instanceof StudentTimer ? timer.id : Number(timer);
    if (this.#pending.delete(id)) this.#emit({ op: 'clear', timer: id });
  }

  refresh(id: number): void {
    const pending = this.#pending.get(id);
    if (pending === undefined) return; // fired or cleared: Node's refresh does nothing then either
    this.#emit({ op: 'clear', timer: id });
    this.#emit(pending.set);
  }

  /** Timer `id` is due (a `fire` command): run its callback. */
  fire(id: number): void {
    const pending = this.#pending.get(id);
    if (pending === undefined) return; // cleared in the same instant, after its stand-in went off
    if (!pending.set.repeat) this.#pending.delete(id);
    try {
      pending.fn(...pending.args);
    } catch (error) {
      this.#emit({ op: 'crash', error: `uncaught exception in a timer callback: ${describeThrown(error)}` });
    }
  }

  #set(fn: unknown, repeat: boolean, immediate: boolean, rest: unknown[]): StudentTimer {
    if (typeof fn !== 'function') throw new TypeError('The "callback" argument must be of type function');
    const ms = immediate ? 0 : Number(rest[0] ?? 0);
    const args = immediate ? rest : rest.slice(1);
    const id = ++this.#next;
    const set = { op: 'timer', timer: id, ms: Number.isFinite(ms) ? ms : 0, repeat, immediate } as const;
    this.#pending.set(id, { fn: fn as Callback, args, set });
    this.#emit(set);
    return new StudentTimer(id, this);
  }
}
