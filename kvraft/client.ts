/**
 * The Clerk: the client library of the KV service (6.824 kvraft/client.go, catalog §7.1).
 *
 *   const ck = new Clerk(servers);      // servers[i] reaches KV server i (the tester shuffles them)
 *   await ck.put('k', 'a'); await ck.append('k', 'b'); await ck.get('k');   // → 'ab'
 *
 * Contract: each call returns only once the operation has taken effect exactly once, however many times
 * it had to be sent; it keeps trying, server after server, for as long as it takes. A missing key reads
 * as "". One Clerk runs one operation at a time (the tests never overlap calls on one Clerk).
 */
import type { ClientEnd } from '../labrpc';
import type { Err, GetArgs, GetReply, PutAppendArgs, PutAppendReply } from './common';
// #region SOLUTION 3A
// SKELETON: import { todo } from './todo';
import { sleep } from '../labrpc';

/**
 * After every server failed once (no leader yet, or none reachable), wait this long before the next
 * round: an election takes a few hundred ms, so asking again at once would only add RPCs. Unreachable
 * servers already cost 0–99 ms each (labrpc), and a leader cut off in a minority answers ErrTimeout.
 */
const RETRY_ROUND_MS = 100;
// #endregion

/** A random client id below 2^52 (Go's nrand gives 62 bits; 52 keep it an exact JS number). */
export function nrand(): number {
  return Math.floor(Math.random() * 2 ** 52);
}

export class Clerk {
  readonly servers: ClientEnd[];
  // You will have to modify this class.
  // #region SOLUTION 3A
  readonly clientId = nrand();
  /** The sequence number of this clerk's latest request; each new request takes the next one. */
  #seq = 0;
  /** The server that answered last: tried first next time. */
  #leader = 0;
  // #endregion

  constructor(servers: ClientEnd[]) {
    this.servers = servers;
    // You'll have to add code here.
  }

  /**
   * Fetch the current value for a key; "" if the key does not exist. Keeps trying forever in the face
   * of all other errors. Send with `await this.servers[i].call<GetArgs, GetReply>('KVServer.Get', args)`:
   * the reply, or null if the request or the reply was lost or the server was unreachable.
   */
  async get(key: string): Promise<string> {
    // You will have to modify this function.
    // #region SOLUTION 3A
    // SKELETON: return todo('3A: Clerk.get: send Get to one server after another until one answers');
    const args: GetArgs = { key, clientId: this.clientId, seq: ++this.#seq };
    const reply = await this.#callLeader<GetArgs, GetReply>('KVServer.Get', args);
    return reply.err === 'ErrNoKey' ? '' : reply.value;
    // #endregion
  }

  /** Put or Append, shared by put and append; like get, returns only once it has taken effect. */
  async putAppend(key: string, value: string, op: 'Put' | 'Append'): Promise<void> {
    // You will have to modify this function.
    // #region SOLUTION 3A
    // SKELETON: return todo('3A: Clerk.putAppend: send PutAppend to one server after another until one succeeds');
    const args: PutAppendArgs = { key, value, op, clientId: this.clientId, seq: ++this.#seq };
    await this.#callLeader<PutAppendArgs, PutAppendReply>('KVServer.PutAppend', args);
    // #endregion
  }

  put(key: string, value: string): Promise<void> {
    return this.putAppend(key, value, 'Put');
  }

  append(key: string, value: string): Promise<void> {
    return this.putAppend(key, value, 'Append');
  }

  // #region SOLUTION 3A
  /**
   * Send the same request (same clientId and seq, so servers execute it at most once) to one server
   * after another, starting with the last known leader, until one answers OK or ErrNoKey.
   */
  async #callLeader<A, R extends { err: Err }>(svcMeth: string, args: A): Promise<R> {
    for (;;) {
      for (let tries = 0; tries < this.servers.length; tries++) {
        const reply = await this.servers[this.#leader].call<A, R>(svcMeth, args);
        if (reply !== null && (reply.err === 'OK' || reply.err === 'ErrNoKey')) return reply;
        this.#leader = (this.#leader + 1) % this.servers.length;
      }
      await sleep(RETRY_ROUND_MS);
    }
  }
  // #endregion
}
