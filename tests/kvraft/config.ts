/**
 * The KV test configuration (6.824 src/kvraft/config.go, 2022 edition; catalog §7.2): n KV servers,
 * each with its Raft peer, on one simulated network, plus any number of clients, with the tester's
 * faults: partitions, shutdown and restart of servers, connecting and disconnecting clients.
 *
 * Every fault goes into the run's trace (`fault` events) and into the list of annotations drawn on the
 * linearizability page. `begin`/`end` print the title and Go's kv Passed line: virtual seconds, peers,
 * RPCs (clients' included) and clerk operations (counted by the wrappers in ops.ts).
 *
 * We grade with the original tests' semantics; this copy may be changed while debugging, but a
 * solution must pass the unmodified one.
 */
import { Network, freezeClass, type Persister } from '../../labrpc';
import { Clerk, KVServer } from '../../kvraft';
import { Raft } from '../../raft';
import type { RaftConstructor } from '../harness/boundary/student-host';
import type { Annotation } from '../linearizability';
import { LabCheckFailure, formatVirtual, type LabContext } from '../harness';
import { ClusterWatch } from '../raft/cluster-watch';
import { recordFault } from '../raft/faults';
import { injectExploreFaults } from '../explore/injector';
import type { RemotePeer } from '../raft/remote-peer';
import { ServerMesh, randomHandles } from './server-mesh';
import { KvClerk, StudentObjects, firstLeader } from './student-objects';

export class KvConfig {
  readonly ctx: LabContext;
  readonly n: number;
  readonly net = new Network();
  readonly maxraftstate: number;
  /** Each server's handle across the boundary (its Raft peer's getState and changeConfig, and kill). */
  readonly kvservers: (RemotePeer | null)[];
  readonly saved: (Persister | null)[];
  /** Faults as the linearizability page draws them (virtual ms). */
  readonly annotations: Annotation[] = [];
  /** What the tester sees of the Raft peers: Election Safety, and the diagnosis under a failure. */
  readonly watch: ClusterWatch;
  /** The servers' ends, links and persisters (server-mesh.ts). */
  readonly #mesh: ServerMesh;
  /** The student's servers and clerks, behind the boundary (student-objects.ts). */
  readonly #objects: StudentObjects;
  /** Each clerk's ends, by server; and the id it goes by in traces and messages. */
  readonly #clerks = new Map<KvClerk, { ends: string[]; id: number }>();
  #nextClientId: number;
  #partition: { since: number; label: string } | null = null;
  #t0 = 0;
  #rpcs0 = 0;
  #ops = 0;

  /** Part 3C: Raft's initial configuration (undefined: every server, as in 3A and 3B). */
  readonly initial: readonly number[] | undefined;

  constructor(
    ctx: LabContext,
    n: number,
    unreliable: boolean,
    maxraftstate: number,
    initial?: readonly number[],
  ) {
    this.ctx = ctx;
    this.n = n;
    this.initial = initial;
    this.maxraftstate = maxraftstate;
    this.kvservers = new Array<RemotePeer | null>(n).fill(null);
    this.#mesh = new ServerMesh(ctx, this.net, n);
    this.saved = this.#mesh.saved;
    this.#nextClientId = n + 1000;
    this.watch = new ClusterWatch({
      ctx,
      n,
      net: this.net,
      // The diagnosis runs after the failure and cannot ask any more: what each server last said.
      peer: (i) => {
        const peer = this.kvservers[i];
        return peer === null ? null : { getState: () => peer.lastState(), reportedAt: () => peer.lastAt };
      },
      attachment: (i) => this.#attachment(i),
      endpointOf: (end) => this.#mesh.endpointOf(end),
      voters: initial === undefined ? n : null,
      compacts: maxraftstate !== -1,
    });
    this.#objects = new StudentObjects(ctx, this.net, () => ({
      Raft: Raft as unknown as RaftConstructor,
      KVServer,
      KVClerk: Clerk,
    }));
    ctx.defer(() => this.cleanup());
    for (let i = 0; i < n; i++) this.startServer(i);
    this.connectAll();
    recordFault(ctx, { action: 'unreliable', on: unreliable });
    this.net.reliable(!unreliable);
    // `npm run explore`'s extra faults, when the run carries a schedule (nothing otherwise).
    injectExploreFaults({
      ctx,
      n,
      net: this.net,
      endpointOf: (end) => this.#mesh.endpointOf(end),
      restart: (i) => this.#restartAsItWas(i),
    });
  }

  /** Crash server i and start it again at once, linked as it was (explore's crash-after-reply). */
  #restartAsItWas(i: number): void {
    if (this.kvservers[i] === null) return;
    const linked = this.#mesh.reaches(i);
    this.shutdownServer(i);
    this.startServer(i);
    this.connect(i, linked);
  }

  /** The virtual time, for messages. */
  at(): string {
    return formatVirtual(this.ctx.now());
  }

  /** Fail the test now with a message naming the check and the virtual time (the diagnosis follows it). */
  fail(message: string): never {
    throw new LabCheckFailure(`${message} (at ${this.at()})`);
  }

  /** [0, 1, …, n-1]. */
  all(): number[] {
    return this.#mesh.all();
  }

  // --- servers -------------------------------------------------------------------------------------

  /** Start (or restart) server i from what it persisted; its links to other servers start disabled. */
  startServer(i: number): void {
    const { ends, persister } = this.#mesh.startServer(i);
    this.watch.constructing(i);
    const { peer, target } = this.#objects.server(
      {
        kind: 'kvserver',
        ends: ends.map((end) => end.name),
        me: i,
        maxraftstate: this.maxraftstate,
        initial: this.initial === undefined ? null : [...this.initial],
        gid: 0,
        ctrlers: [],
      },
      {
        name: `S${i}`,
        persister,
        threw: (error) => {
          this.watch.constructorThrew(i, error);
          if (this.kvservers[i] === peer) this.kvservers[i] = null; // down, and the diagnosis says why
        },
      },
    );
    this.kvservers[i] = peer;
    this.net.addServer(i, target);
  }

  /** Crash server i: cut it off, delete it from the net, keep a copy of what it persisted, kill it. */
  shutdownServer(i: number): void {
    this.#mesh.shutdownServer(i);
    this.kvservers[i]?.kill();
    this.kvservers[i] = null;
  }

  // --- connectivity --------------------------------------------------------------------------------

  /** Enable the links between server i and the servers in `to`, both directions. */
  connect(i: number, to: readonly number[]): void {
    this.#mesh.connect(i, to);
  }

  /** Disable the links between server i and the servers in `from`, both directions. */
  disconnect(i: number, from: readonly number[]): void {
    this.#mesh.disconnect(i, from);
  }

  /** Which servers server i reaches, for the diagnosis. */
  #attachment(i: number): string {
    const reaches = this.#mesh.reaches(i);
    if (reaches.length === this.n - 1) return 'connected';
    if (reaches.length === 0) return 'disconnected';
    return `reaches ${reaches.map((j) => `S${j}`).join(' ')}`;
  }

  connectAll(): void {
    this.#setPartition(null);
    this.#mesh.connectAll();
  }

  /** Cut the servers into two groups that reach only their own members (p2 may be empty). */
  partition(p1: readonly number[], p2: readonly number[]): void {
    this.#setPartition(`[${p1.join(' ')}] | [${p2.join(' ')}]`);
    recordFault(this.ctx, { action: 'partition', groups: [[...p1], [...p2]] });
    for (const i of p1) {
      this.disconnect(i, p2);
      this.connect(i, p1);
    }
    for (const i of p2) {
      this.disconnect(i, p1);
      this.connect(i, p2);
    }
  }

  /** Close the annotation of the partition in force (if any) and open the next one. */
  #setPartition(label: string | null): void {
    const now = this.ctx.now();
    if (this.#partition !== null) {
      const { since, label: was } = this.#partition;
      this.annotations.push({ start: since, end: now, label: `partition ${was}`, kind: 'partition' });
    }
    this.#partition = label === null ? null : { since: now, label };
  }

  /** Mark a moment on the linearizability page (crashes and restarts). */
  annotate(label: string, kind: string): void {
    this.annotations.push({ start: this.ctx.now(), label, kind });
  }

  /** The annotations, including the partition still in force. */
  allAnnotations(): Annotation[] {
    const open = this.#partition;
    if (open === null) return [...this.annotations];
    const end = this.ctx.now();
    return [
      ...this.annotations,
      { start: open.since, end, label: `partition ${open.label}`, kind: 'partition' },
    ];
  }

  // --- clients -------------------------------------------------------------------------------------

  /** A new clerk with ends to every server, shuffled; only the ends to the servers in `to` work. */
  makeClient(to: readonly number[]): KvClerk {
    const id = this.#nextClientId++;
    // client RPCs cross a link with latency (client-link.ts), added where the tester routes them
    const { names } = this.#mesh.clientEnds(`C${id}`);
    const handle = this.#objects.clerk('kvclerk', randomHandles(names), { name: `C${id}` });
    const ck = new KvClerk(this.#objects.boundary, handle);
    this.#clerks.set(ck, { ends: names, id });
    this.connectClient(ck, to);
    return ck;
  }

  /** Forget a clerk (its ends stay as they are, as in Go). */
  deleteClient(ck: KvClerk): void {
    this.#clerks.delete(ck);
  }

  connectClient(ck: KvClerk, to: readonly number[]): void {
    const { ends } = this.#clerk(ck);
    for (const j of to) this.net.enable(ends[j], true);
  }

  disconnectClient(ck: KvClerk, from: readonly number[]): void {
    const { ends } = this.#clerk(ck);
    for (const j of from) this.net.enable(ends[j], false);
  }

  /** The id a clerk goes by in traces ("C1005"). */
  clientName(ck: KvClerk): string {
    return `C${this.#clerk(ck).id}`;
  }

  #clerk(ck: KvClerk): { ends: string[]; id: number } {
    const entry = this.#clerks.get(ck);
    if (entry === undefined) throw new LabCheckFailure('unknown clerk: make it with makeClient');
    return entry;
  }

  // --- questions -----------------------------------------------------------------------------------

  /** The first server whose Raft says it is leader; [false, 0] if none does (every server asked at once). */
  leader(): Promise<[boolean, number]> {
    return firstLeader(this.kvservers, (i, state) => this.watch.claim(i, state));
  }

  /** Two groups: a majority p1 of non-leaders, and a minority p2 holding the leader (or server 0). */
  async makePartition(): Promise<[number[], number[]]> {
    const [, l] = await this.leader();
    const others = this.all().filter((i) => i !== l);
    const p1 = others.slice(0, Math.floor(this.n / 2) + 1);
    const p2 = [...others.slice(p1.length), l];
    return [p1, p2];
  }

  /** The largest persisted raft state of any server, in bytes. */
  logSize(): number {
    return Math.max(...this.saved.map((p) => p?.raftStateSize() ?? 0));
  }

  /** The largest persisted snapshot of any server, in bytes. */
  snapshotSize(): number {
    return Math.max(...this.saved.map((p) => p?.snapshotSize() ?? 0));
  }

  rpcTotal(): number {
    return this.net.getTotalCount();
  }

  // --- output --------------------------------------------------------------------------------------

  /** Count one clerk operation (the ops column of the Passed line). */
  op(): void {
    this.#ops += 1;
  }

  /** Print the title and start counting for the Passed line. */
  begin(description: string): void {
    this.ctx.print(`${description} ...`);
    this.#t0 = this.ctx.now();
    this.#rpcs0 = this.rpcTotal();
    this.#ops = 0;
  }

  /** The Passed line: virtual seconds, peers, RPCs, ops (Go: "  ... Passed --  %4.1f  %d %5d %4d"). */
  end(): void {
    const seconds = ((this.ctx.now() - this.#t0) / 1000).toFixed(1).padStart(4);
    const rpcs = String(this.rpcTotal() - this.#rpcs0).padStart(5);
    const ops = String(this.#ops).padStart(4);
    this.ctx.print(`  ... Passed --  ${seconds}  ${this.n} ${rpcs} ${ops}`);
  }

  /** Deferred in every test: kill every server and stop the network, so nothing runs after the test. */
  cleanup(): void {
    this.watch.seal(); // what the diagnosis shows, before the servers are gone
    for (let i = 0; i < this.n; i++) {
      this.kvservers[i]?.kill();
      this.kvservers[i] = null;
    }
    this.net.cleanup();
    this.#objects.close();
  }
}

// The tester's own classes cannot be patched by the code under test (labrpc/freeze.ts).
freezeClass(KvConfig);
