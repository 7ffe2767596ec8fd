/**
 * labrpc: a simulated network with Go labrpc's semantics, number for number (catalog §1).
 *
 *   const net = new Network();
 *   const end = net.makeEnd('end-0-1');        // a client end: starts disabled and unconnected
 *   net.addServer(1, server);                  // a Server holding Services
 *   net.connect('end-0-1', 1); net.enable('end-0-1', true);
 *   const reply = await end.call<Args, Reply>('Raft.RequestVote', args);   // Reply, or null on failure
 *
 * Guarantees:
 * - `call` never rejects. It resolves to the reply, or to null if the request or reply was lost, the
 *   destination was unreachable, or it died while the handler ran. It always resolves eventually, unless
 *   the handler never returns while its server stays alive and reachable.
 * - Arguments are encoded before `call` returns its promise; the handler gets a decoded copy, the caller
 *   gets a decoded copy of the reply. Nothing is shared.
 * - Concurrent calls may be delivered in any order.
 *
 * Failure model (each number serves a test, see the comments at each one): every request and reply
 * takes LINK_LATENCY_MS; on top of that, reliable or not, long reordering, long delays. All randomness comes from Math.random and all waiting from the global timers,
 * which the test harness seeds and virtualises; this module knows nothing of the simulation.
 */
import { decode, encode } from './codec';
import { LabrpcError, RpcHandlerError, RpcTooLargeError } from './errors';
/**
 * What sits at a server's end of the network: a Server (service.ts), or the tester's stand-in for a
 * server whose handlers run across a boundary. `returned.now` is set when the handler returned before
 * dispatch returned its promise (see Server.dispatch).
 */
export interface RpcTarget {
  count: number;
  dispatch(svcMeth: string, argBytes: Uint8Array, returned?: HandlerReturn): Promise<Uint8Array>;
}

/**
 * Whether a handler returned at once: `now` is set when it returned before dispatch returned its
 * promise; a target whose handlers run elsewhere sets `later` instead, and calls `pending` when it knows
 * the handler did not return within the step that delivered the request.
 */
export interface HandlerReturn {
  now: boolean;
  later?: boolean;
  pending?: () => void;
}
type Server = RpcTarget;
import { randomInt, sleep } from './sleep';
import { freezeClass } from './freeze';

export type ServerName = string | number;

/** What happened to one RPC, for traces. `rpc` numbers the call; `end` and `server` name its path. */
export type NetworkEvent =
  | {
      kind: 'send';
      rpc: number;
      end: string;
      server: ServerName | undefined;
      svcMeth: string;
      bytes: number;
      args: unknown;
      /** The request as the codec encoded it (the trace hashes these bytes rather than encoding again). */
      encoded: Uint8Array;
    }
  | { kind: 'unreachable'; rpc: number; delayMs: number }
  | { kind: 'drop-request'; rpc: number }
  | { kind: 'deliver'; rpc: number }
  | { kind: 'dead'; rpc: number }
  | { kind: 'drop-reply'; rpc: number }
  | { kind: 'reorder'; rpc: number; delayMs: number }
  | { kind: 'reply'; rpc: number; bytes: number; reply: unknown; encoded: Uint8Array };

export type NetworkObserver = (event: NetworkEvent) => void;

/**
 * What an extra fault layer decides for one message: deliver it (0, or more ms of delay on top of the
 * network's own), lose it ('drop'), or hold it until a promise settles. The network asks only when a
 * layer is installed (`injectFaults`); the tests never install one, `npm run explore` does
 * (tests/explore/injector.ts), and what it drops shows in the trace like the network's own drops.
 */
export type FaultDecision = 'drop' | number | Promise<void>;

export interface LinkFaults {
  /** A request about to be handed to the server's handler. */
  request(rpc: number, endName: string, svcMeth: string): FaultDecision;
  /** A reply about to leave for its caller (the handler has run). */
  reply(rpc: number, endName: string, svcMeth: string): FaultDecision;
}

/** A handler that was handed a request and has not returned yet (see Network.pendingHandlers). */
export interface PendingHandler {
  rpc: number;
  server: ServerName;
  svcMeth: string;
}

/** Wait `ms`; 0 means no wait at all, as Go's time.Sleep(0) (Node would clamp a 0 ms timer to 1 ms). */
function delay(ms: number): Promise<void> {
  return ms > 0 ? sleep(ms) : Promise.resolve();
}

// Dead-destination polling period while a handler runs (catalog §1.4 step 4).
const DEAD_POLL_MS = 100;

/**
 * Beyond Go's numbers, and why: every request and every reply that gets through takes 1 ms, reliable
 * links included. In Go every RPC costs real microseconds, so peers whose election timers fire at the
 * same moment each become candidates before the other's RequestVote arrives, and the votes split; with
 * zero latency the first one to time out would collect every vote before the others' timers ran, and
 * a fixed election timeout would pass 2A. 1 ms is the smallest latency the virtual clock can express:
 * @sinonjs/fake-timers reads a delay with parseInt (0.05 becomes 0), and a 0 ms timer set while the
 * driver runs fires 1 ms later (Node's clamp, which the driver keeps). It is the same on every link, so
 * the race is decided by the peers' own (seeded) timers, not by a jitter 1000 times Go's.
 */
export const LINK_LATENCY_MS = 1;

/**
 * The largest request or reply one RPC may carry, encoded: 16 MiB. The largest an honest test sends is
 * far below (a whole 3A log of thousands of operations, or a 3B snapshot, is well under 1 MiB), while a
 * peer that puts, say, a 50 MB string into every AppendEntries would otherwise run for minutes copying
 * it; it fails at the first such RPC instead, with the method and the size.
 */
export const MAX_RPC_BYTES = 16 * 1024 * 1024;

/** Where a ClientEnd's calls go: the Network, or (under the test harness) the tester across a boundary. */
export interface CallTransport {
  send(endName: string, svcMeth: string, args: unknown): Promise<unknown>;
}

export class ClientEnd {
  readonly name: string;
  readonly #net: CallTransport;

  constructor(name: string, net: CallTransport) {
    this.name = name;
    this.#net = net;
  }

  /** Send an RPC; resolves to the reply, or null if it failed. Never rejects. */
  call<Args, Reply>(svcMeth: string, args: Args): Promise<Reply | null> {
    return this.#net.send(this.name, svcMeth, args) as Promise<Reply | null>;
  }
}

interface Snapshot {
  enabled: boolean;
  serverName: ServerName | undefined;
  server: Server | undefined;
  reliable: boolean;
  longReordering: boolean;
}

export class Network {
  #reliable = true;
  #longDelays = false;
  #longReordering = false;
  #done = false;
  readonly #ends = new Map<string, ClientEnd>();
  readonly #enabled = new Map<string, boolean>();
  readonly #servers = new Map<ServerName, Server | undefined>();
  readonly #connections = new Map<string, ServerName>();
  #count = 0;
  #bytes = 0;
  #rpcIds = 0;
  readonly #observers: NetworkObserver[] = [];
  readonly #pending = new Map<number, PendingHandler>();
  #faults: LinkFaults | undefined;

  /** Stop the network: later calls never complete, so nothing more happens once a test has ended. */
  cleanup(): void {
    this.#done = true;
  }

  /** false: delay requests 0–26 ms and drop 10 % of requests and 10 % of replies. */
  reliable(yes: boolean): void {
    this.#reliable = yes;
  }

  /** true: hold 2/3 of replies back for 200–2199 ms. */
  longReordering(yes: boolean): void {
    this.#longReordering = yes;
  }

  /** true: calls to unreachable servers fail after 0–6999 ms instead of 0–99 ms. */
  longDelays(yes: boolean): void {
    this.#longDelays = yes;
  }

  /** Put an extra fault layer over every link (explore's); undefined removes it. */
  injectFaults(faults: LinkFaults | undefined): void {
    this.#faults = faults;
  }

  /** Watch every RPC's progress (the test harness records a trace from this). */
  observe(observer: NetworkObserver): void {
    this.#observers.push(observer);
  }

  makeEnd(name: string): ClientEnd {
    if (this.#ends.has(name)) throw new LabrpcError(`makeEnd: ${name} already exists`);
    const end = new ClientEnd(name, this);
    this.#ends.set(name, end);
    this.#enabled.set(name, false);
    return end;
  }

  addServer(name: ServerName, server: Server): void {
    this.#servers.set(name, server);
  }

  /** Pending and future calls to this server fail; a reply it produces later is never delivered. */
  deleteServer(name: ServerName): void {
    this.#servers.set(name, undefined);
  }

  connect(endName: string, serverName: ServerName): void {
    this.#connections.set(endName, serverName);
  }

  /** Enable or disable one end: one direction of one link. */
  enable(endName: string, enabled: boolean): void {
    this.#enabled.set(endName, enabled);
  }

  /** RPCs that reached this server's dispatch. */
  getCount(serverName: ServerName): number {
    const server = this.#servers.get(serverName);
    if (server === undefined) throw new LabrpcError(`getCount: no live server named ${String(serverName)}`);
    return server.count;
  }

  /** Every call handed to the network, including those to unreachable servers and dropped ones. */
  getTotalCount(): number {
    return this.#count;
  }

  /** Request bytes of every call, plus reply bytes of every reply actually delivered. */
  getTotalBytes(): number {
    return this.#bytes;
  }

  /**
   * Handlers that were handed a request and have not returned yet, oldest first. One that stays here
   * long is a handler whose promise never settles: its caller waits for a reply that never comes.
   */
  pendingHandlers(): PendingHandler[] {
    return [...this.#pending.values()];
  }

  /** Whether the handler of RPC `rpc` was handed its request and has not returned yet. */
  handlerRunning(rpc: number): boolean {
    return this.#pending.has(rpc);
  }

  /** @internal ClientEnd.call's body. */
  send(endName: string, svcMeth: string, args: unknown): Promise<unknown> {
    if (this.#done) return new Promise(() => {});
    const argBytes = encode(args, 'args'); // before any await: later changes by the caller are not seen
    return this.#start(endName, svcMeth, argBytes, args, 'value');
  }

  /**
   * Send a request already encoded (`args` is its decoded value, for observers); resolves to the reply's
   * bytes, or null. The tester uses it for calls made across the boundary (tests/harness/boundary).
   */
  sendEncoded(
    endName: string,
    svcMeth: string,
    argBytes: Uint8Array,
    args: unknown,
  ): Promise<Uint8Array | null> {
    if (this.#done) return new Promise(() => {});
    return this.#start(endName, svcMeth, argBytes, args, 'bytes') as Promise<Uint8Array | null>;
  }

  #start(
    endName: string,
    svcMeth: string,
    argBytes: Uint8Array,
    args: unknown,
    want: 'value' | 'bytes',
  ): Promise<unknown> {
    if (argBytes.length > MAX_RPC_BYTES) return tooLarge(svcMeth, 'request', argBytes.length);
    const rpc = ++this.#rpcIds;
    this.#count += 1;
    this.#bytes += argBytes.length;
    const snap = this.#snapshot(endName);
    this.#emit({
      kind: 'send',
      rpc,
      end: endName,
      server: snap.serverName,
      svcMeth,
      bytes: argBytes.length,
      args,
      encoded: argBytes,
    });
    return this.#processRequest(rpc, endName, svcMeth, argBytes, snap, want);
  }

  #snapshot(endName: string): Snapshot {
    const serverName = this.#connections.get(endName);
    return {
      enabled: this.#enabled.get(endName) ?? false,
      serverName,
      server: serverName === undefined ? undefined : this.#servers.get(serverName),
      reliable: this.#reliable,
      longReordering: this.#longReordering,
    };
  }

  async #processRequest(
    rpc: number,
    endName: string,
    svcMeth: string,
    argBytes: Uint8Array,
    snap: Snapshot,
    want: 'value' | 'bytes',
  ): Promise<unknown> {
    if (!snap.enabled || snap.server === undefined) return this.#failUnreachable(rpc);
    // Unreliable: a short delay of 0–26 ms on top of the latency.
    await sleep(LINK_LATENCY_MS + (snap.reliable ? 0 : randomInt(27)));
    if (!snap.reliable) {
      if (randomInt(1000) < 100) {
        this.#emit({ kind: 'drop-request', rpc }); // 10 %: the handler never runs
        return null;
      }
    }
    const onRequest = this.#faults?.request(rpc, endName, svcMeth) ?? 0;
    let target = snap;
    if (onRequest !== 0) {
      if (!(await this.#passes(onRequest))) {
        this.#emit({ kind: 'drop-request', rpc });
        return null;
      }
      // A request a fault layer held sat in the network meanwhile: like a late packet it reaches whoever
      // holds the address now, a restarted server included (Raft's model keeps messages across a
      // restart), and is lost if the server is gone or cut off now.
      const now = this.#snapshot(endName);
      if (now.server !== snap.server) {
        if (!now.enabled || now.server === undefined) {
          this.#emit({ kind: 'drop-request', rpc });
          return null;
        }
        target = now;
      }
    }
    this.#emit({ kind: 'deliver', rpc });
    const replyBytes = await this.#runHandler(rpc, endName, svcMeth, argBytes, target);
    if (replyBytes !== null && replyBytes.length > MAX_RPC_BYTES) {
      return tooLarge(svcMeth, 'reply', replyBytes.length);
    }
    // Check again after the handler: a reply from a server that was deleted meanwhile (whose Persister a
    // restart may have replaced) must not count as a success.
    if (replyBytes === null || this.#isDead(endName, target)) {
      this.#emit({ kind: 'dead', rpc });
      return null;
    }
    const onReply = this.#faults?.reply(rpc, endName, svcMeth) ?? 0;
    if (onReply !== 0 && !(await this.#passes(onReply))) {
      this.#emit({ kind: 'drop-reply', rpc });
      return null;
    }
    return this.#deliverReply(rpc, replyBytes, target, want);
  }

  /** Carry out a fault layer's decision (not 0: that one passes without an await): false to drop, else after its delay or hold, true. */
  async #passes(decision: FaultDecision): Promise<boolean> {
    if (decision === 'drop') return false;
    if (typeof decision === 'number') await delay(decision);
    else await decision;
    return true;
  }

  async #failUnreachable(rpc: number): Promise<null> {
    // Long delays (0–6999 ms) let Raft tests catch a leader that sends RPCs one at a time and waits;
    // short ones (0–99 ms) let kv clients try each server in fairly rapid succession.
    const delayMs = this.#longDelays ? randomInt(7000) : randomInt(100);
    this.#emit({ kind: 'unreachable', rpc, delayMs });
    await delay(delayMs);
    return null;
  }

  async #deliverReply(
    rpc: number,
    replyBytes: Uint8Array,
    snap: Snapshot,
    want: 'value' | 'bytes',
  ): Promise<unknown> {
    if (!snap.reliable && randomInt(1000) < 100) {
      this.#emit({ kind: 'drop-reply', rpc }); // 10 %: the handler ran, with its side effects
      return null;
    }
    let delayMs = 0;
    if (snap.longReordering && randomInt(900) < 600) {
      // 2/3 of replies arrive 200–2199 ms late, skewed towards short delays.
      delayMs = 200 + randomInt(1 + randomInt(2000));
      this.#emit({ kind: 'reorder', rpc, delayMs });
    }
    await sleep(LINK_LATENCY_MS + delayMs);
    this.#bytes += replyBytes.length;
    const reply = decode(replyBytes);
    this.#emit({ kind: 'reply', rpc, bytes: replyBytes.length, reply, encoded: replyBytes });
    return want === 'bytes' ? replyBytes : reply;
  }

  /** Run the handler; every 100 ms check whether the destination died, and stop waiting if so. */
  #runHandler(
    rpc: number,
    endName: string,
    svcMeth: string,
    argBytes: Uint8Array,
    snap: Snapshot,
  ): Promise<Uint8Array | null> {
    this.#pending.set(rpc, { rpc, server: snap.serverName as ServerName, svcMeth });
    const returned: HandlerReturn = { now: false };
    const handler = (snap.server as Server).dispatch(svcMeth, argBytes, returned);
    void handler.then(
      () => this.#pending.delete(rpc),
      () => this.#pending.delete(rpc),
    );
    return new Promise((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const poll = (): void => {
        if (this.#isDead(endName, snap)) resolve(null);
        else timer = setTimeout(poll, DEAD_POLL_MS);
      };
      // A handler that already returned (every Raft handler does) settles before any timer could fire:
      // its poll would be cleared unseen, so it is not set at all (one timer less per RPC, and the
      // other timers keep their order).
      if (returned.later === true) returned.pending = () => (timer = setTimeout(poll, DEAD_POLL_MS));
      else if (!returned.now) timer = setTimeout(poll, DEAD_POLL_MS);
      handler.then(
        (bytes) => {
          clearTimeout(timer);
          resolve(bytes);
        },
        (error: unknown) => {
          clearTimeout(timer);
          resolve(null);
          // A broken handler or an unknown method must fail the test, not vanish: rethrow it where the
          // harness sees it (an unhandled rejection, reported with the virtual time).
          void Promise.reject(error instanceof Error ? error : new RpcHandlerError(String(error)));
        },
      );
    });
  }

  /** The destination is dead if the end was disabled or the server was deleted or replaced. */
  #isDead(endName: string, snap: Snapshot): boolean {
    if (!(this.#enabled.get(endName) ?? false)) return true;
    return snap.serverName === undefined || this.#servers.get(snap.serverName) !== snap.server;
  }

  #emit(event: NetworkEvent): void {
    for (const observer of this.#observers) observer(event);
  }
}

/**
 * An RPC over MAX_RPC_BYTES: the call fails (null), and the test fails at once, as a throwing handler
 * does (an unhandled rejection the harness reports with the virtual time).
 */
function tooLarge(svcMeth: string, what: 'request' | 'reply', bytes: number): Promise<null> {
  const mib = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MiB`;
  void Promise.reject(
    new RpcTooLargeError(
      `${svcMeth}: a ${what} of ${bytes} bytes (${mib(bytes)}) is more than labrpc carries in one RPC ` +
        `(${mib(MAX_RPC_BYTES)}). Send only what the receiver needs (the entries it lacks, not the whole ` +
        'log; no large values in every heartbeat).',
    ),
  );
  return Promise.resolve(null);
}

// The tester's network cannot be patched at run time (see freeze.ts).
freezeClass(Network, ClientEnd);
