/**
 * The shard controller's Clerk (6.824 shardctrler/client.go, catalog §2.2).
 *
 *   const ck = new Clerk(servers);   // servers[i] reaches controller server i (shuffled by the tester)
 *   await ck.join({ 1: ['x', 'y', 'z'] }); const config = await ck.query(-1);
 *
 * Each call keeps trying, server after server, until one server answers without wrongLeader; after a
 * full pass without success it waits PASS_PAUSE_MS. One Clerk runs one call at a time.
 */
import { sleep, type ClientEnd } from '../labrpc';
import type { Config, JoinArgs, LeaveArgs, MoveArgs, QueryArgs, QueryReply } from './common';
// #region SOLUTION 4A
// SKELETON: import { todo } from './todo';
// #endregion

/** After every server failed once, wait this long before the next pass (Go's 100 ms). */
const PASS_PAUSE_MS = 100;

/** A random client id below 2^52 (Go's nrand gives 62 bits; 52 keep it an exact JS number). */
export function nrand(): number {
  return Math.floor(Math.random() * 2 ** 52);
}

export class Clerk {
  readonly servers: ClientEnd[];
  // Your data here.
  // #region SOLUTION 4A
  readonly clientId = nrand();
  /** The sequence number of this clerk's latest request: duplicate detection. */
  #seq = 0;
  /** The server that answered last: tried first next time. */
  #leader = 0;
  // #endregion

  constructor(servers: ClientEnd[]) {
    this.servers = servers;
    // Your code here.
  }

  /** Config #num; the latest for -1 (or any number beyond the latest). */
  async query(num: number): Promise<Config> {
    const reply = await this.#call<QueryArgs, QueryReply>('ShardCtrler.Query', { num, ...this.#next() });
    return reply.config;
  }

  /** Add the groups `servers` (gid → server names); the shards are rebalanced. */
  async join(servers: Record<number, string[]>): Promise<void> {
    await this.#call<JoinArgs, { wrongLeader: boolean }>('ShardCtrler.Join', { servers, ...this.#next() });
  }

  /** Remove the groups `gids`; their shards go to the remaining groups. */
  async leave(gids: number[]): Promise<void> {
    await this.#call<LeaveArgs, { wrongLeader: boolean }>('ShardCtrler.Leave', { gids, ...this.#next() });
  }

  /** Assign `shard` to group `gid` (for tests; a later Join or Leave may move it again). */
  async move(shard: number, gid: number): Promise<void> {
    await this.#call<MoveArgs, { wrongLeader: boolean }>('ShardCtrler.Move', { shard, gid, ...this.#next() });
  }

  /** The fields a request needs besides its own (4A: clientId and seq). */
  #next(): { clientId: number; seq: number } {
    // #region SOLUTION 4A
    // SKELETON: return todo('4A: the fields that let a server tell a retried request from a new one: this clerk\'s clientId, and a seq one higher than its last request\'s');
    return { clientId: this.clientId, seq: ++this.#seq };
    // #endregion
  }

  /** Send the same request to one server after another until one answers as leader. */
  async #call<A, R extends { wrongLeader: boolean }>(svcMeth: string, args: A): Promise<R> {
    for (;;) {
      // #region SOLUTION 4A
      // SKELETON: for (const server of this.servers) {
      // SKELETON:   const reply = await server.call<A, R>(svcMeth, args);
      // SKELETON:   if (reply !== null && !reply.wrongLeader) return reply;
      // SKELETON: }
      for (let tries = 0; tries < this.servers.length; tries++) {
        const reply = await this.servers[this.#leader].call<A, R>(svcMeth, args);
        if (reply !== null && !reply.wrongLeader) return reply;
        this.#leader = (this.#leader + 1) % this.servers.length;
      }
      // #endregion
      await sleep(PASS_PAUSE_MS);
    }
  }
}
