/**
 * The shardkv Clerk (6.824 shardkv/client.go, catalog §3.1).
 *
 *   const ck = new Clerk(ctrlers, makeEnd);   // ends to the shard controllers; name → end
 *   await ck.put('k', 'a'); await ck.append('k', 'b'); await ck.get('k');   // → 'ab'
 *
 * The Clerk finds a key's group from its configuration (key2shard, then config.shards), tries that
 * group's servers, and on ErrWrongGroup (or after a pass without an answer) waits 100 ms and asks the
 * controller for the latest configuration. Like kvraft's, each call returns once the operation took
 * effect exactly once, and keeps trying for as long as it takes.
 */
import type { ClientEnd } from '../labrpc';
import { Clerk as CtrlerClerk, initialConfig, type Config } from '../shardctrler';
import type { GetArgs, GetReply, PutAppendArgs, PutAppendReply } from './common';
// #region SOLUTION 4B
// SKELETON: import { todo } from './todo';
import { sleep } from '../labrpc';
import { nrand } from '../shardctrler';
import { key2shard } from './common';

/** After a pass over a group without an answer, or ErrWrongGroup: wait this long, ask the controller. */
const RETRY_ROUND_MS = 100;
// #endregion

export class Clerk {
  readonly sm: CtrlerClerk;
  config: Config = initialConfig();
  readonly makeEnd: (name: string) => ClientEnd;
  // You will have to modify this class.
  // #region SOLUTION 4B
  readonly clientId = nrand();
  #seq = 0;
  readonly #ends = new Map<string, ClientEnd>();
  /** gid → the index of the server that answered last. */
  readonly #leaders = new Map<number, number>();
  // #endregion

  constructor(ctrlers: ClientEnd[], makeEnd: (name: string) => ClientEnd) {
    this.sm = new CtrlerClerk(ctrlers);
    this.makeEnd = makeEnd;
    // You'll have to add code here.
  }

  /** The current value for a key; "" if the key does not exist. Keeps trying forever. */
  async get(key: string): Promise<string> {
    // You will have to modify this function.
    // #region SOLUTION 4B
    // SKELETON: return todo('4B: Clerk.get: send Get to the servers of the group that serves the key\'s shard');
    const args: GetArgs = { key, clientId: this.clientId, seq: ++this.#seq };
    const reply = await this.#call<GetArgs, GetReply>(key, 'ShardKV.Get', args);
    return reply.err === 'ErrNoKey' ? '' : reply.value;
    // #endregion
  }

  /** Put or Append; returns once it has taken effect. */
  async putAppend(key: string, value: string, op: 'Put' | 'Append'): Promise<void> {
    // You will have to modify this function.
    // #region SOLUTION 4B
    // SKELETON: return todo('4B: Clerk.putAppend: send PutAppend to the servers of the group that serves the key\'s shard');
    const args: PutAppendArgs = { key, value, op, clientId: this.clientId, seq: ++this.#seq };
    await this.#call<PutAppendArgs, PutAppendReply>(key, 'ShardKV.PutAppend', args);
    // #endregion
  }

  put(key: string, value: string): Promise<void> {
    return this.putAppend(key, value, 'Put');
  }

  append(key: string, value: string): Promise<void> {
    return this.putAppend(key, value, 'Append');
  }

  // #region SOLUTION 4B
  /** Send the same request to the key's group until a server answers OK or ErrNoKey. */
  async #call<A, R extends { err: string }>(key: string, svcMeth: string, args: A): Promise<R> {
    const shard = key2shard(key);
    for (;;) {
      const gid = this.config.shards[shard];
      const servers = this.config.groups[gid] ?? [];
      const first = this.#leaders.get(gid) ?? 0;
      for (let k = 0; k < servers.length; k++) {
        const si = (first + k) % servers.length;
        const reply = await this.#end(servers[si]).call<A, R>(svcMeth, args);
        if (reply !== null && (reply.err === 'OK' || reply.err === 'ErrNoKey')) {
          this.#leaders.set(gid, si);
          return reply;
        }
        if (reply?.err === 'ErrWrongGroup') break;
      }
      await sleep(RETRY_ROUND_MS);
      this.config = await this.sm.query(-1);
    }
  }

  /** One end per server name, made once. */
  #end(name: string): ClientEnd {
    let end = this.#ends.get(name);
    if (end === undefined) {
      end = this.makeEnd(name);
      this.#ends.set(name, end);
    }
    return end;
  }
  // #endregion
}
