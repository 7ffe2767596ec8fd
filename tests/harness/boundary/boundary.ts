/**
 * The tester's side of the boundary: a queue of commands for the student side, and the effects that come
 * back, handed to whoever the config registered for them. The virtual-time driver calls `settle()` once
 * the tester is done with a virtual instant (driver.ts `afterStep`: no timer of the tester's is due at
 * that time any more): everything the instant queued goes across as one batch, and batches go on until
 * nothing is queued, so every consequence of the instant, on both sides, happens within it.
 *
 * The student's timers are stand-ins on the tester's clock (student-timers.ts): firing one queues a
 * `fire` command, in the order the clock fires them among the tester's own timers. So the student side
 * runs only inside batches, in both modes, and the order of events does not depend on the mode: the
 * student side runs a batch and everything it sets off before the tester sees any of its effects, and
 * the tester handles effects one by one, in the order they happened, before the next batch. The tester
 * never calls student code and the student side never calls tester code; all that passes is the data in
 * protocol.ts.
 */
import { decode, encode, type Persister } from '../../../labrpc';
import { HarnessError } from '../errors';
import type { Command, Effect, Handle, Spec } from './protocol';

/** How batches reach the student side: the tester's own thread, or a child process. */
export interface StudentTransport {
  /** Run one batch at virtual time `now`; resolves to its effects. */
  run(batch: readonly Command[], now: number): Promise<Effect[]>;
  close(): void;
}

type TimerEffect = Extract<Effect, { op: 'timer' | 'clear' }>;
type StandIn = { cancel: () => void };

/** What a config does with the effects of one student object. */
export interface HandleListener {
  call(effect: Extract<Effect, { op: 'call' }>): void;
  persist(effect: Extract<Effect, { op: 'persist' }>): void;
  /**
   * An applyCh message; call `done()` when the tester took it (the student's applyCh call returns). Only a
   * Raft peer the tester built has an applyCh of the tester's: a service's server applies to itself.
   */
  apply?(effect: Extract<Effect, { op: 'apply' }>, done: () => void): void;
}

/** A HandleListener's `persist`: each save into the tester's own `persister` (a copy of the bytes). */
export function persistInto(persister: Persister): HandleListener['persist'] {
  return ({ raftState, snapshot }) => {
    if (snapshot === null) persister.saveRaftState(raftState);
    else persister.saveStateAndSnapshot(raftState, snapshot);
  };
}

export interface BoundaryListener {
  debug(server: number, topic: string, msg: string, group?: number): void;
  /** Student code failed where nothing catches it, or a result broke the protocol: fail the run. */
  crash(error: Error): void;
}

type Outcome = { value: unknown } | { error: string };

export class StudentCodeError extends Error {
  override name = 'StudentCodeError';
}

/**
 * The error to fail a run with for what student code threw (`thrown`: "Name: message" as the student side
 * described it, then the frames where it was thrown, which become the error's stack). A handout's todo()
 * keeps its own name and message: it names the next piece to write (the driver reports a
 * NotImplementedError as it is), where a wrapper would only bury it.
 */
export function studentError(context: string, thrown: string): Error {
  const frameAt = thrown.search(/\n\s+at /);
  const text = frameAt === -1 ? thrown : thrown.slice(0, frameAt);
  const frames = frameAt === -1 ? '' : thrown.slice(frameAt);
  const withFrames = (error: Error): Error => {
    if (frames !== '') error.stack = `${error.name}: ${error.message}${frames}`;
    return error;
  };
  const todo = /NotImplementedError: (.*)/s.exec(text);
  if (todo !== null) {
    const error = new Error(todo[1]);
    error.name = 'NotImplementedError';
    return withFrames(error);
  }
  if (context !== '') return withFrames(new StudentCodeError(`${context} ${text}`));
  // As it was thrown: "RpcHandlerError: handler Raft.RequestVote threw: TypeError: …".
  const named = /^(\w+): (.*)$/s.exec(text);
  const error = new StudentCodeError(named === null ? text : named[2]);
  if (named !== null) error.name = named[1];
  return withFrames(error);
}

export class Boundary {
  readonly #transport: StudentTransport;
  readonly #now: () => number;
  readonly #listener: BoundaryListener;
  readonly #handles = new Map<Handle, HandleListener>();
  readonly #results = new Map<number, (outcome: Outcome) => void>();
  readonly #handled = new Map<number, (outcome: { reply?: Uint8Array; error?: string }) => void>();
  readonly #pendingDeliveries = new Map<number, () => void>();
  /** The student's timers, by id: a stand-in for each on the tester's clock. */
  readonly #standIns = new Map<number, StandIn>();
  #queue: Command[] = [];
  #nextHandle = 0;
  #nextCall = 0;
  /** Deliveries are numbered here, across all objects: replies are matched to requests by this number. */
  #nextRpc = 0;
  #closed = false;

  constructor(transport: StudentTransport, now: () => number, listener: BoundaryListener) {
    this.#transport = transport;
    this.#now = now;
    this.#listener = listener;
  }

  /** Build a student object; the constructor runs at the next settle. Resolves when it has returned. */
  construct(spec: Spec, listener: HandleListener): { handle: Handle; made: Promise<Outcome> } {
    const handle = ++this.#nextHandle;
    this.#handles.set(handle, listener);
    const call = ++this.#nextCall;
    this.#queue.push({ op: 'construct', call, handle, spec });
    return { handle, made: this.#awaitResult(call) };
  }

  /** Call a method of a student object; resolves to its decoded return value, or rejects with what it threw. */
  async invoke(handle: Handle, method: string, args: unknown[]): Promise<unknown> {
    const outcome = await this.#awaitResult(this.#queueInvoke(handle, method, args));
    if ('error' in outcome) throw studentError(`${method}() threw`, outcome.error);
    return outcome.value;
  }

  /** Call a method and ignore its outcome (kill, snapshot): queued in order like any other call. */
  post(handle: Handle, method: string, args: unknown[]): void {
    this.#results.set(this.#queueInvoke(handle, method, args), (outcome) => {
      if ('error' in outcome) this.#listener.crash(studentError(`${method}() threw`, outcome.error));
    });
  }

  #queueInvoke(handle: Handle, method: string, args: unknown[]): number {
    const call = ++this.#nextCall;
    this.#queue.push({ op: 'invoke', call, handle, method, args: encode(args, 'args') });
    return call;
  }

  /**
   * Hand an RPC to a handler; resolves to the reply's bytes, or rejects with what the handler threw.
   * `pending` is called once the batch that ran the handler is over, if it has not returned by then.
   */
  deliver(handle: Handle, svcMeth: string, args: Uint8Array, pending?: () => void): Promise<Uint8Array> {
    const rpc = ++this.#nextRpc;
    this.#queue.push({ op: 'deliver', rpc, handle, svcMeth, args });
    if (pending !== undefined) this.#pendingDeliveries.set(rpc, pending);
    return new Promise((resolve, reject) => {
      this.#handled.set(rpc, ({ reply, error }) => {
        if (reply !== undefined) resolve(reply);
        else reject(studentError('', error ?? 'the handler gave no reply'));
      });
    });
  }

  /** The answer to a student's outgoing call. */
  reply(call: number, reply: Uint8Array | null): void {
    if (!this.#closed) this.#queue.push({ op: 'reply', call, reply });
  }

  /**
   * A stand-in on the tester's clock for a student timer. The tester's globals are the virtual clock
   * (driver.ts): it is due exactly when the student's timer would be, and ties with the tester's own
   * timers go by the order they were set in (boundary effects are handled before any other, see #handle).
   */
  #timer(effect: TimerEffect): void {
    const id = effect.timer;
    this.#standIns.get(id)?.cancel();
    this.#standIns.delete(id);
    if (effect.op === 'clear') return;
    const due = (): void => {
      if (!effect.repeat) this.#standIns.delete(id);
      if (!this.#closed) this.#queue.push({ op: 'fire', timer: id });
    };
    if (effect.immediate) {
      const timer = setImmediate(due);
      this.#standIns.set(id, { cancel: () => clearImmediate(timer) });
    } else if (effect.repeat) {
      const timer = setInterval(due, effect.ms);
      this.#standIns.set(id, { cancel: () => clearInterval(timer) });
    } else {
      const timer = setTimeout(due, effect.ms);
      this.#standIns.set(id, { cancel: () => clearTimeout(timer) });
    }
  }

  /**
   * Run queued batches until none is left, handling every effect in order. `hop` lets the tester's own
   * continuations run between batches (the driver's native setImmediate hop).
   */
  async settle(hop: () => Promise<void>): Promise<void> {
    while (this.#queue.length > 0 && !this.#closed) {
      const batch = this.#queue;
      this.#queue = [];
      const effects = await this.#transport.run(batch, this.#now());
      this.#handle(effects);
      this.#armPolls(batch);
      if (effects.length > 0) await hop(); // nothing happened: nothing for the tester to do
    }
  }

  /** A handler handed its request in `batch` that has not returned: the network starts watching it. */
  #armPolls(batch: readonly Command[]): void {
    for (const command of batch) {
      if (command.op !== 'deliver') continue;
      const pending = this.#pendingDeliveries.get(command.rpc);
      this.#pendingDeliveries.delete(command.rpc);
      if (pending !== undefined && this.#handled.has(command.rpc)) pending();
    }
  }

  /** Stop: nothing more crosses; the student side is shut down. */
  close(): void {
    this.#closed = true;
    this.#queue = [];
    for (const standIn of this.#standIns.values()) standIn.cancel();
    this.#standIns.clear();
    this.#transport.close();
  }

  #awaitResult(call: number): Promise<Outcome> {
    return new Promise((resolve) => this.#results.set(call, resolve));
  }

  #handle(effects: readonly Effect[]): void {
    // Student timers first, in the order they were set: the student side set them before the tester
    // handled anything of the batch, so they are on the clock first (ties go by creation order).
    for (const effect of effects) {
      if (effect.op === 'timer' || effect.op === 'clear') this.#timer(effect);
    }
    for (const effect of effects) {
      if (this.#closed) return;
      try {
        this.#handleOne(effect);
      } catch (error) {
        this.#listener.crash(error instanceof Error ? error : new HarnessError(String(error)));
      }
    }
  }

  #handleOne(effect: Effect): void {
    switch (effect.op) {
      case 'timer':
      case 'clear':
        return;
      case 'call':
        return this.#listenerOf(effect.handle).call(effect);
      case 'persist':
        return this.#listenerOf(effect.handle).persist(effect);
      case 'apply': {
        const { apply, held } = effect;
        const listener = this.#listenerOf(effect.handle);
        if (listener.apply === undefined)
          throw new StudentCodeError(`an applyCh message from object ${effect.handle}, which has no applyCh`);
        return listener.apply(effect, () => {
          if (held && !this.#closed) this.#queue.push({ op: 'applied', apply });
        });
      }
      case 'result': {
        const resolve = this.#results.get(effect.call);
        if (resolve === undefined)
          throw new StudentCodeError(`a result for call ${effect.call}, which was never made`);
        this.#results.delete(effect.call);
        if (effect.error !== undefined) return resolve({ error: effect.error });
        return resolve({ value: effect.value === undefined ? null : decode(effect.value) });
      }
      case 'handled': {
        const resolve = this.#handled.get(effect.rpc);
        this.#handled.delete(effect.rpc);
        resolve?.(effect);
        return;
      }
      case 'debug':
        return this.#listener.debug(effect.server, effect.topic, effect.msg, effect.group);
      case 'crash':
        return this.#listener.crash(studentError('', effect.error));
    }
  }

  #listenerOf(handle: Handle): HandleListener {
    const listener = this.#handles.get(handle);
    if (listener === undefined)
      throw new StudentCodeError(`an effect of object ${handle}, which was never built`);
    return listener;
  }
}
