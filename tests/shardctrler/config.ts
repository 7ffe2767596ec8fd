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
import { Network, Server, Service, freezeClass, type Persister } from '../../labrpc';
import { Clerk, ShardCtrler } from '../../shardctrler';
import { LabCheckFailure, formatVirtual, type LabContext } from '../harness';
import { ServerMesh, randomHandles } from '../kvraft/server-mesh';
import { recordFault } from '../raft/faults';

export class CtrlerConfig {
  readonly ctx: LabContext;
  readonly n: number;
  readonly net = new Network();
  readonly servers: (ShardCtrler | null)[];
  readonly saved: (Persister | null)[];
  /** The servers' ends, links and persisters (tests/kvraft/server-mesh.ts, shared with kvraft's config). */
  readonly #mesh: ServerMesh;
  readonly #clerks = new Map<Clerk, string[]>();
  #nextClientId: number;

  constructor(ctx: LabContext, n: number, unreliable: boolean) {
    this.ctx = ctx;
    this.n = n;
    this.servers = new Array<ShardCtrler | null>(n).fill(null);
    this.#mesh = new ServerMesh(ctx, this.net, n);
    this.saved = this.#mesh.saved;
    this.#nextClientId = n + 1000;
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
    return this.#mesh.all();
  }

  /** Start (or restart) server i from a copy of what it persisted; its links to peers start disabled. */
  startServer(i: number): void {
    const { ends, persister } = this.#mesh.startServer(i);
    const sc = new ShardCtrler(ends, i, persister);
    this.servers[i] = sc;
    const server = new Server();
    server.addService(Service.of(sc));
    server.addService(Service.of(sc.raft()));
    this.net.addServer(i, server);
  }

  /** Crash server i: cut it off, delete it from the net, keep a copy of what it persisted, kill it. */
  shutdownServer(i: number): void {
    this.#mesh.shutdownServer(i);
    this.servers[i]?.kill();
    this.servers[i] = null;
  }

  /** Enable the links between server i and the servers in `to`, both directions. */
  connect(i: number, to: readonly number[]): void {
    this.#mesh.connect(i, to);
  }

  /** Disable the links between server i and the servers in `from`, both directions. */
  disconnect(i: number, from: readonly number[]): void {
    this.#mesh.disconnect(i, from);
  }

  connectAll(): void {
    this.#mesh.connectAll();
  }

  /** A new clerk with ends to every server, shuffled; only the ends to the servers in `to` work. */
  makeClient(to: readonly number[]): Clerk {
    const id = this.#nextClientId++;
    const { names, ends } = this.#mesh.clientEnds(`C${id}`);
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

freezeClass(CtrlerConfig);
