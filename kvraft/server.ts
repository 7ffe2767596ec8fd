/**
 * A KV server: one replica of the key/value service, on top of its own Raft peer (6.824
 * kvraft/server.go, catalog §7.1).
 *
 *   const kv = new KVServer(servers, me, persister, maxraftstate);   // servers[i] reaches peer i's Raft
 *   server.addService(Service.of(kv)); server.addService(Service.of(kv.rf));   // the test config does this
 *
 * RPCs: "KVServer.Get" and "KVServer.PutAppend". A server answers a request only once its operation has
 * been applied through the Raft log, so a client never hears OK for an operation that might still be
 * lost; every replica applies the committed operations, in log order.
 *
 * 3B: when the raft state reaches `maxraftstate` bytes (-1: never), the server hands Raft a snapshot of
 * its state with rf.snapshot(index, bytes), and restores from the persisted snapshot when it starts and
 * from every snapshot Raft delivers.
 *
 * The constructor must return quickly; everything else runs from Raft's applyCh and the handlers.
 */
// #region SOLUTION 3A
/*
 * The server is the replicated state machine layer (rsm.ts, shared with Lab 4's servers) with the
 * key/value store (store.ts) as its state machine. A handler submits its request as an Op (Gets too: a
 * read served from a stale leader's store would not be linearizable [KV.4]) and answers with the Op's
 * result once the layer has applied it at the index start() returned [KV.2]; every replica applies the
 * committed Ops, in log order, to its store, which skips duplicates [KV.1]. The layer also takes the 3B
 * snapshots (the store, duplicate table included) and restores them.
 */
// #endregion
import type { ClientEnd, Persister } from '../labrpc';
// #region SOLUTION 3A
// SKELETON: import { Raft, type ApplyMsg } from '../raft';
import type { Raft } from '../raft';
// #endregion
import type { GetArgs, GetReply, PutAppendArgs, PutAppendReply } from './common';
// #region SOLUTION 3A
// SKELETON: import { todo } from './todo';
import { opCodec, type Op } from './common';
import { Rsm, type Submitted } from './rsm';
import { KVStore, type OpResult } from './store';
// #endregion

export class KVServer {
  readonly me: number;
  /** This replica's Raft peer; the test config reads its state and registers its RPC service. */
  readonly rf: Raft;
  /** Snapshot when the persisted raft state reaches this many bytes; -1: never. */
  readonly maxraftstate: number;
  #dead = false;
  // Your definitions here.
  // #region SOLUTION 3A
  readonly #store = new KVStore();
  readonly #rsm: Rsm<Op, OpResult>;
  // #endregion

  /** `raftServers` (2E, part 3C): Raft's initial configuration, if not every server. */
  constructor(
    servers: ClientEnd[],
    me: number,
    persister: Persister,
    maxraftstate: number,
    raftServers?: readonly number[],
  ) {
    this.me = me;
    this.maxraftstate = maxraftstate;
    // You may need initialization code here.
    // #region SOLUTION 3A
    // SKELETON: this.rf = new Raft(servers, me, persister, (msg) => this.applyMsg(msg), raftServers);
    this.#rsm = new Rsm(servers, me, persister, maxraftstate, this.#store, { raftServers, codec: opCodec });
    this.rf = this.#rsm.rf;
    // #endregion
  }

  async Get(args: GetArgs): Promise<GetReply> {
    // Your code here (3A).
    // #region SOLUTION 3A
    // SKELETON: return todo('3A: KVServer.Get: start the operation in Raft, answer once it has been applied');
    const op: Op = { kind: 'Get', key: args.key, value: '', ...ids(args) };
    return answer(await this.#rsm.submit(op));
    // #endregion
  }

  async PutAppend(args: PutAppendArgs): Promise<PutAppendReply> {
    // Your code here (3A).
    // #region SOLUTION 3A
    // SKELETON: return todo('3A: KVServer.PutAppend: start the operation in Raft, answer once it has been applied');
    const op: Op = { kind: args.op, key: args.key, value: args.value, ...ids(args) };
    const { err } = answer(await this.#rsm.submit(op));
    return { err };
    // #endregion
  }

  // #region SOLUTION 3A
  // SKELETON: /** Raft calls this with each committed command and each installed snapshot, in order. */
  // SKELETON: applyMsg(msg: ApplyMsg): void {
  // SKELETON:   // Your code here (3A, 3B).
  // SKELETON:   todo('3A: applyMsg: apply each committed operation to the key/value state, in log order');
  // SKELETON:   if (msg.kind === 'snapshot') todo('3B: restore the state from a snapshot Raft delivers');
  // SKELETON:   if (this.maxraftstate >= 0 && this.rf.persister.raftStateSize() >= this.maxraftstate) {
  // SKELETON:     todo('3B: the raft state has reached maxraftstate: hand Raft a snapshot with rf.snapshot(index, bytes)');
  // SKELETON:   }
  // SKELETON: }
  // SKELETON:
  // #endregion
  /**
   * The tester calls kill() when a server is shut down; afterwards it must not answer or apply anything
   * (a dead server's late reply could confuse the test). Raft is killed with it.
   */
  kill(): void {
    this.#dead = true;
    this.rf.kill();
    // Your code here, if desired.
    // #region SOLUTION 3A
    this.#rsm.kill(); // answers every waiting request: ErrWrongLeader
    // #endregion
  }

  killed(): boolean {
    return this.#dead;
  }
}

// #region SOLUTION 3A
/** Who sent a request and its place in that client's sequence: the key of duplicate detection [KV.1]. */
function ids(args: { clientId: number; seq: number }): { clientId: number; seq: number } {
  return { clientId: args.clientId, seq: args.seq };
}

/** The reply for an Op's outcome: its result, or why to try another server. */
function answer(outcome: Submitted<OpResult>): GetReply {
  return outcome.ok ? outcome.result : { err: outcome.err, value: '' };
}
// #endregion
