/**
 * The student side of the boundary: it holds the student's objects and runs the tester's commands on
 * them, and it hands the student the lab's API objects (client ends, a persister, an apply channel) whose
 * every use becomes an effect for the tester. The same code runs in the tester's thread (`npm test`) and
 * in the sandboxed child (grading), so a batch does the same thing in both.
 *
 * It trusts nothing the student's code does and the tester trusts nothing it says: values cross as codec
 * bytes, and the tester checks every result's shape before using it.
 */
import {
  ClientEnd,
  Persister,
  Server,
  Service,
  currentDebugSink,
  decode,
  encode,
  setDebugSink,
} from '../../../labrpc';
import type { ApplyCh, ApplyMsg } from '../../../raft';
import {
  INVOKABLE,
  type Command,
  type Effect,
  type Handle,
  type RaftSpec,
  type SampledState,
} from './protocol';

/** What the student's Raft module must provide (its constructor, as the handout declares it). */
export type RaftConstructor = new (
  peers: ClientEnd[],
  me: number,
  persister: Persister,
  applyCh: ApplyCh,
  initial: number[],
) => object;

export interface StudentModules {
  Raft: RaftConstructor;
}

interface Held {
  object: object | undefined;
  kind: 'raft';
  server: Server | undefined;
  constructing: boolean;
  snapshotEvery: number | null;
}

/** A thrown value as one line: `Name: message`. */
export function describeThrown(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  try {
    return `${typeof error === 'object' && error !== null ? 'thrown object' : typeof error}: ${String(error)}`;
  } catch {
    return 'an unprintable value was thrown';
  }
}

export class StudentHost {
  readonly #modules: StudentModules;
  readonly #held = new Map<Handle, Held>();
  /** End name → the handle of the object it was given to. */
  readonly #endOwner = new Map<string, Handle>();
  readonly #calls = new Map<number, (reply: unknown) => void>();
  readonly #applies = new Map<number, () => void>();
  #effects: Effect[] = [];
  #nextCall = 0;
  #nextApply = 0;
  #sampling = false;
  readonly #fire: ((timer: number) => void) | undefined;

  constructor(modules: StudentModules, fire?: (timer: number) => void) {
    this.#modules = modules;
    this.#fire = fire;
  }

  /** Route debugLog lines into the effects (the tester records them in the trace, in order). */
  captureDebugLines(): () => void {
    const before = currentDebugSink();
    setDebugSink((server, topic, msg, group) =>
      this.emit(
        group === undefined
          ? { op: 'debug', server, topic, msg }
          : { op: 'debug', server, topic, msg, group },
      ),
    );
    return () => setDebugSink(before);
  }

  emit(effect: Effect): void {
    this.#effects.push(effect);
  }

  /** The effects since the last take, in order. */
  take(): Effect[] {
    const effects = this.#effects;
    this.#effects = [];
    return effects;
  }

  /** Run a batch, in order, back to back: what they set off runs when the caller next yields. */
  run(batch: readonly Command[]): void {
    for (const command of batch) this.#runOne(command);
  }

  #runOne(command: Command): void {
    switch (command.op) {
      case 'construct':
        return this.#construct(command.call, command.handle, command.spec);
      case 'invoke':
        return this.#invoke(command.call, command.handle, command.method, command.args);
      case 'deliver':
        return this.#deliver(command.rpc, command.handle, command.svcMeth, command.args);
      case 'reply': {
        const resolve = this.#calls.get(command.call);
        this.#calls.delete(command.call);
        resolve?.(command.reply === null ? null : decode(command.reply));
        return;
      }
      case 'applied': {
        const resolve = this.#applies.get(command.apply);
        this.#applies.delete(command.apply);
        resolve?.();
        return;
      }
      case 'fire':
        this.#fire?.(command.timer);
        return;
    }
  }

  #construct(call: number, handle: Handle, spec: RaftSpec): void {
    const held: Held = {
      object: undefined,
      kind: spec.kind,
      server: undefined,
      constructing: true,
      snapshotEvery: spec.snapshotEvery,
    };
    this.#held.set(handle, held);
    const transport = {
      send: (end: string, svcMeth: string, args: unknown) => this.#send(end, svcMeth, args),
    };
    const ends = spec.ends.map((name) => {
      this.#endOwner.set(name, handle);
      return new ClientEnd(name, transport);
    });
    const persister = new Persister();
    persister.saveStateAndSnapshot(spec.raftState, spec.snapshot);
    persister.watchSaves((raftState, snapshot) => this.emit({ op: 'persist', handle, raftState, snapshot }));
    const applyCh: ApplyCh = (msg: ApplyMsg) => this.#apply(handle, msg);
    try {
      held.object = new this.#modules.Raft(ends, spec.me, persister, applyCh, spec.initial);
      const server = new Server();
      server.addService(Service.of(held.object, 'Raft'));
      held.server = server;
      this.emit({ op: 'result', call, value: encode(null) });
    } catch (error) {
      this.emit({ op: 'result', call, error: describeThrown(error) });
    } finally {
      held.constructing = false;
    }
  }

  #invoke(call: number, handle: Handle, method: string, args: Uint8Array): void {
    const held = this.#held.get(handle);
    if (held !== undefined && held.object === undefined && method === 'kill') {
      // Its constructor threw (the tester has been told): there is nothing to stop.
      this.emit({ op: 'result', call, value: encode(null) });
      return;
    }
    const fn: unknown =
      held?.object === undefined ? undefined : (held.object as Record<string, unknown>)[method];
    if (held === undefined || typeof fn !== 'function' || !INVOKABLE[held.kind].includes(method)) {
      this.emit({ op: 'result', call, error: `TypeError: ${method} is not a method of this peer` });
      return;
    }
    try {
      const value: unknown = (fn as (...a: unknown[]) => unknown).apply(held.object, decode<unknown[]>(args));
      if (isThenable(value)) {
        value.then(
          (settled) => this.#result(call, settled),
          (error: unknown) => this.emit({ op: 'result', call, error: describeThrown(error) }),
        );
      } else {
        this.#result(call, value);
      }
    } catch (error) {
      this.emit({ op: 'result', call, error: describeThrown(error) });
    }
  }

  #result(call: number, value: unknown): void {
    try {
      this.emit({ op: 'result', call, value: encode(value ?? null, 'result') });
    } catch (error) {
      this.emit({ op: 'result', call, error: describeThrown(error) });
    }
  }

  #deliver(rpc: number, handle: Handle, svcMeth: string, args: Uint8Array): void {
    const server = this.#held.get(handle)?.server;
    if (server === undefined) {
      this.emit({ op: 'handled', rpc, error: `no server to take ${svcMeth}` });
      return;
    }
    server.dispatch(svcMeth, args).then(
      (reply) => this.emit({ op: 'handled', rpc, reply }),
      (error: unknown) => this.emit({ op: 'handled', rpc, error: describeThrown(error) }),
    );
  }

  #send(end: string, svcMeth: string, args: unknown): Promise<unknown> {
    const handle = this.#endOwner.get(end) as Handle;
    const bytes = encode(args, 'args'); // before the caller can change them
    const call = ++this.#nextCall;
    this.emit({ op: 'call', call, handle, end, svcMeth, args: bytes, state: this.#sample(handle) });
    return new Promise((resolve) => this.#calls.set(call, resolve));
  }

  /** The sender's getState() at the send, as the tester's Election Safety check asks it. */
  #sample(handle: Handle): SampledState | null {
    const held = this.#held.get(handle);
    if (held?.object === undefined || this.#sampling) return null;
    this.#sampling = true;
    try {
      const state = (held.object as { getState(): unknown }).getState();
      const { term, isLeader } = (state ?? {}) as { term?: unknown; isLeader?: unknown };
      return typeof term === 'number' && typeof isLeader === 'boolean'
        ? { term, isLeader }
        : { error: 'TypeError: getState() did not return { term: number, isLeader: boolean }' };
    } catch (error) {
      return { error: describeThrown(error) };
    } finally {
      this.#sampling = false;
    }
  }

  /**
   * An applyCh call. It returns at once, as the tester's plain applier does, unless the tester will hand
   * the peer a snapshot from inside it (Go's applier calls Snapshot before it reads the next message):
   * then it returns when the tester says so, after the snapshot.
   */
  #apply(handle: Handle, msg: ApplyMsg): Promise<void> | undefined {
    const apply = ++this.#nextApply;
    const held = this.#held.get(handle);
    const constructing = held?.constructing ?? false;
    const every = held?.snapshotEvery ?? null;
    const wait = every !== null && msg.kind === 'command' && (msg.commandIndex + 1) % every === 0;
    this.emit({ op: 'apply', apply, handle, msg: encode(msg, 'applyMsg'), constructing, held: wait });
    return wait ? new Promise((resolve) => this.#applies.set(apply, resolve)) : undefined;
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
