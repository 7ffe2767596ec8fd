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
 * A handler hands the request to Raft as an Op (Gets too: a read served from a stale leader's store
 * would not be linearizable) and answers once that Op has been applied at the index start() returned
 * (pending.ts says when it gives up instead). Requests arriving close together share one log entry
 * (#propose). Every replica applies the committed Ops, in log order, to its store (store.ts), which
 * skips duplicates. The 3B snapshot holds the store, duplicate table included.
 */
// #endregion
import type { ClientEnd, Persister } from '../labrpc';
import { Raft, type ApplyMsg } from '../raft';
import type { GetArgs, GetReply, PutAppendArgs, PutAppendReply } from './common';
// #region SOLUTION 3A
// SKELETON: import { todo } from './todo';
import { debugLog } from '../labrpc';
import { commandToOps, opsToCommand, type Op } from './common';
import { PendingOps, WRONG_LEADER, type Outcome } from './pending';
import { KVStore } from './store';

/** The shortest time between two batches (log entries) that this server starts; see #propose. */
const BATCH_MS = 10;
// #endregion
// #region SOLUTION 3B
// SKELETON: import { todo } from './todo';
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
  readonly #persister: Persister;
  readonly #store = new KVStore();
  readonly #pending: PendingOps;
  /** Requests that arrived since the last start(), and the timer that will start them as one batch. */
  #queue: { op: Op; answer: (outcome: Outcome) => void }[] = [];
  #flushTimer: ReturnType<typeof setTimeout> | null = null;
  /** When the last batch was started (Date.now()). */
  #lastStart = -Infinity;
  /** The index of the last command (or snapshot) applied to the store. */
  #lastApplied = 0;
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
    this.#persister = persister;
    this.#pending = new PendingOps(() => this.rf.getState());
    // #endregion
    // #region SOLUTION 3B
    this.#restore(persister.readSnapshot());
    // #endregion
    this.rf = new Raft(servers, me, persister, (msg) => this.applyMsg(msg), raftServers);
  }

  Get(args: GetArgs): Promise<GetReply> {
    // Your code here (3A).
    // #region SOLUTION 3A
    // SKELETON: return todo('3A: KVServer.Get: start the operation in Raft, answer once it has been applied');
    return this.#propose({ kind: 'Get', key: args.key, value: '', clientId: args.clientId, seq: args.seq });
    // #endregion
  }

  async PutAppend(args: PutAppendArgs): Promise<PutAppendReply> {
    // Your code here (3A).
    // #region SOLUTION 3A
    // SKELETON: return todo('3A: KVServer.PutAppend: start the operation in Raft, answer once it has been applied');
    const { key, value, op: kind, clientId, seq } = args;
    const { err } = await this.#propose({ kind, key, value, clientId, seq });
    return { err };
    // #endregion
  }

  /** Raft calls this with each committed command and each installed snapshot, in order. */
  applyMsg(msg: ApplyMsg): void {
    // Your code here (3A, 3B).
    // #region SOLUTION 3A
    // SKELETON: todo('3A: applyMsg: apply each committed operation to the key/value state, in log order');
    if (msg.kind === 'command') this.#applyCommand(commandToOps(msg.command), msg.commandIndex);
    else if (msg.kind === 'config') this.#pending.applied(msg.configIndex, [], []); // 2E: none of ours there
    // #endregion
    // #region SOLUTION 3B
    // SKELETON: if (msg.kind === 'snapshot') todo('3B: restore the state from a snapshot Raft delivers');
    // SKELETON: if (this.maxraftstate >= 0 && this.rf.persister.raftStateSize() >= this.maxraftstate) {
    // SKELETON:   todo('3B: the raft state has reached maxraftstate: hand Raft a snapshot with rf.snapshot(index, bytes)');
    // SKELETON: }
    if (msg.kind === 'config') return; // a membership change (2E) leaves the store as it is
    if (msg.kind === 'command') this.#maybeSnapshot(msg.commandIndex);
    else this.#applySnapshot(msg.snapshot, msg.snapshotIndex);
    // #endregion
  }

  /**
   * The tester calls kill() when a server is shut down; afterwards it must not answer or apply anything
   * (a dead server's late reply could confuse the test). Raft is killed with it.
   */
  kill(): void {
    this.#dead = true;
    this.rf.kill();
    // Your code here, if desired.
    // #region SOLUTION 3A
    if (this.#flushTimer !== null) clearTimeout(this.#flushTimer);
    void this.#flush(); // answers what is queued: ErrWrongLeader
    this.#pending.failAll();
    // #endregion
  }

  killed(): boolean {
    return this.#dead;
  }

  // #region SOLUTION 3A
  /**
   * Start `op` in Raft and wait until it is applied (or the attempt fails: see pending.ts).
   * [beyond the lab] group commit: at most one log entry per BATCH_MS; requests that arrive sooner wait
   * and go into the next entry together. Raft persists its whole log on every start() and append, and
   * without snapshots (3A) the log only grows, so with many clients this bounds the log, and the work
   * of persisting it. A lone client is never held back (its requests are further apart).
   */
  #propose(op: Op): Promise<Outcome> {
    if (this.#dead || !this.rf.getState().isLeader) return Promise.resolve(WRONG_LEADER);
    const outcome = new Promise<Outcome>((answer) => this.#queue.push({ op, answer }));
    if (this.#flushTimer === null) {
      const wait = this.#lastStart + BATCH_MS - Date.now();
      if (wait <= 0) void this.#flush();
      else this.#flushTimer = setTimeout(() => void this.#flush(), wait);
    }
    return outcome;
  }

  /** Start the queued requests as one batch and answer each once the batch is applied. */
  async #flush(): Promise<void> {
    const batch = this.#queue;
    this.#queue = [];
    this.#flushTimer = null;
    this.#lastStart = Date.now();
    const ops = batch.map((request) => request.op);
    const { index, term, isLeader } = this.#dead
      ? { index: 0, term: 0, isLeader: false }
      : this.rf.start(opsToCommand(ops));
    const outcomes = isLeader ? await this.#pending.wait(index, term, ops) : ops.map(() => WRONG_LEADER);
    if (outcomes[0]?.err === 'ErrTimeout') {
      debugLog(this.me, 'kv', `T${term} batch of ${ops.length} at index ${index} timed out`);
    }
    batch.forEach((request, k) => request.answer(outcomes[k]));
  }

  #applyCommand(ops: Op[], index: number): void {
    if (this.#dead || index <= this.#lastApplied) return;
    this.#lastApplied = index;
    this.#pending.applied(
      index,
      ops,
      ops.map((op) => this.#store.apply(op)),
    );
  }
  // #endregion

  // #region SOLUTION 3B
  /** Hand Raft a snapshot once its persisted state has grown to maxraftstate bytes. */
  #maybeSnapshot(index: number): void {
    if (
      this.#dead ||
      index !== this.#lastApplied ||
      this.maxraftstate < 0 ||
      this.#persister.raftStateSize() < this.maxraftstate
    )
      return;
    this.rf.snapshot(index, this.#store.encode());
  }

  /** A snapshot from Raft (sent by the leader) replaces the store, if it is newer than what we have. */
  #applySnapshot(snapshot: Uint8Array, index: number): void {
    if (this.#dead || index <= this.#lastApplied) return;
    this.#restore(snapshot);
    this.#lastApplied = index;
    this.#pending.coveredBy(index);
    debugLog(this.me, 'kv', `installed snapshot up to ${index}`);
  }

  /** Load a snapshot (on start: the persisted one; empty on a first boot). */
  #restore(snapshot: Uint8Array): void {
    this.#store.restore(snapshot);
  }
  // #endregion
}
