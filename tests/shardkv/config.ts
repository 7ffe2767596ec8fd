/**
 * The shardkv test configuration (6.824 shardkv/config.go, 2022 edition; catalog §3.2): 3 shard
 * controllers ("ctrler0".."ctrler2"), and 3 replica groups of n servers (gid 100 + gi, servers named
 * "server-<gid>-<i>"), all on one simulated network, plus clerks. Every server starts at once, before
 * any group has joined; the tester joins and removes groups through its own controller clerk (mck),
 * shuts servers and whole groups down and restarts them from copies of what they persisted.
 *
 * Differences from Go, on purpose: no mutexes; helpers throw a LabCheckFailure instead of t.Fatalf; the
 * 120 s limit is enforced by the driver as the test runs (a challenge-2 hang fails, it does not wait
 * for go test's 10 minutes); client RPCs to shardkv servers cross kvraft's client link (7 ms each way:
 * tests/kvraft/client-link.ts says why), so appender loops keep a realistic pace in virtual time.
 *
 * We grade with the original tests' semantics; this copy may be changed while debugging, but a
 * solution must pass the unmodified one.
 */
import { Network, Persister, freezeClass } from '../../labrpc';
import { Raft } from '../../raft';
import { Clerk as StudentCtrlerClerk, ShardCtrler } from '../../shardctrler';
import { Clerk as StudentShardClerk, ShardKV } from '../../shardkv';
import type { Annotation } from '../linearizability';
import { LabCheckFailure, formatVirtual, traceNetwork, type LabContext } from '../harness';
import type { RaftConstructor } from '../harness/boundary/student-host';
import { CtrlerClerk, KvClerk, StudentObjects } from '../kvraft/student-objects';
import { randString } from '../raft/config';
import { recordFault } from '../raft/faults';
import type { RemotePeer } from '../raft/remote-peer';
import type { ReplyGate } from './reply-gate';

interface Group {
  gid: number;
  /** Each server's handle across the boundary (its Raft peer's getState, and kill). */
  servers: (RemotePeer | null)[];
  saved: (Persister | null)[];
  /** endnames[i][j]: server i's end to peer j; mendnames[i][j]: server i's end to controller j. */
  endnames: string[][];
  mendnames: string[][];
}

export class ShardConfig {
  readonly ctx: LabContext;
  readonly net = new Network();
  readonly nctrlers = 3;
  readonly ctrlerservers: RemotePeer[] = [];
  readonly ngroups = 3;
  readonly n: number;
  readonly groups: Group[] = [];
  readonly maxraftstate: number;
  /**
   * The tester's own controller clerk (the submission's, as in Go, across the boundary): join, leave, and
   * the configs the tests ask about.
   */
  readonly mck: CtrlerClerk;
  /** Faults as the linearizability page draws them (virtual ms). */
  readonly annotations: Annotation[] = [];
  /** Each clerk's id ("C1005" in messages) and its ends to the controllers. */
  readonly #clerks = new Map<KvClerk, { id: number; ctrlers: string[] }>();
  /** The student's servers and clerks, behind the boundary (tests/kvraft/student-objects.ts). */
  readonly #objects: StudentObjects;
  readonly #owner = new Map<string, { from: number | string; to: number | string }>();
  #nextClientId: number;

  constructor(ctx: LabContext, n: number, unreliable: boolean, maxraftstate: number) {
    this.ctx = ctx;
    this.n = n;
    this.maxraftstate = maxraftstate;
    this.#nextClientId = n + 1000;
    traceNetwork(ctx.trace, this.net, (end) => this.#endpoint(end));
    this.#objects = new StudentObjects(ctx, this.net, () => ({
      Raft: Raft as unknown as RaftConstructor,
      ShardCtrler,
      CtrlerClerk: StudentCtrlerClerk,
      ShardKV,
      ShardClerk: StudentShardClerk,
    }));
    ctx.defer(() => this.cleanup());
    for (let i = 0; i < this.nctrlers; i++) this.#startCtrler(i);
    const mck = this.#objects.clerk('ctrlerclerk', this.#ctrlerEnds('tester'), {
      name: 'tester',
      link: 'none',
    });
    this.mck = new CtrlerClerk(this.#objects.boundary, mck);
    for (let gi = 0; gi < this.ngroups; gi++) {
      this.groups.push({
        gid: 100 + gi,
        servers: new Array<RemotePeer | null>(n).fill(null),
        saved: new Array<Persister | null>(n).fill(null),
        endnames: [],
        mendnames: [],
      });
      for (let i = 0; i < n; i++) this.startServer(gi, i);
    }
    recordFault(ctx, { action: 'unreliable', on: unreliable });
    this.net.reliable(!unreliable);
  }

  /** Fail the test now with a message naming the check and the virtual time. */
  fail(message: string): never {
    throw new LabCheckFailure(`${message} (at ${formatVirtual(this.ctx.now())})`);
  }

  /** "server-<gid>-<i>". */
  serverName(gid: number, i: number): string {
    return `server-${gid}-${i}`;
  }

  // --- controllers ---------------------------------------------------------------------------------

  #startCtrler(i: number): void {
    const { peer, target } = this.#objects.server(
      {
        kind: 'ctrler',
        ends: this.#ctrlerEnds(i),
        me: i,
        maxraftstate: -1,
        initial: null,
        gid: 0,
        ctrlers: [],
      },
      { name: `ctrler${i}`, persister: new Persister(), threw: () => {} },
    );
    this.ctrlerservers.push(peer);
    this.net.addServer(`ctrler${i}`, target);
  }

  /** Fresh enabled ends, one to each controller, for `from` (a controller, a server, a clerk). */
  #ctrlerEnds(from: number | string): string[] {
    return Array.from({ length: this.nctrlers }, (_, j) => this.#newEnd(from, `ctrler${j}`, j));
  }

  /**
   * A fresh enabled end from `from` to the server `serverName`; returns its name. (A client's calls cross
   * the client link, and a gate if it has one, where the tester routes them: student-objects.ts.)
   */
  #newEnd(from: number | string, serverName: string, to: number | string): string {
    const name = randString(20);
    this.net.makeEnd(name);
    this.#owner.set(name, { from, to });
    this.net.connect(name, serverName);
    this.net.enable(name, true);
    return name;
  }

  #endpoint(end: string): { from: number | string; to: number | string } | undefined {
    return this.#owner.get(end);
  }

  // --- groups --------------------------------------------------------------------------------------

  /** Start (or restart) server i of group gi from a copy of what it persisted; its ends start enabled. */
  startServer(gi: number, i: number): void {
    const g = this.groups[gi];
    recordFault(this.ctx, { action: 'start', server: i, gid: g.gid });
    const who = `${g.gid}-${i}`;
    g.endnames[i] = Array.from({ length: this.n }, (_, j) =>
      this.#newEnd(who, this.serverName(g.gid, j), `${g.gid}-${j}`),
    );
    g.mendnames[i] = this.#ctrlerEnds(who);
    const ends = g.endnames[i];
    const saved = g.saved[i];
    g.saved[i] = saved === null ? new Persister() : saved.copy();
    const name = this.serverName(g.gid, i);
    const { peer, target } = this.#objects.server(
      {
        kind: 'shardkv',
        ends: g.endnames[i],
        me: i,
        maxraftstate: this.maxraftstate,
        initial: null,
        gid: g.gid,
        ctrlers: g.mendnames[i],
      },
      {
        name,
        persister: g.saved[i] as Persister,
        // makeEnd(name): a fresh end to that server; the ends it makes are cut at its shutdown too, and
        // one it makes after it (in the instant of its shutdown, before it heard of it) is born cut.
        made: (server) => {
          const end = this.#newEnd(who, server, server.replace(/^server-/, ''));
          ends.push(end);
          if (g.servers[i] !== peer) this.net.enable(end, false);
          return end;
        },
        threw: () => {
          if (g.servers[i] === peer) g.servers[i] = null;
        },
      },
    );
    g.servers[i] = peer;
    this.net.addServer(name, target);
  }

  /** Crash server i of group gi: cut its ends, delete it, keep a copy of what it persisted, kill it. */
  shutdownServer(gi: number, i: number): void {
    const g = this.groups[gi];
    recordFault(this.ctx, { action: 'crash', server: i, gid: g.gid });
    for (const name of [...(g.endnames[i] ?? []), ...(g.mendnames[i] ?? [])]) this.net.enable(name, false);
    // Delete first: a reply from the old server must not arrive after its persister was replaced.
    this.net.deleteServer(this.serverName(g.gid, i));
    const saved = g.saved[i];
    if (saved !== null) g.saved[i] = saved.copy();
    g.servers[i]?.kill();
    g.servers[i] = null;
  }

  shutdownGroup(gi: number): void {
    this.annotate(`shutdown group ${100 + gi}`, 'crash');
    for (let i = 0; i < this.n; i++) this.shutdownServer(gi, i);
  }

  startGroup(gi: number): void {
    this.annotate(`start group ${100 + gi}`, 'restart');
    for (let i = 0; i < this.n; i++) this.startServer(gi, i);
  }

  /** The server names of group gi, as the tester joins it. */
  #names(gi: number): string[] {
    const gid = this.groups[gi].gid;
    return Array.from({ length: this.n }, (_, i) => this.serverName(gid, i));
  }

  join(gi: number): Promise<void> {
    return this.joinm([gi]);
  }

  /** One Join of the groups `gis` (by index: 0 is gid 100). */
  async joinm(gis: readonly number[]): Promise<void> {
    const servers: Record<number, string[]> = {};
    for (const gi of gis) servers[this.groups[gi].gid] = this.#names(gi);
    recordFault(this.ctx, { action: 'join', gids: gis.map((gi) => this.groups[gi].gid) });
    this.annotate(`join ${gis.map((gi) => this.groups[gi].gid).join(' ')}`, 'config');
    await this.mck.join(servers);
  }

  leave(gi: number): Promise<void> {
    return this.leavem([gi]);
  }

  /** One Leave of the groups `gis`. */
  async leavem(gis: readonly number[]): Promise<void> {
    const gids = gis.map((gi) => this.groups[gi].gid);
    recordFault(this.ctx, { action: 'leave', gids });
    this.annotate(`leave ${gids.join(' ')}`, 'config');
    await this.mck.leave(gids);
  }

  // --- clients -------------------------------------------------------------------------------------

  /**
   * A new clerk: ends to the controllers, and a makeEnd whose ends to servers cross the client link.
   * For the scripted tests: `gate` holds one reply back (reply-gate.ts).
   */
  makeClient(options: { gate?: ReplyGate } = {}): KvClerk {
    const id = this.#nextClientId++;
    const who = `C${id}`;
    const ctrlers = this.#ctrlerEnds(who);
    const handle = this.#objects.clerk('shardclerk', ctrlers, {
      name: who,
      made: (name) => this.#newEnd(who, name, name.replace(/^server-/, '')),
      link: 'made',
      gate: options.gate,
    });
    const ck = new KvClerk(this.#objects.boundary, handle);
    this.#clerks.set(ck, { id, ctrlers });
    return ck;
  }

  /** For the scripted tests: cut a clerk off the controllers, so it keeps the config it last learnt. */
  cutCtrlers(ck: KvClerk): void {
    for (const end of this.#clerks.get(ck)?.ctrlers ?? []) this.net.enable(end, false);
  }

  /** The id a clerk goes by in messages ("C1005"). */
  clientName(ck: KvClerk): string {
    return `C${this.#clerks.get(ck)?.id ?? '?'}`;
  }

  // --- checks --------------------------------------------------------------------------------------

  /** Go's checklogs: raft state within 8 × maxraftstate; no snapshot at all when maxraftstate is -1. */
  checklogs(): void {
    for (const g of this.groups) {
      g.saved.forEach((p, i) => {
        if (p === null) return;
        const raft = p.raftStateSize();
        const snap = p.snapshotSize();
        if (this.maxraftstate >= 0 && raft > 8 * this.maxraftstate) {
          this.fail(
            `persister.RaftStateSize() ${raft}, but maxraftstate ${this.maxraftstate} (server ${this.serverName(g.gid, i)})`,
          );
        }
        if (this.maxraftstate < 0 && snap > 0) {
          this.fail(
            `maxraftstate is -1, but snapshot is non-empty! (${snap} bytes at ${this.serverName(g.gid, i)})`,
          );
        }
      });
    }
  }

  /** Mark a moment on the linearizability page (configuration changes, crashes, restarts). */
  annotate(label: string, kind: string): void {
    this.annotations.push({ start: this.ctx.now(), label, kind });
  }

  allAnnotations(): Annotation[] {
    return [...this.annotations];
  }

  /** Deferred in every test: shut every group down, kill the controllers, stop the network. */
  cleanup(): void {
    for (let gi = 0; gi < this.groups.length; gi++) {
      for (let i = 0; i < this.n; i++) {
        this.groups[gi].servers[i]?.kill();
        this.groups[gi].servers[i] = null;
      }
    }
    for (const sc of this.ctrlerservers) sc.kill();
    this.net.cleanup();
    this.#objects.close();
  }
}

freezeClass(ShardConfig);
