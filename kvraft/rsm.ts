// #region SOLUTION 3A
// SKELETON: /**
// SKELETON:  * A place for a replicated state machine layer (optional): what a server built on Raft needs whatever
// SKELETON:  * its state is — the requests that wait for their operation to be applied (a handler hands its
// SKELETON:  * operation to rf.start() and learns the index where it should appear; the apply path learns what
// SKELETON:  * did appear there; each request must get exactly one answer, also when its operation never
// SKELETON:  * commits), and, in 3B, snapshots. Lab 4's shard controller and shard servers can reuse it.
// SKELETON:  */
/**
 * A replicated state machine on Raft: the layer every server of the labs stands on, whatever its state
 * (kvraft's key/value store, the shard controller's configurations, a shard group's shards). The server
 * hands it a command and gets the command's result once the command has been applied, in log order, on
 * this replica; every replica applies every committed command to its own StateMachine. Snapshots, when
 * the raft state reaches `maxraftstate` bytes, and their restore on start and on install, happen here.
 *
 *   const rsm = new Rsm(servers, me, persister, maxraftstate, machine);
 *   const outcome = await rsm.submit(command);   // { ok: true, result } | { ok: false, err }
 *
 * A submitted command is answered exactly once, by the first of:
 * - [KV.2] its entry is applied at the index start() returned: its result;
 * - [KV.3] another entry is applied at that index (a new leader overwrote it), or a later start() lands
 *   on the same index, or a snapshot covers the index: ErrWrongLeader (the command may or may not have
 *   been applied elsewhere; the client's retry is safe thanks to duplicate detection);
 * - this peer's term changes or it stops being leader (checked every CHECK_MS): ErrWrongLeader;
 * - TIMEOUT_MS pass without any of the above (a leader cut off in a minority): ErrTimeout;
 * - kill(): ErrWrongLeader.
 * Duplicate detection [KV.1] is the StateMachine's job: only it knows which commands have effects.
 *
 * [beyond the lab] group commit: commands submitted within BATCH_MS of the last start() share one log
 * entry. An entry is one JSON string, `[term, [row, …]]`: the term start() gave it (one leader per term
 * puts one entry per index, so index and term name the entry: [KV.3]'s check) and each command as the
 * codec's row. A string because the codec checks every field of an object it encodes, while a string is
 * one value, several times cheaper to persist (and still readable in traces).
 */
import { debugLog, type ClientEnd, type Persister } from '../labrpc';
import { Raft, type ApplyMsg } from '../raft';

/** What a replicated state machine must do: apply commands in log order, and turn into bytes and back. */
export interface StateMachine<C, R> {
  /** Apply one committed command; deterministic: every replica gets the same result. */
  apply(command: C, index: number): R;
  /** The whole state (duplicate table included: [KV.5]) as bytes, for rf.snapshot(). */
  snapshot(): Uint8Array;
  /** Replace the state by a snapshot's; empty bytes mean the initial state. */
  restore(bytes: Uint8Array): void;
}

/** How a command is written into a log entry (plain JSON data); the default writes the command as is. */
export interface CommandCodec<C> {
  toRow(command: C): unknown;
  fromRow(row: unknown): C;
}

export interface RsmOptions<C> {
  /** 2E (part 3C): Raft's initial configuration, if not every server. */
  raftServers?: readonly number[];
  codec?: CommandCodec<C>;
}

export type Submitted<R> = { ok: true; result: R } | { ok: false; err: 'ErrWrongLeader' | 'ErrTimeout' };

/**
 * A leader that stays leader but cannot commit (cut off in a minority) keeps its term, so only a
 * timeout frees its clients. 500 ms is several commit round trips even on the unreliable network
 * (0–26 ms per message, a lost one resent at the next 100 ms heartbeat), and short against the 1 s
 * a partitioner keeps each partition.
 */
export const TIMEOUT_MS = 500;
/** How often a waiting entry checks that its leader is still leader in the same term. */
export const CHECK_MS = 100;
/**
 * The shortest time between two entries this replica starts. Raft persists its whole log on every
 * start() and append, and without snapshots (3A) the log only grows, so with many clients this bounds
 * the log, and the work of persisting it. A lone client is never held back (its requests are further
 * apart).
 */
const BATCH_MS = 10;

const WRONG_LEADER = { ok: false, err: 'ErrWrongLeader' } as const;

type Answer<R> = (outcome: Submitted<R>) => void;

/** An entry this replica started, waiting to be applied: its term, and how to answer its commands. */
interface Waiting<R> {
  term: number;
  /** Answer command k of the entry with outcome(k), once; stops the entry's timer. */
  settle: (outcome: (k: number) => Submitted<R>) => void;
}

const asIs: CommandCodec<never> = { toRow: (command) => command, fromRow: (row) => row as never };

export class Rsm<C, R> {
  readonly rf: Raft;
  readonly me: number;
  readonly maxraftstate: number;
  readonly #persister: Persister;
  readonly #machine: StateMachine<C, R>;
  readonly #codec: CommandCodec<C>;
  /** index → the entry that start() placed there. */
  readonly #waiting = new Map<number, Waiting<R>>();
  /** Commands submitted since the last start(), and the timer that will start them as one entry. */
  #queue: { command: C; answer: Answer<R> }[] = [];
  #flushTimer: ReturnType<typeof setTimeout> | null = null;
  /** When the last entry was started (Date.now()). */
  #lastStart = -Infinity;
  /** The index of the last command (or snapshot) applied to the machine. */
  #lastApplied = 0;
  #dead = false;

  constructor(
    servers: ClientEnd[],
    me: number,
    persister: Persister,
    maxraftstate: number,
    machine: StateMachine<C, R>,
    options: RsmOptions<C> = {},
  ) {
    this.me = me;
    this.maxraftstate = maxraftstate;
    this.#persister = persister;
    this.#machine = machine;
    this.#codec = options.codec ?? (asIs as CommandCodec<C>);
    machine.restore(persister.readSnapshot()); // [KV.6] a restarted server starts from its snapshot
    this.rf = new Raft(servers, me, persister, (msg) => this.#applyMsg(msg), options.raftServers);
  }

  isLeader(): boolean {
    return !this.#dead && this.rf.getState().isLeader;
  }

  /** Start `command` in Raft (in the next entry) and wait for its result; the header lists the answers. */
  submit(command: C): Promise<Submitted<R>> {
    if (!this.isLeader()) return Promise.resolve(WRONG_LEADER);
    const outcome = new Promise<Submitted<R>>((answer) => this.#queue.push({ command, answer }));
    if (this.#flushTimer === null) {
      const wait = this.#lastStart + BATCH_MS - Date.now();
      if (wait <= 0) this.#flush();
      else this.#flushTimer = setTimeout(() => this.#flush(), wait);
    }
    return outcome;
  }

  /** Stop applying and answering; every queued and waiting command hears ErrWrongLeader. */
  kill(): void {
    this.#dead = true;
    this.rf.kill();
    if (this.#flushTimer !== null) clearTimeout(this.#flushTimer);
    this.#flush();
    for (const index of [...this.#waiting.keys()]) this.#fail(index);
  }

  killed(): boolean {
    return this.#dead;
  }

  /** Start the queued commands as one entry; their answers wait for it at the index start() gave. */
  #flush(): void {
    const batch = this.#queue;
    this.#queue = [];
    this.#flushTimer = null;
    this.#lastStart = Date.now();
    // The term goes into the entry; getState() and start() run back to back, so start() uses this term.
    const { term } = this.rf.getState();
    const rows = batch.map(({ command }) => this.#codec.toRow(command));
    const started = this.#dead ? null : this.rf.start(JSON.stringify([term, rows]));
    if (started === null || !started.isLeader || started.term !== term) {
      for (const { answer } of batch) answer(WRONG_LEADER);
      return;
    }
    this.#wait(
      started.index,
      term,
      batch.map(({ answer }) => answer),
    );
  }

  /** Wait for the entry started at `index` in `term`; give up as the header says. */
  #wait(index: number, term: number, answers: Answer<R>[]): void {
    this.#fail(index); // an older start() at the same index lost its place
    let waited = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const settle = (outcome: (k: number) => Submitted<R>): void => {
      clearTimeout(timer);
      this.#waiting.delete(index);
      answers.forEach((answer, k) => answer(outcome(k)));
    };
    const check = (): void => {
      waited += CHECK_MS;
      const now = this.rf.getState();
      if (now.term !== term || !now.isLeader) settle(() => WRONG_LEADER);
      else if (waited >= TIMEOUT_MS) {
        debugLog(this.me, 'rsm', `T${term} entry of ${answers.length} at index ${index} timed out`);
        settle(() => ({ ok: false, err: 'ErrTimeout' }));
      } else timer = setTimeout(check, CHECK_MS);
    };
    timer = setTimeout(check, CHECK_MS);
    this.#waiting.set(index, { term, settle });
  }

  #applyMsg(msg: ApplyMsg): void {
    if (this.#dead) return;
    if (msg.kind === 'snapshot') this.#installSnapshot(msg.snapshot, msg.snapshotIndex);
    else if (msg.kind === 'config')
      this.#fail(msg.configIndex); // 2E: a membership change took the index
    else if (msg.commandIndex > this.#lastApplied) {
      this.#applyEntry(msg.command, msg.commandIndex);
      this.#maybeSnapshot(msg.commandIndex);
    }
  }

  /** Apply every command of the entry at `index`, in order, and answer the commands waiting there. */
  #applyEntry(entry: unknown, index: number): void {
    const [term, rows] = JSON.parse(String(entry)) as [number, unknown[]];
    this.#lastApplied = index;
    const results = rows.map((row) => this.#machine.apply(this.#codec.fromRow(row), index));
    const waiting = this.#waiting.get(index);
    if (waiting === undefined) return;
    // [KV.2] answer with the result, [KV.3] but only if the entry applied here is the one we started
    if (waiting.term === term) waiting.settle((k) => ({ ok: true, result: results[k] }));
    else waiting.settle(() => WRONG_LEADER);
  }

  /** [KV.7] Hand Raft a snapshot once its persisted state has grown to maxraftstate bytes. */
  #maybeSnapshot(index: number): void {
    if (this.maxraftstate < 0 || this.#persister.raftStateSize() < this.maxraftstate) return;
    this.rf.snapshot(index, this.#machine.snapshot());
  }

  /** [KV.8] A snapshot from the leader replaces the state, if it is newer than what this replica applied. */
  #installSnapshot(snapshot: Uint8Array, index: number): void {
    if (index <= this.#lastApplied) return;
    this.#machine.restore(snapshot);
    this.#lastApplied = index;
    for (const waiting of [...this.#waiting.keys()]) if (waiting <= index) this.#fail(waiting);
    debugLog(this.me, 'rsm', `installed snapshot up to ${index}`);
  }

  #fail(index: number): void {
    this.#waiting.get(index)?.settle(() => WRONG_LEADER);
  }
}
// #endregion
