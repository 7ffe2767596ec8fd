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
import { Network, freezeClass, type Persister } from '../../labrpc';
import { Raft } from '../../raft';
import { Clerk, ShardCtrler } from '../../shardctrler';
import { LabCheckFailure, formatVirtual, type LabContext } from '../harness';
import type { RaftConstructor } from '../harness/boundary/student-host';
import { ServerMesh, randomHandles } from '../kvraft/server-mesh';
import { CtrlerClerk, StudentObjects, firstLeader } from '../kvraft/student-objects';
import type { RemotePeer } from '../raft/remote-peer';
import { recordFault } from '../raft/faults';

export class CtrlerConfig {
  readonly ctx: LabContext;
  readonly n: number;
  readonly net = new Network();
  /** Each server's handle across the boundary (its Raft peer's getState, and kill). */
  readonly servers: (RemotePeer | null)[];
  readonly saved: (Persister | null)[];
  /** The servers' ends, links and persisters (tests/kvraft/server-mesh.ts, shared with kvraft's config). */
  readonly #mesh: ServerMesh;
  /** The student's servers and clerks, behind the boundary (tests/kvraft/student-objects.ts). */
  readonly #objects: StudentObjects;
  #nextClientId: number;

  constructor(ctx: LabContext, n: number, unreliable: boolean) {
    this.ctx = ctx;
    this.n = n;
    this.servers = new Array<RemotePeer | null>(n).fill(null);
    this.#mesh = new ServerMesh(ctx, this.net, n);
    this.saved = this.#mesh.saved;
    this.#nextClientId = n + 1000;
    this.#objects = new StudentObjects(ctx, this.net, () => ({
      Raft: Raft as unknown as RaftConstructor,
      ShardCtrler,
      CtrlerClerk: Clerk,
    }));
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
    const { peer, target } = this.#objects.server(
      {
        kind: 'ctrler',
        ends: ends.map((end) => end.name),
        me: i,
        maxraftstate: -1,
        initial: null,
        gid: 0,
        ctrlers: [],
      },
      {
        name: `S${i}`,
        persister,
        threw: () => {
          if (this.servers[i] === peer) this.servers[i] = null;
        },
      },
    );
    this.servers[i] = peer;
    this.net.addServer(i, target);
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
  makeClient(to: readonly number[]): CtrlerClerk {
    const id = this.#nextClientId++;
    const { names } = this.#mesh.clientEnds(`C${id}`);
    const handle = this.#objects.clerk('ctrlerclerk', randomHandles(names), { name: `C${id}`, link: 'none' });
    for (const j of to) this.net.enable(names[j], true);
    return new CtrlerClerk(this.#objects.boundary, handle);
  }

  /** The first live server whose Raft says it is leader; [false, 0] if none does (all asked at once). */
  leader(): Promise<[boolean, number]> {
    return firstLeader(this.servers);
  }

  /** Deferred in every test: kill every server and stop the network, so nothing runs after the test. */
  cleanup(): void {
    for (let i = 0; i < this.n; i++) {
      this.servers[i]?.kill();
      this.servers[i] = null;
    }
    this.net.cleanup();
    this.#objects.close();
  }
}

freezeClass(CtrlerConfig);
