/**
 * Beyond Go: two ways for a scripted test to act on RPC replies, which the Go tester cannot do.
 *
 * - `ReplyWatch`: call a function at the instant the reply to a chosen RPC leaves the network for its
 *   caller (the caller has not seen it yet): e.g. crash the server that answered, to check that what
 *   the reply promised was on stable storage before it left.
 * - `ReplyHold` (through TesterEnd): keep the replies to chosen RPCs in flight until the test releases
 *   them: a delayed reply, which a real network may produce, arriving after the caller has moved on.
 *
 * Neither changes anything while no test asks for it: a TesterEnd with no hold returns labrpc's own promise.
 */
import { ClientEnd, type Network } from '../../labrpc';

/** An RPC between two servers, as tests select them. */
export interface RpcPath {
  from: number;
  to: number;
  svcMeth: string;
}

export type RpcSelect = (rpc: RpcPath) => boolean;

/** Replies held in flight; `release()` delivers them all, in the order they arrived. */
export interface ReplyHold {
  /** How many replies are held now. */
  readonly count: number;
  release(): void;
}

interface Hold {
  readonly select: RpcSelect;
  readonly queue: Array<() => void>;
  active: boolean;
}

/** The holds of one cluster, consulted by its TesterEnds. */
export class ReplyHolds {
  readonly #holds: Hold[] = [];

  /** Hold the replies of the RPCs `select` picks, sent from now on, until release(). */
  hold(select: RpcSelect): ReplyHold {
    const hold: Hold = { select, queue: [], active: true };
    this.#holds.push(hold);
    return {
      get count() {
        return hold.queue.length;
      },
      release: () => {
        hold.active = false;
        this.#holds.splice(this.#holds.indexOf(hold), 1);
        for (const deliver of hold.queue.splice(0)) deliver();
      },
    };
  }

  /** The reply promise a caller sees: labrpc's own, or one that waits for the hold's release. */
  intercept(path: RpcPath, reply: Promise<unknown>): Promise<unknown> {
    const hold = this.#holds.find((h) => h.active && h.select(path));
    if (hold === undefined) return reply;
    return reply.then(
      (value) =>
        new Promise((resolve) => {
          if (hold.active) hold.queue.push(() => resolve(value));
          else resolve(value);
        }),
    );
  }
}

/** A client end from server `from` to server `to` that lets the cluster's holds delay its replies. */
export class TesterEnd extends ClientEnd {
  readonly #path: { from: number; to: number };
  readonly #holds: ReplyHolds;

  constructor(name: string, net: Network, path: { from: number; to: number }, holds: ReplyHolds) {
    super(name, net);
    this.#path = path;
    this.#holds = holds;
  }

  override call<Args, Reply>(svcMeth: string, args: Args): Promise<Reply | null> {
    const reply = super.call<Args, Reply>(svcMeth, args);
    return this.#holds.intercept({ ...this.#path, svcMeth }, reply) as Promise<Reply | null>;
  }
}
