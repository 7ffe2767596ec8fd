/**
 * The shard controller's test configuration (6.824 shardctrler/config.go, 2022 edition; catalog §2.5):
 * n controller servers, each with its Raft peer, on one simulated network (reliable in every 4A test),
 * plus clerks; servers shut down and restart from a copy of what they persisted.
 *
 * Differences from Go, on purpose: no mutexes (one thread); helpers throw a LabCheckFailure instead of
 * t.Fatalf; the 120 s limit is enforced by the driver as the test runs, not only at cleanup.
 *
 * We grade with the original tests' semantics; this copy may be changed while debugging, but a
 * solution must pass the unmodified one.
 */
import { Network, Persister, Server, Service, freezeClass, randomInt, type ClientEnd } from '../../labrpc';
import { Clerk, ShardCtrler } from '../../shardctrler';
import { LabCheckFailure, formatVirtual, traceNetwork, type LabContext } from '../harness';
import { randString } from '../raft/config';
import { recordFault } from '../raft/faults';

export class CtrlerConfig {
  readonly ctx: LabContext;
  readonly n: number;
  readonly net = new Network();
  readonly servers: (ShardCtrler | null)[];
  readonly saved: (Persister | null)[];
  /** endnames[i][j]: the end server i uses to reach server j (fresh on every start of i). */
  readonly #endnames: string[][];
  readonly #clerks = new Map<Clerk, string[]>();
  readonly #owner = new Map<string, { from: number | string; to: number }>();
  #nextClientId: number;

  constructor(ctx: LabContext, n: number, unreliable: boolean) {
    this.ctx = ctx;
    this.n = n;
    this.servers = new Array<ShardCtrler | null>(n).fill(null);
    this.saved = new Array<Persister | null>(n).fill(null);
    this.#endnames = Array.from({ length: n }, () => []);
    this.#nextClientId = n + 1000;
    traceNetwork(ctx.trace, this.net, (end) => this.#owner.get(end));
    ctx.defer(() => this.cleanup());
    for (let i = 0; i < n; i++) this.startServer(i);
    this.connectAll();
    recordFault(ctx, { action: 'unreliable', on: unreliable });
    this.net.reliable(!unreliable);
  }

  /** Fail the test now with a message naming the check and the virtual time. */
  fail(message: string): never {
    throw new LabCheckFailure(`${message} (at ${formatVirtual(this.ctx.now())})`);
  }

  /** [0, 1, …, n-1]. */
  all(): number[] {
    return Array.from({ length: this.n }, (_, i) => i);
  }

  /** Start (or restart) server i from a copy of what it persisted; its links to peers start disabled. */
  startServer(i: number): void {
    recordFault(this.ctx, { action: 'start', server: i });
    this.#endnames[i] = Array.from({ length: this.n }, () => randString(20));
    const ends = this.#endnames[i].map((name, j): ClientEnd => {
      const end = this.net.makeEnd(name);
      this.#owner.set(name, { from: i, to: j });
      this.net.connect(name, j);
      return end;
    });
    const saved = this.saved[i];
    this.saved[i] = saved === null ? new Persister() : saved.copy();
    const sc = new ShardCtrler(ends, i, this.saved[i] as Persister);
    this.servers[i] = sc;
    const server = new Server();
    server.addService(Service.of(sc));
    server.addService(Service.of(sc.raft()));
    this.net.addServer(i, server);
  }

  /** Crash server i: cut it off, delete it from the net, keep a copy of what it persisted, kill it. */
  shutdownServer(i: number): void {
    recordFault(this.ctx, { action: 'crash', server: i });
    this.disconnect(i, this.all());
    // Delete first: a reply from the old server must not arrive after its persister was replaced.
    this.net.deleteServer(i);
    const saved = this.saved[i];
    if (saved !== null) this.saved[i] = saved.copy();
    this.servers[i]?.kill();
    this.servers[i] = null;
  }

  /** Enable the links between server i and the servers in `to`, both directions. */
  connect(i: number, to: readonly number[]): void {
    for (const j of to) {
      this.net.enable(this.#endnames[i][j], true);
      this.net.enable(this.#endnames[j][i], true);
    }
  }

  /** Disable the links between server i and the servers in `from`, both directions. */
  disconnect(i: number, from: readonly number[]): void {
    for (const j of from) {
      if (this.#endnames[i][j] !== undefined) this.net.enable(this.#endnames[i][j], false);
      if (this.#endnames[j][i] !== undefined) this.net.enable(this.#endnames[j][i], false);
    }
  }

  connectAll(): void {
    recordFault(this.ctx, { action: 'connect-all' });
    for (let i = 0; i < this.n; i++) this.connect(i, this.all());
  }

  /** A new clerk with ends to every server, shuffled; only the ends to the servers in `to` work. */
  makeClient(to: readonly number[]): Clerk {
    const id = this.#nextClientId++;
    const names = Array.from({ length: this.n }, () => randString(20));
    const ends = names.map((name, j): ClientEnd => {
      const end = this.net.makeEnd(name);
      this.#owner.set(name, { from: `C${id}`, to: j });
      this.net.connect(name, j);
      return end;
    });
    const ck = new Clerk(randomHandles(ends));
    this.#clerks.set(ck, names);
    for (const j of to) this.net.enable(names[j], true);
    return ck;
  }

  /** The first live server whose Raft says it is leader; [false, 0] if none does. */
  leader(): [boolean, number] {
    for (let i = 0; i < this.n; i++) {
      const sc = this.servers[i];
      if (sc !== null && sc.raft().getState().isLeader) return [true, i];
    }
    return [false, 0];
  }

  /** Deferred in every test: kill every server and stop the network, so nothing runs after the test. */
  cleanup(): void {
    for (let i = 0; i < this.n; i++) {
      this.servers[i]?.kill();
      this.servers[i] = null;
    }
    this.net.cleanup();
  }
}

/** A shuffled copy of the ends (Go's random_handles, Fisher–Yates from the seeded Math.random). */
export function randomHandles<T>(ends: readonly T[]): T[] {
  const out = [...ends];
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

freezeClass(CtrlerConfig);
