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
  STUDENT_CLASS,
  type Command,
  type Effect,
  type Handle,
  type RaftSpec,
  type SampledState,
  type ServerSpec,
  type Spec,
  type StudentKind,
} from './protocol';

/** What the student's Raft module must provide (its constructor, as the handout declares it). */
export type RaftConstructor = new (
  peers: ClientEnd[],
  me: number,
  persister: Persister,
  applyCh: ApplyCh,
  initial: number[],
) => object;

/** The handout's constructors of the services built on Raft (kvraft, shardctrler, shardkv) and their clerks. */
export type KVServerConstructor = new (
  servers: ClientEnd[],
  me: number,
  persister: Persister,
  maxraftstate: number,
  initial?: readonly number[],
) => object;
export type CtrlerConstructor = new (servers: ClientEnd[], me: number, persister: Persister) => object;
export type ShardKVConstructor = new (
  servers: ClientEnd[],
  me: number,
  persister: Persister,
  maxraftstate: number,
  gid: number,
  ctrlers: ClientEnd[],
  makeEnd: (name: string) => ClientEnd,
) => object;
export type ClerkConstructor = new (servers: ClientEnd[]) => object;
export type ShardClerkConstructor = new (
  ctrlers: ClientEnd[],
  makeEnd: (name: string) => ClientEnd,
) => object;

/**
 * The student's modules, each read only when an object of its kind is built (the child's are getters
 * that load the module then): a 2A run never loads kvraft, so a kvraft that fails to load costs 2A
 * nothing.
 */
export interface StudentModules {
  readonly Raft: RaftConstructor;
  readonly KVServer?: KVServerConstructor;
  readonly KVClerk?: ClerkConstructor;
  readonly ShardCtrler?: CtrlerConstructor;
  readonly CtrlerClerk?: ClerkConstructor;
  readonly ShardKV?: ShardKVConstructor;
  readonly ShardClerk?: ShardClerkConstructor;
}

interface Held {
  object: object | undefined;
  kind: StudentKind;
  server: Server | undefined;
  constructing: boolean;
  snapshotEvery: number | null;
}

/** The most stack frames of student code a thrown value carries across (enough to find the line). */
const MAX_FRAMES = 10;

/**
 * A thrown value as one line, `Name: message`, then the stack frames where it was thrown (those of its
 * innermost cause: an RpcHandlerError carries the handler's error as its cause), one per line. The tester
 * keeps the frames out of the failure's message — which goes into the trace, whose hash must not depend
 * on file paths — and shows them as the failure's stack (boundary.ts, studentError).
 */
export function describeThrown(error: unknown): string {
  if (!(error instanceof Error)) {
    try {
      return `${typeof error === 'object' && error !== null ? 'thrown object' : typeof error}: ${String(error)}`;
    } catch {
      return 'an unprintable value was thrown';
    }
  }
  let innermost: Error = error;
  while (innermost.cause instanceof Error) innermost = innermost.cause;
  const frames = (innermost.stack ?? '')
    .split('\n')
    .filter((line) => /^\s+at /.test(line))
    .slice(0, MAX_FRAMES)
    .map((line) => line.slice(0, 300));
  return [`${error.name}: ${error.message}`, ...frames].join('\n');
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
  #nextMade = 0;
  #sampling = false;
  readonly #transport = {
    send: (end: string, svcMeth: string, args: unknown) => this.#send(end, svcMeth, args),
  };
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
    const effects = coalescePersists(this.#effects);
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

  #construct(call: number, handle: Handle, spec: Spec): void {
    const held: Held = {
      object: undefined,
      kind: spec.kind,
      server: undefined,
      constructing: true,
      snapshotEvery: spec.kind === 'raft' ? spec.snapshotEvery : null,
    };
    this.#held.set(handle, held);
    try {
      held.object = this.#make(handle, spec);
      held.server = this.#serve(held);
      this.emit({ op: 'result', call, value: encode(null) });
    } catch (error) {
      this.emit({ op: 'result', call, error: describeThrown(error) });
    } finally {
      held.constructing = false;
    }
  }

  /** Run the constructor of `spec`'s kind with the lab's API objects, as the handout declares it. */
  #make(handle: Handle, spec: Spec): object {
    const { module, folder, exported } = STUDENT_CLASS[spec.kind];
    const Made = this.#modules[module] as (new (...args: never[]) => object) | undefined;
    if (typeof Made !== 'function')
      throw new TypeError(`${folder}/${exported} is not a class the submission exports`);
    const ends = this.#ends(handle, spec.ends);
    switch (spec.kind) {
      case 'raft': {
        const persister = this.#persister(handle, spec);
        const applyCh: ApplyCh = (msg: ApplyMsg) => this.#apply(handle, msg);
        return new (Made as RaftConstructor)(ends, spec.me, persister, applyCh, spec.initial);
      }
      case 'kvserver': {
        const { me, maxraftstate, initial } = spec;
        const persister = this.#persister(handle, spec);
        return initial === null
          ? new (Made as KVServerConstructor)(ends, me, persister, maxraftstate)
          : new (Made as KVServerConstructor)(ends, me, persister, maxraftstate, initial);
      }
      case 'ctrler':
        return new (Made as CtrlerConstructor)(ends, spec.me, this.#persister(handle, spec));
      case 'shardkv': {
        const { me, maxraftstate, gid } = spec;
        const persister = this.#persister(handle, spec);
        const ctrlers = this.#ends(handle, spec.ctrlers);
        return new (Made as ShardKVConstructor)(
          ends,
          me,
          persister,
          maxraftstate,
          gid,
          ctrlers,
          this.#makeEnd(handle),
        );
      }
      case 'shardclerk':
        return new (Made as ShardClerkConstructor)(ends, this.#makeEnd(handle));
      case 'kvclerk':
      case 'ctrlerclerk':
        return new (Made as ClerkConstructor)(ends);
    }
  }

  /** The client ends named `names`, each of whose calls becomes a `call` effect of `handle`. */
  #ends(handle: Handle, names: readonly string[]): ClientEnd[] {
    return names.map((name) => {
      this.#endOwner.set(name, handle);
      return new ClientEnd(name, this.#transport);
    });
  }

  /** shardkv's make_end: a fresh end to the server called `name`, whichever it is (the tester routes it). */
  #makeEnd(handle: Handle): (name: string) => ClientEnd {
    return (name) => this.#ends(handle, [`make:${String(name)}#${++this.#nextMade}`])[0];
  }

  /** A persister holding what the tester says the server saved, whose every save becomes an effect. */
  #persister(handle: Handle, spec: RaftSpec | ServerSpec): Persister {
    const persister = new Persister();
    persister.saveStateAndSnapshot(spec.raftState, spec.snapshot);
    persister.watchSaves((raftState, snapshot) => this.emit({ op: 'persist', handle, raftState, snapshot }));
    return persister;
  }

  /** The handlers of a peer, or of a server and its Raft peer; a clerk serves nothing. */
  #serve(held: Held): Server | undefined {
    if (isClerk(held.kind)) return undefined;
    const server = new Server();
    if (held.kind !== 'raft')
      server.addService(Service.of(held.object as object, STUDENT_CLASS[held.kind].exported));
    const raft = raftOf(held);
    if (raft !== undefined) server.addService(Service.of(raft, 'Raft'));
    return server;
  }

  #invoke(call: number, handle: Handle, method: string, args: Uint8Array): void {
    const held = this.#held.get(handle);
    if (held !== undefined && held.object === undefined && method === 'kill') {
      // Its constructor threw (the tester has been told): there is nothing to stop.
      this.emit({ op: 'result', call, value: encode(null) });
      return;
    }
    if (held === undefined || !INVOKABLE[held.kind].includes(method)) {
      this.emit({
        op: 'result',
        call,
        error: `TypeError: ${method} is not a method the tester may call here`,
      });
      return;
    }
    try {
      // A server's Raft peer answers `raft.<method>` (3C's changeConfig, the tester's getState).
      const target = method.startsWith('raft.') ? raftOf(held) : held.object;
      const name = method.replace(/^raft\./, '');
      const fn: unknown = target === undefined ? undefined : (target as Record<string, unknown>)[name];
      if (typeof fn !== 'function') throw new TypeError(`${method} is not a method of this ${held.kind}`);
      const value: unknown = (fn as (...a: unknown[]) => unknown).apply(target, decode<unknown[]>(args));
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
    if (held === undefined || isClerk(held.kind) || this.#sampling) return null;
    this.#sampling = true;
    try {
      const peer = raftOf(held);
      if (peer === undefined) return null;
      const state = (peer as { getState(): unknown }).getState();
      const { term, isLeader } = (state ?? {}) as { term?: unknown; isLeader?: unknown };
      return typeof term === 'number' && typeof isLeader === 'boolean'
        ? { term, isLeader }
        : { error: 'TypeError: getState() did not return { term: number, isLeader: boolean }' };
    } catch (error) {
      return { error: describeThrown(error).split('\n')[0] };
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

type PersistEffect = Extract<Effect, { op: 'persist' }>;

/**
 * One persist effect per object per batch, where its last save was: the state it saved last, with the
 * last snapshot it saved in the batch (if any). Only what an object persisted when a batch ends can
 * survive a crash (the tester crashes servers between batches), and a save's bytes are the persister's
 * own buffer, which the next save reuses (Persister.watchSaves): only the last save's are whole.
 */
function coalescePersists(effects: Effect[]): Effect[] {
  const last = new Map<Handle, { at: number; snapshot: Uint8Array | null }>();
  effects.forEach((effect, at) => {
    if (effect.op !== 'persist') return;
    last.set(effect.handle, { at, snapshot: effect.snapshot ?? last.get(effect.handle)?.snapshot ?? null });
  });
  if (last.size === 0) return effects;
  return effects.flatMap((effect, at): Effect[] => {
    if (effect.op !== 'persist') return [effect];
    const kept = last.get(effect.handle) as { at: number; snapshot: Uint8Array | null };
    if (kept.at !== at) return [];
    return [{ ...effect, snapshot: kept.snapshot } satisfies PersistEffect];
  });
}

function isClerk(kind: StudentKind): boolean {
  return kind === 'kvclerk' || kind === 'ctrlerclerk' || kind === 'shardclerk';
}

/**
 * The Raft peer of an object: a peer itself; a server's, kvraft's `rf` or what the controller's and
 * shardkv's `raft()` return (as the handouts declare them); undefined for a clerk, or if there is none.
 */
function raftOf(held: Held): object | undefined {
  const object = held.object as Record<string, unknown> | undefined;
  if (object === undefined || isClerk(held.kind)) return undefined;
  if (held.kind === 'raft') return object;
  const raft: unknown =
    typeof object.raft === 'function' ? (object.raft as () => unknown).call(object) : object.rf;
  return typeof raft === 'object' && raft !== null ? raft : undefined;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
