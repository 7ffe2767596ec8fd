// #region SOLUTION 3A
// SKELETON: /**
// SKELETON:  * A place for a replicated state machine layer (optional): what a server built on Raft needs whatever
// SKELETON:  * its state is. Lab 4's shard controller and shard servers can reuse it if you write it here.
// SKELETON:  */
/**
 * A replicated state machine on Raft: the layer a server needs whatever its state is (the shard
 * controller's configurations, a shard group's shards). The server hands it a command and gets the
 * command's result once the command has been applied, in log order, on this replica; every replica
 * applies every committed command to its own StateMachine. Snapshots, when the raft state reaches
 * `maxraftstate` bytes, and their restore on start and on install, happen here too.
 *
 *   const rsm = new Rsm(servers, me, persister, maxraftstate, machine);
 *   const outcome = await rsm.submit({ ... });   // { ok: true, result } | { ok: false, err }
 *
 * A submitted command is answered exactly once, by the first of: applied at the index start() gave
 * (its result; or ErrWrongLeader if another command took that index: a new leader overwrote it); this
 * peer's term or leadership changes, or a snapshot covers the index (ErrWrongLeader); TIMEOUT_MS pass
 * (ErrTimeout: e.g. a leader cut off in a minority); kill (ErrWrongLeader). Duplicate detection is the
 * StateMachine's job: only it knows which commands have effects.
 *
 * Commands travel in the Raft log as one JSON string ({"id": …, "command": …}): the codec checks every
 * field of an object it encodes, a string is one value (kvraft/common.ts says why that matters).
 * kvraft's KVServer predates this layer and keeps its own batching copy (pending.ts, store.ts).
 */
import { debugLog, type ClientEnd, type Persister } from '../labrpc';
import { Raft, type ApplyMsg } from '../raft';
import { CHECK_MS, TIMEOUT_MS } from './pending';

/** What a replicated state machine must do: apply commands in log order, and turn into bytes and back. */
export interface StateMachine<C, R> {
  /** Apply one committed command; deterministic: every replica gets the same result. */
  apply(command: C, index: number): R;
  /** The whole state (duplicate table included) as bytes, for rf.snapshot(). */
  snapshot(): Uint8Array;
  /** Replace the state by a snapshot's; empty bytes mean the initial state. */
  restore(bytes: Uint8Array): void;
}

export type Submitted<R> = { ok: true; result: R } | { ok: false; err: 'ErrWrongLeader' | 'ErrTimeout' };

interface Waiting<R> {
  id: string;
  answer: (outcome: Submitted<R>) => void;
}

const WRONG_LEADER = { ok: false, err: 'ErrWrongLeader' } as const;

export class Rsm<C, R> {
  readonly rf: Raft;
  readonly me: number;
  readonly maxraftstate: number;
  readonly #persister: Persister;
  readonly #machine: StateMachine<C, R>;
  /** index → the submission that start() placed there. */
  readonly #waiting = new Map<number, Waiting<R>>();
  /** Makes each submission's id unique: this replica's random prefix plus a counter. */
  readonly #prefix = Math.floor(Math.random() * 2 ** 52).toString(36);
  #counter = 0;
  /** The index of the last command (or snapshot) applied to the machine. */
  #lastApplied = 0;
  #dead = false;

  constructor(
    servers: ClientEnd[],
    me: number,
    persister: Persister,
    maxraftstate: number,
    machine: StateMachine<C, R>,
  ) {
    this.me = me;
    this.maxraftstate = maxraftstate;
    this.#persister = persister;
    this.#machine = machine;
    machine.restore(persister.readSnapshot());
    this.rf = new Raft(servers, me, persister, (msg) => this.#applyMsg(msg));
  }

  isLeader(): boolean {
    return !this.#dead && this.rf.getState().isLeader;
  }

  /** Start `command` in Raft and wait for its result (see the header for the other answers). */
  submit(command: C): Promise<Submitted<R>> {
    if (this.#dead) return Promise.resolve(WRONG_LEADER);
    const id = `${this.#prefix}.${this.#counter++}`;
    const { index, term, isLeader } = this.rf.start(JSON.stringify({ id, command }));
    if (!isLeader) return Promise.resolve(WRONG_LEADER);
    this.#fail(index); // an older submission at the same index lost its place
    return new Promise((resolve) => {
      let waited = 0;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const answer = (outcome: Submitted<R>): void => {
        clearTimeout(timer);
        this.#waiting.delete(index);
        resolve(outcome);
      };
      const check = (): void => {
        waited += CHECK_MS;
        const now = this.rf.getState();
        if (now.term !== term || !now.isLeader) answer(WRONG_LEADER);
        else if (waited >= TIMEOUT_MS) answer({ ok: false, err: 'ErrTimeout' });
        else timer = setTimeout(check, CHECK_MS);
      };
      timer = setTimeout(check, CHECK_MS);
      this.#waiting.set(index, { id, answer });
    });
  }

  /** Stop applying and answering; every waiting submission hears ErrWrongLeader. */
  kill(): void {
    this.#dead = true;
    this.rf.kill();
    for (const index of [...this.#waiting.keys()]) this.#fail(index);
  }

  killed(): boolean {
    return this.#dead;
  }

  #applyMsg(msg: ApplyMsg): void {
    if (this.#dead) return;
    if (msg.kind === 'snapshot') this.#installSnapshot(msg.snapshot, msg.snapshotIndex);
    if (msg.kind !== 'command' || msg.commandIndex <= this.#lastApplied) return;
    const index = msg.commandIndex;
    const { id, command } = JSON.parse(String(msg.command)) as { id: string; command: C };
    this.#lastApplied = index;
    const result = this.#machine.apply(command, index);
    const waiting = this.#waiting.get(index);
    if (waiting !== undefined) waiting.answer(waiting.id === id ? { ok: true, result } : WRONG_LEADER);
    this.#maybeSnapshot(index);
  }

  /** Hand Raft a snapshot once its persisted state has grown to maxraftstate bytes (3B's rule). */
  #maybeSnapshot(index: number): void {
    if (this.maxraftstate < 0 || this.#persister.raftStateSize() < this.maxraftstate) return;
    this.rf.snapshot(index, this.#machine.snapshot());
  }

  /** A snapshot from the leader replaces the state, if it is newer than what this replica applied. */
  #installSnapshot(snapshot: Uint8Array, index: number): void {
    if (index <= this.#lastApplied) return;
    this.#machine.restore(snapshot);
    this.#lastApplied = index;
    for (const waiting of [...this.#waiting.keys()]) if (waiting <= index) this.#fail(waiting);
    debugLog(this.me, 'rsm', `installed snapshot up to ${index}`);
  }

  #fail(index: number): void {
    this.#waiting.get(index)?.answer(WRONG_LEADER);
  }
}
// #endregion
