/**
 * A scripted fault for one clerk (the 4B scripted tests): the reply to its first PutAppend that
 * succeeds is held back — the server has applied the operation — until the test releases it, and is
 * then lost. The clerk must retry the same request, and by then the test may have moved the key's shard
 * to another group: only a duplicate table that moved with the shard recognises the retry.
 */
import type { Network } from '../../labrpc';
import { ClientLinkEnd } from '../kvraft/client-link';

export class ReplyGate {
  #armed = true;
  #onHeld: () => void = () => undefined;
  #release: () => void = () => undefined;
  /** Resolves once a reply is being held. */
  readonly held = new Promise<void>((resolve) => (this.#onHeld = resolve));
  readonly #released = new Promise<void>((resolve) => (this.#release = resolve));

  /** Let the held reply go (as lost). */
  release(): void {
    this.#release();
  }

  /** Whether this reply is the one to hold: the first OK reply to a PutAppend. */
  take(svcMeth: string, reply: unknown): boolean {
    if (!this.#armed || svcMeth !== 'ShardKV.PutAppend') return false;
    if ((reply as { err?: unknown } | null)?.err !== 'OK') return false;
    this.#armed = false;
    this.#onHeld();
    return true;
  }

  get released(): Promise<void> {
    return this.#released;
  }
}

/** A client end (with the client link's latency) whose replies pass through a gate. */
export class GatedEnd extends ClientLinkEnd {
  readonly #gate: ReplyGate;

  constructor(name: string, net: Network, gate: ReplyGate) {
    super(name, net);
    this.#gate = gate;
  }

  override async call<Args, Reply>(svcMeth: string, args: Args): Promise<Reply | null> {
    const reply = await super.call<Args, Reply>(svcMeth, args);
    if (!this.#gate.take(svcMeth, reply)) return reply;
    await this.#gate.released;
    return null;
  }
}
