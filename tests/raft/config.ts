/**
 * The Raft test configuration (6.824 src/raft/config.go, 2022 edition; catalog §5): a cluster of n
 * peers on a simulated network, with the tester's faults (disconnect, crash, restart), its appliers,
 * and the helpers the tests read as prose: checkOneLeader, checkTerms, checkNoLeader, nCommitted, wait,
 * one. Every waiting helper is async on the virtual clock. A failed check throws a LabCheckFailure that
 * names the check, the servers, index and term involved, and the virtual time.
 *
 * `raftTest(...)` defines a lab test: it builds the config, prints the title, runs the body, and prints
 * the Passed line with Go's columns (virtual seconds, peers, RPCs, bytes, commits).
 *
 * We grade with the original tests' semantics; this copy may be changed while debugging, but a
 * solution must pass the unmodified one.
 */
import { Network, Persister, decode, deepCopy, freezeClass, randomInt } from '../../labrpc';
import type { ApplyMsg } from '../../raft';
import { Raft } from '../../raft';
import { Boundary, StudentCodeError, persistInto, studentError } from '../harness/boundary/boundary';
import { openBoundary } from '../harness/boundary/open';
import type { Effect } from '../harness/boundary/protocol';
import type { RaftConstructor } from '../harness/boundary/student-host';
import {
  defineLabTest,
  formatVirtual,
  traceNetwork,
  type LabContext,
  type LabTest,
  type Part,
} from '../harness';
import { SNAPSHOT_INTERVAL, applier, applierSnap, type ApplierHost } from './appliers';
import { CommittedLogs } from './committed-log';
import { Checks } from './checks';
import { ReplyHolds, type ReplyHold, type RpcPath, type RpcSelect } from './reply-hooks';
import { RemotePeer, type PeerState } from './remote-peer';
import { RemoteServer } from './remote-server';
import { ClusterWatch } from './cluster-watch';
import { ConfigHistory } from './config-history';
import { recordFault } from './faults';
import { injectExploreFaults } from '../explore/injector';

export interface RaftTestSpec {
  part: Part;
  title: string;
  servers: number;
  unreliable?: boolean;
  /** Use the snapshot applier (2D). */
  snapshot?: boolean;
  /** 2E: the initial configuration (default: all `servers` slots); the others run as spares. */
  initial?: number[];
  body: (cfg: RaftConfig) => Promise<void>;
}

/** An RPC a test captured as it was sent (captureRpcs), to deliver again later (redeliver). */
export interface CapturedRpc {
  from: number;
  to: number;
  svcMeth: string;
  /** A deep copy of the arguments, taken at the send: later changes by the sender are not seen. */
  args: unknown;
  /** The sender's term when it sent the RPC. */
  term: number;
  /** The virtual time of the send, in ms. */
  at: number;
  /** Whether the network handed it to the receiver's handler (a disconnected one never gets it). */
  delivered: boolean;
}

/** A lab test on a fresh cluster: make_config, begin(title), body, end(); cleanup is deferred. */
export function raftTest(spec: RaftTestSpec): LabTest {
  const test = defineLabTest({
    part: spec.part,
    title: spec.title,
    async body(ctx) {
      const cfg = new RaftConfig(
        ctx,
        spec.servers,
        spec.unreliable ?? false,
        spec.snapshot ?? false,
        spec.initial,
        spec.part === '2E' ? null : spec.servers,
      );
      cfg.begin(test.name);
      await spec.body(cfg);
      cfg.end();
    },
  });
  return test;
}

export class RaftConfig extends Checks implements ApplierHost {
  readonly ctx: LabContext;
  readonly n: number;
  readonly net = new Network();
  /** The peers, behind the boundary to the code under test (tests/harness/boundary). */
  readonly rafts: (RemotePeer | null)[];
  readonly boundary: Boundary;
  readonly connected: boolean[];
  readonly saved: (Persister | null)[];
  readonly committed: CommittedLogs;
  /** 2E: the initial configuration every peer is started with, and the committed ones since. */
  readonly initial: number[];
  readonly configs: ConfigHistory;
  readonly watch: ClusterWatch;
  /** endnames[i][j]: the end server i uses to reach server j (fresh on every restart of i). */
  readonly #endnames: string[][];
  readonly #owner = new Map<string, { from: number | 'tester'; to: number }>();
  readonly #snapshot: boolean;
  readonly #holds = new ReplyHolds();
  #t0 = 0;
  #rpcs0 = 0;
  #bytes0 = 0;
  #maxIndex0 = 0;

  /**
   * 2E: a leader's majority depends on its configuration. The smallest majority of any configuration the
   * cluster has had (the initial one, each committed one, each half of a joint one) bounds it from below,
   * so the evidence asked of a leader never exceeds what its own configuration requires.
   */
  override leaderQuorum(): number {
    const sizes = this.configs
      .all()
      .flatMap(({ config }) => [config.servers, config.newServers ?? config.servers])
      .map((servers) => servers.length);
    return Math.floor(Math.min(this.n, ...sizes) / 2);
  }

  constructor(
    ctx: LabContext,
    n: number,
    unreliable: boolean,
    snapshot: boolean,
    initial: number[] = Array.from({ length: n }, (_, i) => i),
    voters: number | null = null,
  ) {
    super();
    this.ctx = ctx;
    this.n = n;
    this.initial = initial;
    this.configs = new ConfigHistory(initial);
    this.#snapshot = snapshot;
    this.rafts = new Array<RemotePeer | null>(n).fill(null);
    this.connected = new Array<boolean>(n).fill(false);
    this.saved = new Array<Persister | null>(n).fill(null);
    this.#endnames = Array.from({ length: n }, () => []);
    this.committed = new CommittedLogs(n);
    traceNetwork(ctx.trace, this.net, (end) => this.#owner.get(end));
    this.watch = new ClusterWatch({
      ctx,
      n,
      net: this.net,
      // The diagnosis runs after the failure and cannot ask any more: what each peer last said.
      peer: (i) => {
        const rf = this.rafts[i];
        return rf === null ? null : { getState: () => rf.lastState(), reportedAt: () => rf.lastAt };
      },
      attachment: (i) => (this.connected[i] ? 'connected' : 'disconnected'),
      endpointOf: (end) => this.#owner.get(end),
      voters,
      compacts: snapshot,
    });
    this.boundary = openBoundary(ctx, () => ({ Raft: Raft as unknown as RaftConstructor }));
    ctx.defer(() => this.cleanup());
    this.setUnreliable(unreliable);
    this.net.longDelays(true);
    for (let i = 0; i < n; i++) this.start1(i);
    for (let i = 0; i < n; i++) this.connect(i);
    // `npm run explore`'s extra faults, when the run carries a schedule (nothing otherwise).
    injectExploreFaults({
      ctx,
      n,
      net: this.net,
      endpointOf: (end) => this.#owner.get(end),
      restart: (i) => this.#restartAsItWas(i),
    });
  }

  /** Crash server i and start it again at once, connected as it was (explore's crash-after-reply). */
  #restartAsItWas(i: number): void {
    if (this.rafts[i] === null) return;
    const wasConnected = this.connected[i];
    this.crash1(i);
    this.start1(i);
    if (wasConnected) this.connect(i);
  }

  /** The virtual time, for messages. */
  at(): string {
    return formatVirtual(this.ctx.now());
  }

  /** Shut down a server, keeping what it persisted (catalog §3: the persister is copied twice). */
  crash1(i: number): void {
    recordFault(this.ctx, { action: 'crash', server: i });
    this.disconnect(i);
    this.net.deleteServer(i); // disable client connections to the server
    // A copy, so the killed instance cannot overwrite what its successor reads.
    const saved = this.saved[i];
    if (saved !== null) this.saved[i] = saved.copy();
    const rf = this.rafts[i];
    if (rf !== null) {
      rf.kill();
      this.rafts[i] = null;
    }
    const persisted = this.saved[i];
    if (persisted !== null) {
      const fresh = new Persister();
      fresh.saveStateAndSnapshot(persisted.readRaftState(), persisted.readSnapshot());
      this.saved[i] = fresh;
    }
  }

  /** Start or restart server i from what it persisted; its ends stay disabled until connect(i). */
  start1(i: number): void {
    this.crash1(i);
    recordFault(this.ctx, { action: 'start', server: i });
    this.#endnames[i] = Array.from({ length: this.n }, () => randString(20));
    this.#endnames[i].forEach((name, j) => {
      this.net.makeEnd(name);
      this.#owner.set(name, { from: i, to: j });
      this.net.connect(name, j);
    });
    this.committed.lastApplied[i] = 0;
    const saved = this.saved[i];
    if (saved !== null) {
      this.saved[i] = saved.copy();
      const snapshot = saved.readSnapshot();
      if (snapshot.length > 0) {
        const error = this.committed.ingestSnapshot(i, snapshot, -1);
        if (error !== null) this.fail(`restart of S${i}: ${error}`);
      }
    } else {
      this.saved[i] = new Persister();
    }
    // This instance saves into this Persister for good: after a crash the config keeps a copy, so that
    // a killed peer that still writes changes nothing its successor reads.
    const persister = this.saved[i] as Persister;
    const made: { rf?: RemotePeer; ends?: readonly string[]; constructing: boolean } = { constructing: true };
    const peerOf = (): RemotePeer | undefined => (made.constructing ? undefined : made.rf);
    const applyCh = this.#snapshot ? applierSnap(this, i, peerOf) : applier(this, i, peerOf);
    const { handle, made: constructed } = this.boundary.construct(
      {
        kind: 'raft',
        ends: this.#endnames[i],
        me: i,
        raftState: persister.readRaftState(),
        snapshot: persister.readSnapshot(),
        initial: this.initial,
        snapshotEvery: this.#snapshot ? SNAPSHOT_INTERVAL : null,
      },
      {
        call: (effect) => this.#call(i, made.rf as RemotePeer, made.ends ?? [], effect),
        persist: persistInto(persister),
        apply: (effect, done) => {
          made.constructing = effect.constructing;
          applyCh(decode<ApplyMsg>(effect.msg));
          made.constructing = false;
          done();
        },
      },
    );
    const rf = new RemotePeer(this.boundary, handle, i, () => this.ctx.now());
    made.rf = rf;
    made.ends = this.#endnames[i];
    this.rafts[i] = rf;
    this.watch.constructing(i);
    void constructed.then((outcome) => {
      if (!('error' in outcome)) return;
      this.watch.constructorThrew(i, outcome.error);
      if (this.rafts[i] === rf) this.rafts[i] = null; // down, and the diagnosis says why
      this.ctx.fail(studentError(`the Raft constructor of S${i} threw`, outcome.error));
    });
    this.net.addServer(i, new RemoteServer(this.boundary, handle));
  }

  /**
   * An RPC a peer sent through one of `ends`, those it was built with: through the network, and its reply
   * (or null) back to the peer. An instance the tester has crashed since, in the same instant, still
   * sends through its own ends, which the crash cut.
   */
  #call(i: number, rf: RemotePeer, ends: readonly string[], effect: Extract<Effect, { op: 'call' }>): void {
    const to = ends.indexOf(effect.end);
    if (to === -1 || rf.handle !== effect.handle) {
      throw new StudentCodeError(`S${i} sent an RPC through an end it was not given (${effect.end})`);
    }
    if (effect.state !== null) rf.report(effect.state); // its getState() at the send
    const reply = this.net.sendEncoded(effect.end, effect.svcMeth, effect.args, decode(effect.args));
    void this.#holds
      .intercept({ from: i, to, svcMeth: effect.svcMeth }, reply)
      .then((bytes) => this.boundary.reply(effect.call, bytes as Uint8Array | null));
  }

  /** Every server's getState(), asked now, in server order (null for one that is not running). */
  states(): Promise<(PeerState | null)[]> {
    return this.statesOf();
  }

  /** Attach server i to the net: both directions of every link to a connected server. */
  connect(i: number): void {
    recordFault(this.ctx, { action: 'connect', server: i });
    this.connected[i] = true;
    for (let j = 0; j < this.n; j++) {
      if (!this.connected[j]) continue;
      this.net.enable(this.#endnames[i][j], true); // outgoing
      this.net.enable(this.#endnames[j][i], true); // incoming
    }
  }

  /** Detach server i: no one can reach it and it can reach no one. */
  disconnect(i: number): void {
    recordFault(this.ctx, { action: 'disconnect', server: i });
    this.connected[i] = false;
    for (let j = 0; j < this.n; j++) {
      if (this.#endnames[i][j] !== undefined) this.net.enable(this.#endnames[i][j], false);
      if (this.#endnames[j][i] !== undefined) this.net.enable(this.#endnames[j][i], false);
    }
  }

  /** Beyond Go: let i and j (both disconnected or not) reach each other only: a partial partition. */
  link(i: number, j: number): void {
    recordFault(this.ctx, { action: 'link', server: i, peer: j });
    this.net.enable(this.#endnames[i][j], true);
    this.net.enable(this.#endnames[j][i], true);
  }

  /**
   * Beyond Go: record every RPC that `select` picks, as it is sent, for scripted tests that deliver an old
   * request again (a delayed duplicate, which a real network may produce). The list grows as RPCs go.
   */
  captureRpcs(select: (rpc: { from: number; to: number; svcMeth: string }) => boolean): CapturedRpc[] {
    const captured: CapturedRpc[] = [];
    const byId = new Map<number, CapturedRpc>();
    this.net.observe((event) => {
      if (event.kind === 'deliver') {
        const rpc = byId.get(event.rpc);
        if (rpc !== undefined) rpc.delivered = true;
      }
      if (event.kind !== 'send') return;
      const ends = this.#owner.get(event.end);
      if (ends === undefined || ends.from === 'tester') return;
      const { from, to } = ends;
      if (!select({ from, to, svcMeth: event.svcMeth })) return;
      const last = this.rafts[from]?.last; // the sender's getState() at this send
      const term = last !== undefined && last !== null && 'term' in last ? last.term : -1;
      const args = deepCopy(event.args, 'args');
      const rpc = { from, to, svcMeth: event.svcMeth, args, term, at: this.ctx.now(), delivered: false };
      captured.push(rpc);
      byId.set(event.rpc, rpc);
    });
    return captured;
  }

  /** Beyond Go: deliver a captured request again to its receiver, through a fresh end (reply ignored). */
  async redeliver(rpc: CapturedRpc): Promise<void> {
    if (!this.connected[rpc.to]) this.fail(`redeliver: S${rpc.to} is disconnected; connect it first`);
    const name = randString(20);
    const end = this.net.makeEnd(name);
    this.#owner.set(name, { from: 'tester', to: rpc.to });
    this.net.connect(name, rpc.to);
    this.net.enable(name, true);
    recordFault(this.ctx, { action: 'redeliver', server: rpc.to, svcMeth: rpc.svcMeth });
    await end.call(rpc.svcMeth, rpc.args);
    this.net.enable(name, false);
  }

  /**
   * Beyond Go: keep the replies to the RPCs `select` picks (sent from now on) in flight until the test
   * calls release(): a late reply, arriving after its caller has moved on (see reply-hooks.ts).
   */
  holdReplies(select: RpcSelect): ReplyHold {
    return this.#holds.hold(select);
  }

  /**
   * Beyond Go: call `fn` at the instant the reply to an RPC that `select` picks leaves the network for
   * its caller, before the caller sees it (e.g. to crash the server that answered).
   */
  onReply(select: RpcSelect, fn: (rpc: RpcPath & { reply: unknown }) => void): void {
    const sent = new Map<number, RpcPath>();
    this.net.observe((event) => {
      if (event.kind === 'send') {
        const ends = this.#owner.get(event.end);
        if (ends === undefined || ends.from === 'tester') return;
        const rpc = { from: ends.from, to: ends.to, svcMeth: event.svcMeth };
        if (select(rpc)) sent.set(event.rpc, rpc);
      } else if (event.kind === 'reply') {
        const rpc = sent.get(event.rpc);
        sent.delete(event.rpc);
        if (rpc !== undefined) fn({ ...rpc, reply: event.reply });
      } else if (event.kind !== 'deliver' && event.kind !== 'reorder') {
        sent.delete(event.rpc);
      }
    });
  }

  setUnreliable(unreliable: boolean): void {
    recordFault(this.ctx, { action: 'unreliable', on: unreliable });
    this.net.reliable(!unreliable);
  }

  setLongReordering(longReordering: boolean): void {
    recordFault(this.ctx, { action: 'long-reordering', on: longReordering });
    this.net.longReordering(longReordering);
  }

  rpcCount(i: number): number {
    return this.net.getCount(i);
  }

  rpcTotal(): number {
    return this.net.getTotalCount();
  }

  bytesTotal(): number {
    return this.net.getTotalBytes();
  }

  /** The largest persisted raft state of any server, in bytes. */
  logSize(): number {
    return Math.max(...this.saved.map((p) => p?.raftStateSize() ?? 0));
  }

  /** Print the title and start counting for the Passed line. */
  begin(description: string): void {
    this.ctx.print(`${description} ...`);
    this.#t0 = this.ctx.now();
    this.#rpcs0 = this.rpcTotal();
    this.#bytes0 = this.bytesTotal();
    this.#maxIndex0 = this.committed.maxIndex;
  }

  /** The Passed line: virtual seconds, peers, RPCs, bytes, commits (Go: "  %4.1f  %d %4d %7d %4d"). */
  end(): void {
    const seconds = ((this.ctx.now() - this.#t0) / 1000).toFixed(1).padStart(4);
    const rpcs = String(this.rpcTotal() - this.#rpcs0).padStart(4);
    const bytes = String(this.bytesTotal() - this.#bytes0).padStart(7);
    const commits = String(this.committed.maxIndex - this.#maxIndex0).padStart(4);
    this.ctx.print(`  ... Passed --  ${seconds}  ${this.n} ${rpcs} ${bytes} ${commits}`);
  }

  /** Deferred in every test: stop every peer and the network, so nothing runs after the test. */
  cleanup(): void {
    this.finished = true;
    this.watch.seal(); // what the diagnosis shows, before the peers are gone
    for (let i = 0; i < this.n; i++) {
      this.rafts[i]?.kill();
      this.rafts[i] = null;
    }
    this.net.cleanup();
    this.boundary.close();
  }
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** A random base64url string of n characters (from the seeded Math.random, so runs replay). */
export function randString(n: number): string {
  let out = '';
  for (let k = 0; k < n; k++) out += ALPHABET[randomInt(64)];
  return out;
}

/** A random non-negative command (Go's rand.Int(), kept below 2^31 so it stays a small msgpack int). */
export function randCommand(): number {
  return randomInt(2 ** 31);
}

// The tester's own classes cannot be patched by the code under test (labrpc/freeze.ts).
freezeClass(RaftConfig, Checks, ClusterWatch, CommittedLogs, ConfigHistory, RemoteServer, RemotePeer);
