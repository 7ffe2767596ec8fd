// #region SOLUTION 3A
// SKELETON: /**
// SKELETON:  * A place for the requests that wait for their operation to be applied (3A): a handler hands its
// SKELETON:  * operation to rf.start() and learns the index where it should appear; the apply path learns what
// SKELETON:  * did appear there. Each request must get exactly one answer, also when its operation never commits.
// SKELETON:  */
/**
 * Requests waiting for their Ops to be applied: the bridge between the server, which called
 * rf.start(ops) and got the index where that batch should appear, and the apply path, which sees what
 * did appear there.
 *
 * The requests of a batch are answered together, exactly once, by the first of:
 * - the index is applied: each request gets its Op's result if its Op (same clientId and seq) is in the
 *   applied batch, else ErrWrongLeader (a new leader overwrote that part of the log; the Op may or may
 *   not have been applied elsewhere, and the client's retry is safe thanks to duplicate detection);
 * - a snapshot covers the index, or a later start() lands on the same index in another term:
 *   ErrWrongLeader;
 * - the peer's term changes or it stops being leader (checked every CHECK_MS): ErrWrongLeader;
 * - TIMEOUT_MS pass without any of the above, e.g. a leader cut off in a minority: ErrTimeout;
 * - the server is killed: ErrWrongLeader.
 */
import type { Err, Op } from './common';
import type { OpResult } from './store';

export type Outcome = OpResult | { err: Extract<Err, 'ErrWrongLeader' | 'ErrTimeout'>; value: '' };

export const WRONG_LEADER: Outcome = { err: 'ErrWrongLeader', value: '' };

/**
 * A leader that stays leader but cannot commit (cut off in a minority) keeps its term, so only a
 * timeout frees its clients. 500 ms is several commit round trips even on the unreliable network
 * (0–26 ms per message, a lost one resent at the next 100 ms heartbeat), and short against the 1 s
 * a partitioner keeps each partition.
 */
export const TIMEOUT_MS = 500;
/** How often a waiting batch checks that its leader is still leader in the same term. */
export const CHECK_MS = 100;

interface Waiting {
  ops: readonly Op[];
  answer: (outcomes: Outcome[]) => void;
}

export class PendingOps {
  /** index → the batch started there. */
  readonly #waiting = new Map<number, Waiting>();
  readonly #getState: () => { term: number; isLeader: boolean };

  /** `getState` reads the Raft peer's getState(). */
  constructor(getState: () => { term: number; isLeader: boolean }) {
    this.#getState = getState;
  }

  /** Wait for `ops`, started at `index` in `term`, to be applied; one Outcome per Op, in order. */
  wait(index: number, term: number, ops: readonly Op[]): Promise<Outcome[]> {
    this.#fail(index, WRONG_LEADER); // an older start() at the same index lost its place
    return new Promise((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      let waited = 0;
      const answer = (outcomes: Outcome[]): void => {
        clearTimeout(timer);
        this.#waiting.delete(index);
        resolve(outcomes);
      };
      const check = (): void => {
        waited += CHECK_MS;
        const now = this.#getState();
        if (now.term !== term || !now.isLeader) answer(ops.map(() => WRONG_LEADER));
        else if (waited >= TIMEOUT_MS) answer(ops.map(() => ({ err: 'ErrTimeout', value: '' })));
        else timer = setTimeout(check, CHECK_MS);
      };
      timer = setTimeout(check, CHECK_MS);
      this.#waiting.set(index, { ops, answer });
    });
  }

  /** The batch `applied` was applied at `index` with `results`: answer the requests waiting there. */
  applied(index: number, applied: readonly Op[], results: readonly OpResult[]): void {
    const waiting = this.#waiting.get(index);
    if (waiting === undefined) return;
    waiting.answer(
      waiting.ops.map((op) => {
        const k = applied.findIndex((a) => a.clientId === op.clientId && a.seq === op.seq);
        return k < 0 ? WRONG_LEADER : results[k];
      }),
    );
  }

  /** A snapshot replaced the state up to `index`: requests there can no longer learn their result. */
  coveredBy(index: number): void {
    for (const waiting of [...this.#waiting.keys()]) {
      if (waiting <= index) this.#fail(waiting, WRONG_LEADER);
    }
  }

  /** The server was killed: answer everyone, so no handler and no timer outlives it. */
  failAll(): void {
    for (const index of [...this.#waiting.keys()]) this.#fail(index, WRONG_LEADER);
  }

  #fail(index: number, outcome: Outcome): void {
    const waiting = this.#waiting.get(index);
    waiting?.answer(waiting.ops.map(() => outcome));
  }
}
// #endregion
