/**
 * The wiring every service test configuration shares (kvraft's and the shard controller's, as Go's
 * kvraft/config.go and shardctrler/config.go each repeat it): n servers named 0..n-1 on one simulated
 * network, each with fresh ends to every server on every start (so a restarted server never receives a
 * reply meant for its previous life), the links between servers, the persisters carried across
 * crashes, and the ends a clerk gets. Which objects sit behind the ends — how a server or a clerk is
 * constructed and served — stays with each config.
 *
 * Every end is named in the trace by who holds it and where it leads (`from` server or clerk, `to`
 * server), and every start, crash and reconnection is a `fault` trace event.
 *
 * We grade with the original tests' semantics; this copy may be changed while debugging, but a
 * solution must pass the unmodified one.
 */
import { Persister, freezeClass, randomInt, type ClientEnd, type Network } from '../../labrpc';
import { traceNetwork, type LabContext } from '../harness';
import { randString } from '../raft/config';
import { recordFault } from '../raft/faults';

/** Who holds an end and which server it leads to: a server index, or a clerk's name ("C1005"). */
export interface Endpoint {
  from: number | string;
  to: number;
}

export class ServerMesh {
  readonly ctx: LabContext;
  readonly net: Network;
  readonly n: number;
  /** saved[i]: what server i persisted (null before its first start); each start gets a copy. */
  readonly saved: (Persister | null)[];
  /** endnames[i][j]: the end server i uses to reach server j (fresh on every start of i). */
  readonly #endnames: string[][];
  /** links[i][j]: whether server i's end to server j is enabled. */
  readonly #links: boolean[][];
  readonly #owner = new Map<string, Endpoint>();

  constructor(ctx: LabContext, net: Network, n: number) {
    this.ctx = ctx;
    this.net = net;
    this.n = n;
    this.saved = new Array<Persister | null>(n).fill(null);
    this.#endnames = Array.from({ length: n }, () => []);
    this.#links = Array.from({ length: n }, () => new Array<boolean>(n).fill(false));
    traceNetwork(ctx.trace, net, (end) => this.endpointOf(end));
  }

  /** [0, 1, …, n-1]. */
  all(): number[] {
    return Array.from({ length: this.n }, (_, i) => i);
  }

  endpointOf(end: string): Endpoint | undefined {
    return this.#owner.get(end);
  }

  /**
   * What (re)starting server i needs: fresh ends to every server, disabled until connect(), and a copy
   * of what it persisted, so that a server killed earlier cannot write into what this one reads
   * (catalog §3).
   */
  startServer(i: number): { ends: ClientEnd[]; persister: Persister } {
    recordFault(this.ctx, { action: 'start', server: i });
    this.#endnames[i] = Array.from({ length: this.n }, () => randString(20));
    const ends = this.#endnames[i].map((name, j): ClientEnd => {
      const end = this.net.makeEnd(name);
      this.#owner.set(name, { from: i, to: j });
      this.net.connect(name, j);
      return end;
    });
    const saved = this.saved[i];
    const persister = saved === null ? new Persister() : saved.copy();
    this.saved[i] = persister;
    return { ends, persister };
  }

  /** Crash server i: cut it off, delete it from the net, keep a copy of what it persisted. */
  shutdownServer(i: number): void {
    recordFault(this.ctx, { action: 'crash', server: i });
    this.disconnect(i, this.all());
    // Delete first: a reply from the old server must not arrive after its persister was replaced.
    this.net.deleteServer(i);
    const saved = this.saved[i];
    if (saved !== null) this.saved[i] = saved.copy();
  }

  /** Enable the links between server i and the servers in `to`, both directions. */
  connect(i: number, to: readonly number[]): void {
    for (const j of to) {
      this.net.enable(this.#endnames[i][j], true);
      this.net.enable(this.#endnames[j][i], true);
      this.#links[i][j] = this.#links[j][i] = true;
    }
  }

  /** Disable the links between server i and the servers in `from`, both directions. */
  disconnect(i: number, from: readonly number[]): void {
    for (const j of from) {
      if (this.#endnames[i][j] !== undefined) this.net.enable(this.#endnames[i][j], false);
      if (this.#endnames[j][i] !== undefined) this.net.enable(this.#endnames[j][i], false);
      this.#links[i][j] = this.#links[j][i] = false;
    }
  }

  connectAll(): void {
    recordFault(this.ctx, { action: 'connect-all' });
    for (let i = 0; i < this.n; i++) this.connect(i, this.all());
  }

  /** The servers other than i that server i reaches. */
  reaches(i: number): number[] {
    return this.all().filter((j) => j !== i && this.#links[i][j]);
  }

  /**
   * Fresh end names from clerk `who` to every server, made and connected but disabled; `wrap` turns a
   * name into the end the clerk holds (default: the network's end itself).
   */
  clientEnds(
    who: string,
    wrap: (name: string, end: ClientEnd) => ClientEnd = (_, end) => end,
  ): { names: string[]; ends: ClientEnd[] } {
    const names = Array.from({ length: this.n }, () => randString(20));
    const ends = names.map((name, j): ClientEnd => {
      const end = this.net.makeEnd(name);
      this.#owner.set(name, { from: who, to: j });
      this.net.connect(name, j);
      return wrap(name, end);
    });
    return { names, ends };
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

// The tester's own classes cannot be patched by the code under test (labrpc/freeze.ts).
freezeClass(ServerMesh);
