/**
 * The tester's side of the services built on Raft (3A–4B) behind the boundary (tests/harness/boundary):
 * the student's servers and clerks are built across it, and the tester holds only handles to them —
 * `RemotePeer` for a server's Raft peer (its getState, 3C's changeConfig, kill), and the clerks below,
 * whose operations are messages whose answers are checked for their shape before a test sees them.
 *
 * Every RPC a student object sends arrives here as a `call` effect and goes through the tester's
 * network: a server's through labrpc's links, a clerk's through the client link as well (client-link.ts
 * says why), a shardkv end made by makeEnd(name) through a fresh network end to the server it names.
 * The same wiring serves kvraft's, the shard controller's and shardkv's configs.
 */
import { decode, freezeClass, sleep, type Network, type Persister } from '../../labrpc';
import type { Config } from '../../shardctrler';
import { Boundary, StudentCodeError, persistInto, studentError } from '../harness/boundary/boundary';
import { openBoundary } from '../harness/boundary/open';
import {
  MADE_END,
  STUDENT_CLASS,
  type ClerkKind,
  type Effect,
  type Handle,
  type ServerSpec,
} from '../harness/boundary/protocol';
import type { StudentModules } from '../harness/boundary/student-host';
import type { LabContext } from '../harness';
import { RemotePeer, type PeerState } from '../raft/remote-peer';
import { RemoteServer } from '../raft/remote-server';
import { CLIENT_LINK_MS } from './client-link';

/** Holds one reply back (the 4B scripted tests' gate, shardkv/reply-gate.ts). */
export interface ReplyHolder {
  take(svcMeth: string, reply: unknown): boolean;
  readonly released: Promise<void>;
}

/** Who holds a student object's ends, and how its calls travel. */
interface Holder {
  /** How messages name it: "S2", "C1005", "server-101-2". */
  name: string;
  /** The network's names of the ends it was given (the student side knows them by the same names). */
  ends: Set<string>;
  /** shardkv's makeEnd: a fresh network end to the server `name`; returns the end's network name. */
  made?: (server: string) => string;
  /** Ends made so far: the student side's name → the network's. */
  madeEnds: Map<string, string>;
  /** Which of its calls cross the client link: a kvraft clerk's all, a shardkv clerk's to servers only. */
  link: 'all' | 'made' | 'none';
  gate?: ReplyHolder;
  /** A server's Raft peer: what it says about itself at each RPC it sends. */
  peer?: RemotePeer;
}

export interface ServerOptions {
  /** How messages name it ("S2", "server-101-2"). */
  name: string;
  /** What it persisted so far (read now); its saves go into it. */
  persister: Persister;
  made?: (server: string) => string;
  /** Its constructor threw (the run fails with it): the config forgets the server. */
  threw: (error: string) => void;
}

export interface ClerkOptions {
  name: string;
  /**
   * Which of its calls cross the client link (client-link.ts): 'all' (the default; kvraft's clerk),
   * 'made' (shardkv's clerk: to the servers, not to the controllers), 'none' (the controller's clerk).
   */
  link?: 'all' | 'made' | 'none';
  made?: (server: string) => string;
  gate?: ReplyHolder;
}

export class StudentObjects {
  readonly boundary: Boundary;
  readonly #ctx: LabContext;
  readonly #net: Network;

  constructor(ctx: LabContext, net: Network, modules: () => StudentModules) {
    this.#ctx = ctx;
    this.#net = net;
    this.boundary = openBoundary(ctx, modules);
  }

  /**
   * Build a server (`spec`, without what its persister holds) and return its Raft peer's handle and the
   * network's stand-in for it (net.addServer it).
   */
  server(
    spec: Omit<ServerSpec, 'raftState' | 'snapshot'>,
    options: ServerOptions,
  ): { peer: RemotePeer; target: RemoteServer } {
    const { persister } = options;
    const holder: Holder = {
      name: options.name,
      ends: new Set([...spec.ends, ...spec.ctrlers]),
      made: options.made,
      madeEnds: new Map(),
      link: 'none',
    };
    const { handle, made } = this.boundary.construct(
      { ...spec, raftState: persister.readRaftState(), snapshot: persister.readSnapshot() },
      {
        call: (effect) => void this.#route(holder, effect),
        persist: persistInto(persister),
      },
    );
    const peer = new RemotePeer(this.boundary, handle, spec.me, () => this.#ctx.now(), 'raft.');
    holder.peer = peer;
    void made.then((outcome) => {
      if (!('error' in outcome)) return;
      options.threw(outcome.error);
      this.#ctx.fail(
        studentError(
          `the ${STUDENT_CLASS[spec.kind].exported} constructor of ${options.name} threw`,
          outcome.error,
        ),
      );
    });
    return { peer, target: new RemoteServer(this.boundary, handle) };
  }

  /** Build a clerk of `kind` with `ends` (to the servers; to the controllers for shardkv's). */
  clerk(kind: ClerkKind, ends: readonly string[], options: ClerkOptions): Handle {
    const holder: Holder = {
      name: options.name,
      ends: new Set(ends),
      made: options.made,
      madeEnds: new Map(),
      link: options.link ?? 'all',
      gate: options.gate,
    };
    const { handle, made } = this.boundary.construct(
      { kind, ends: [...ends] },
      { call: (effect) => void this.#route(holder, effect), persist: () => this.#noPersister(options.name) },
    );
    void made.then((outcome) => {
      if ('error' in outcome)
        this.#ctx.fail(
          studentError(
            `the ${STUDENT_CLASS[kind].exported} constructor of ${options.name} threw`,
            outcome.error,
          ),
        );
    });
    return handle;
  }

  #noPersister(name: string): never {
    throw new StudentCodeError(`${name} saved to a persister, but a clerk is given none`);
  }

  /** A student object's RPC: through the network (and the client link, for a clerk); the reply goes back. */
  async #route(holder: Holder, effect: Extract<Effect, { op: 'call' }>): Promise<void> {
    const end = this.#networkEnd(holder, effect.end);
    if (effect.state !== null) holder.peer?.report(effect.state); // its getState() at the send
    const link = holder.link === 'all' || (holder.link === 'made' && end !== effect.end);
    if (link) await sleep(CLIENT_LINK_MS);
    let reply = await this.#net.sendEncoded(end, effect.svcMeth, effect.args, decode(effect.args));
    if (link) await sleep(CLIENT_LINK_MS);
    const gate = holder.gate;
    if (gate !== undefined && reply !== null && gate.take(effect.svcMeth, decode(reply))) {
      await gate.released;
      reply = null; // held, then lost
    }
    this.boundary.reply(effect.call, reply);
  }

  /** The network's end for an end the student side used: one it was given, or one its makeEnd made. */
  #networkEnd(holder: Holder, end: string): string {
    if (holder.ends.has(end)) return end;
    const known = holder.madeEnds.get(end);
    if (known !== undefined) return known;
    const made = MADE_END.exec(end);
    if (made === null || holder.made === undefined) {
      throw new StudentCodeError(`${holder.name} sent an RPC through an end it was not given (${end})`);
    }
    const name = holder.made(made[1]);
    holder.madeEnds.set(end, name);
    return name;
  }

  close(): void {
    this.boundary.close();
  }
}

/**
 * Go's config.Leader(): the first server whose Raft says it leads, as [true, i]; [false, 0] if none
 * does. Every live server is asked at once (one exchange); `claim` sees each answer (Election Safety).
 */
export async function firstLeader(
  servers: readonly (RemotePeer | null)[],
  claim: (i: number, state: PeerState) => void = () => {},
): Promise<[boolean, number]> {
  const states = await Promise.all(servers.map((peer) => peer?.getState() ?? null));
  states.forEach((state, i) => state !== null && claim(i, state));
  const first = states.findIndex((state) => state?.isLeader === true);
  return first === -1 ? [false, 0] : [true, first];
}

// --- clerks --------------------------------------------------------------------------------------

/** What a clerk operation returned, checked: a string for a Get, nothing for a Put or Append. */
function text(method: string, value: unknown): string {
  if (typeof value !== 'string')
    throw new StudentCodeError(
      `Clerk.${method}() must resolve to a string; it resolved to ${describe(value)}`,
    );
  return value;
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'object') return `an object (${JSON.stringify(value).slice(0, 80)})`;
  return `${typeof value} ${String(value).slice(0, 80)}`;
}

/** A clerk across the boundary: each operation is an invoke, resolved when the student's returns. */
abstract class RemoteClerk {
  readonly #boundary: Boundary;
  readonly handle: Handle;

  constructor(boundary: Boundary, handle: Handle) {
    this.#boundary = boundary;
    this.handle = handle;
  }

  protected call(method: string, args: unknown[]): Promise<unknown> {
    return this.#boundary.invoke(this.handle, method, args);
  }
}

/** The tester's handle on a kvraft or shardkv clerk: the same three operations, across the boundary. */
export class KvClerk extends RemoteClerk {
  async get(key: string): Promise<string> {
    return text('get', await this.call('get', [key]));
  }

  async put(key: string, value: string): Promise<void> {
    await this.call('put', [key, value]);
  }

  async append(key: string, value: string): Promise<void> {
    await this.call('append', [key, value]);
  }
}

/** The tester's handle on a shard controller clerk (4A, and the tester's own in 4B). */
export class CtrlerClerk extends RemoteClerk {
  async query(num: number): Promise<Config> {
    return config(await this.call('query', [num]));
  }

  async join(servers: Record<number, string[]>): Promise<void> {
    await this.call('join', [servers]);
  }

  async leave(gids: number[]): Promise<void> {
    await this.call('leave', [gids]);
  }

  async move(shard: number, gid: number): Promise<void> {
    await this.call('move', [shard, gid]);
  }
}

/** A Query's result, checked to be a Config: { num, shards: gid per shard, groups: gid → server names }. */
function config(value: unknown): Config {
  const c = value as Partial<Config> | null;
  const bad = (what: string): never => {
    throw new StudentCodeError(
      `Clerk.query() must resolve to a Config; ${what} (it resolved to ${describe(value)})`,
    );
  };
  if (typeof c !== 'object' || c === null) return bad('it is not an object');
  if (typeof c.num !== 'number') bad('its num is not a number');
  if (!Array.isArray(c.shards) || !c.shards.every((gid) => typeof gid === 'number'))
    bad('its shards is not an array of gids');
  const groups: unknown = c.groups;
  if (typeof groups !== 'object' || groups === null || Array.isArray(groups))
    bad('its groups is not an object');
  for (const servers of Object.values(groups as object)) {
    if (!Array.isArray(servers) || !servers.every((s) => typeof s === 'string'))
      bad("its groups' values are not arrays of server names");
  }
  return c as Config;
}

// The tester's own classes cannot be patched by the code under test (labrpc/freeze.ts).
freezeClass(StudentObjects, RemoteClerk, KvClerk, CtrlerClerk);
