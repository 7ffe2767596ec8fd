/**
 * A shardkv server: one replica of one replica group, on top of its own Raft peer (6.824
 * shardkv/server.go, catalog §3.1).
 *
 *   new ShardKV(servers, me, persister, maxraftstate, gid, ctrlers, makeEnd)
 *
 * `servers[i]` reaches peer i of this group's Raft; `ctrlers` reach the shard controllers (make a
 * shardctrler Clerk of them); `makeEnd(name)` turns a server name from a Config's groups into an end.
 * RPCs: "ShardKV.Get" and "ShardKV.PutAppend", answered only once applied through the group's log,
 * with ErrWrongGroup for a key whose shard the group does not serve at that point of the log. Snapshots
 * when the raft state reaches `maxraftstate` bytes (-1: never). The constructor must return quickly.
 */
// #region SOLUTION 4B
/*
 * The leader of each group runs three loops, every POLL_MS: ask the controller for the configuration
 * after the current one (once the current one is settled), pull the shards the group gained from their
 * previous owners, and tell those owners to drop the shards the group now holds (challenge 1). Each
 * loop only proposes commands; what happens is decided when a command is applied (machine.ts), so a
 * stale or duplicate proposal is harmless. Groups pull rather than push: the group that needs a shard
 * asks for it, so two groups swapping shards never wait on each other.
 */
// #endregion
import type { ClientEnd, Persister } from '../labrpc';
import type { Raft } from '../raft';
import type { GetArgs, GetReply, PutAppendArgs, PutAppendReply } from './common';
// #region SOLUTION 4B
// SKELETON: import { Raft as RaftPeer } from '../raft';
// SKELETON: import { todo } from './todo';
import { debugLog, sleep } from '../labrpc';
import { Rsm } from '../kvraft/rsm';
import { Clerk as CtrlerClerk, type Config } from '../shardctrler';
import { GroupMachine, type GroupOp, type OpResult, type ShardData } from './machine';

/** How often the leader polls the controller and drives handoffs (the handout: about every 100 ms). */
const POLL_MS = 100;

/** Ask a group's old owner for shards (config `num`): their data, or not yet. */
export interface PullArgs {
  num: number;
  shards: number[];
}
export interface PullReply {
  err: 'OK' | 'ErrNotReady';
  shards: Record<number, ShardData>;
}
/** Tell a shard's old owner (config `num - 1`) that the new owner has it [SK.6]. */
export interface DeleteArgs {
  num: number;
  shards: number[];
}
export interface DeleteReply {
  err: 'OK' | 'ErrNotReady' | 'ErrWrongLeader';
}
// #endregion

export class ShardKV {
  readonly me: number;
  readonly gid: number;
  readonly maxraftstate: number;
  #dead = false;
  // Your definitions here.
  // #region SOLUTION 4B
  // SKELETON: readonly rf: Raft;
  readonly #rsm: Rsm<GroupOp, OpResult>;
  readonly #machine: GroupMachine;
  readonly #ctrler: CtrlerClerk;
  readonly #makeEnd: (name: string) => ClientEnd;
  readonly #ends = new Map<string, ClientEnd>();
  /** The term in which this server, as leader, proposed its NoOp. */
  #noOpTerm = -1;
  // #endregion

  constructor(
    servers: ClientEnd[],
    me: number,
    persister: Persister,
    maxraftstate: number,
    gid: number,
    ctrlers: ClientEnd[],
    makeEnd: (name: string) => ClientEnd,
  ) {
    this.me = me;
    this.gid = gid;
    this.maxraftstate = maxraftstate;
    // Your initialization code here.
    // #region SOLUTION 4B
    // SKELETON: this.rf = new RaftPeer(servers, me, persister, () => todo('4B: apply each committed operation and configuration change, in log order'));
    this.#machine = new GroupMachine(gid, (line) => debugLog(me, 'shard', line, gid));
    this.#rsm = new Rsm(servers, me, persister, maxraftstate, this.#machine);
    this.#ctrler = new CtrlerClerk(ctrlers);
    this.#makeEnd = makeEnd;
    void this.#leaderLoop();
    // #endregion
  }

  /** This replica's Raft peer: the tester registers its RPC service. */
  raft(): Raft {
    // #region SOLUTION 4B
    // SKELETON: return this.rf;
    return this.#rsm.rf;
    // #endregion
  }

  async Get(args: GetArgs): Promise<GetReply> {
    // Your code here.
    // #region SOLUTION 4B
    // SKELETON: return todo('4B: ShardKV.Get: ErrWrongGroup unless the group serves the key\'s shard, else as in kvraft');
    const outcome = await this.#rsm.submit({ kind: 'Get', value: '', ...args });
    return outcome.ok ? outcome.result : { err: outcome.err, value: '' };
    // #endregion
  }

  async PutAppend(args: PutAppendArgs): Promise<PutAppendReply> {
    // Your code here.
    // #region SOLUTION 4B
    // SKELETON: return todo('4B: ShardKV.PutAppend: ErrWrongGroup unless the group serves the key\'s shard, else as in kvraft');
    const { key, value, op: kind, clientId, seq } = args;
    const outcome = await this.#rsm.submit({ kind, key, value, clientId, seq });
    return { err: outcome.ok ? outcome.result.err : outcome.err };
    // #endregion
  }

  // #region SOLUTION 4B
  /** Another group, now the owner of some of our old shards, asks for them. */
  Pull(args: PullArgs): PullReply {
    const shards = this.#dead ? null : this.#machine.offer(args.num, args.shards);
    return shards === null ? { err: 'ErrNotReady', shards: {} } : { err: 'OK', shards };
  }

  /** [SK.6] The new owner has these shards: drop them, through the log. */
  async Delete(args: DeleteArgs): Promise<DeleteReply> {
    const num = this.#machine.config.num;
    if (num > args.num) return { err: 'OK' }; // we moved on, which needs the handoff done: dropped already
    if (num < args.num) return { err: 'ErrNotReady' };
    const outcome = await this.#rsm.submit({ kind: 'Delete', num: args.num, shards: args.shards });
    return { err: outcome.ok ? 'OK' : 'ErrWrongLeader' };
  }
  // #endregion

  /** The tester calls kill() when it shuts a server down; afterwards it must not answer anything. */
  kill(): void {
    this.#dead = true;
    // Your code here, if desired.
    // #region SOLUTION 4B
    // SKELETON: this.rf.kill();
    this.#rsm.kill();
    // #endregion
  }

  killed(): boolean {
    return this.#dead;
  }

  // #region SOLUTION 4B
  /** The leader's duties, every POLL_MS until killed; followers only wait. */
  async #leaderLoop(): Promise<void> {
    while (!this.#dead) {
      if (this.#rsm.isLeader()) {
        await Promise.all([this.#poll(), this.#pullShards(), this.#eraseShards(), this.#noOp()]);
      }
      await sleep(POLL_MS);
    }
  }

  /** [SK.1] Once the current configuration is settled, propose the next one, if the controller has it. */
  async #poll(): Promise<void> {
    if (!this.#machine.settled()) return;
    const num = this.#machine.config.num;
    const next = await this.#ctrler.query(num + 1);
    if (next.num === num + 1 && !this.#dead) {
      debugLog(this.me, 'shard', `proposes config ${next.num}`, this.gid);
      // [SK.5] through the log, never straight into the machine: every replica switches at this entry
      await this.#rsm.submit({ kind: 'Config', config: next });
    }
  }

  /** [SK.3] Fetch the shards this group gained from their owners in the previous configuration. */
  async #pullShards(): Promise<void> {
    const { num } = this.#machine.config;
    await Promise.all(
      [...byOwner(this.#machine.prev, this.#machine.shardsIn('Pulling'))].map(async ([gid, shards]) => {
        const reply = await this.#askGroup<PullArgs, PullReply>(this.#machine.prev, gid, 'ShardKV.Pull', {
          num,
          shards,
        });
        if (reply !== null && !this.#dead)
          await this.#rsm.submit({ kind: 'Install', num, shards: reply.shards });
      }),
    );
  }

  /** [SK.6] Tell the previous owners to drop the shards this group now holds, then mark them Serving. */
  async #eraseShards(): Promise<void> {
    const { num } = this.#machine.config;
    await Promise.all(
      [...byOwner(this.#machine.prev, this.#machine.shardsIn('Erasing'))].map(async ([gid, shards]) => {
        const reply = await this.#askGroup<DeleteArgs, DeleteReply>(
          this.#machine.prev,
          gid,
          'ShardKV.Delete',
          { num, shards },
        );
        if (reply !== null && !this.#dead) await this.#rsm.submit({ kind: 'Erased', num, shards });
      }),
    );
  }

  /** A new leader proposes a NoOp, so that entries of earlier terms commit and apply (§5.4.2). */
  async #noOp(): Promise<void> {
    const { term } = this.#rsm.rf.getState();
    if (term === this.#noOpTerm) return;
    this.#noOpTerm = term;
    await this.#rsm.submit({ kind: 'NoOp' });
  }

  /** One pass over group `gid`'s servers (as `config` lists them) until one answers OK; null if none. */
  async #askGroup<A, R extends { err: string }>(
    config: Config,
    gid: number,
    svcMeth: string,
    args: A,
  ): Promise<R | null> {
    for (const name of config.groups[gid] ?? []) {
      const reply = await this.#end(name).call<A, R>(svcMeth, args);
      if (reply?.err === 'OK') return reply;
    }
    return null;
  }

  /** One end per server name, made once (makeEnd makes a new end on every call). */
  #end(name: string): ClientEnd {
    let end = this.#ends.get(name);
    if (end === undefined) {
      end = this.#makeEnd(name);
      this.#ends.set(name, end);
    }
    return end;
  }
  // #endregion
}

// #region SOLUTION 4B
/** The shards grouped by their owner in `config`. */
function byOwner(config: Config, shards: readonly number[]): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const shard of shards) {
    const gid = config.shards[shard];
    out.set(gid, [...(out.get(gid) ?? []), shard]);
  }
  return out;
}

// #endregion
