/**
 * Requests waiting for their Op to be applied: the bridge between an RPC handler, which called
 * rf.start(op) and got the index where op should appear, and the apply path, which sees what did appear.
 *
 * A waiter is answered, exactly once, by the first of:
 * - its index is applied with its own Op (same clientId and seq): the Op's result;
 * - its index is applied with a different Op, or a snapshot covers the index: ErrWrongLeader (a new
 *   leader overwrote that part of the log; the Op may or may not have been applied elsewhere, and the
 *   client's retry is safe thanks to duplicate detection);
 * - the peer's term changes or it stops being leader (checked every CHECK_MS): ErrWrongLeader;
 * - TIMEOUT_MS pass without any of the above, e.g. a leader cut off in a minority: ErrTimeout;
 * - the server is killed: ErrWrongLeader.
 */
// #region SOLUTION 3A
import type { Err, Op } from './common';
import type { OpResult } from './store';

export type Outcome = OpResult | { err: Extract<Err, 'ErrWrongLeader' | 'ErrTimeout'>; value: '' };

/**
 * A leader that stays leader but cannot commit (cut off in a minority) keeps its term, so only a
 * timeout frees its clients. 500 ms is several commit round trips even on the unreliable network
 * (0–26 ms per message, a lost one resent at the next 100 ms heartbeat), and short against the 1 s
 * a partitioner keeps each partition.
 */
export const TIMEOUT_MS = 500;
/** How often a waiting request checks that its leader is still leader in the same term. */
export const CHECK_MS = 100;

interface Waiter {
  op: Op;
  answer: (outcome: Outcome) => void;
}

export class PendingOps {
  readonly #waiters = new Map<number, Waiter>();
  readonly #currentTerm: () => { term: number; isLeader: boolean };

  /** `currentTerm` reads the Raft peer's getState(). */
  constructor(currentTerm: () => { term: number; isLeader: boolean }) {
    this.#currentTerm = currentTerm;
  }

  /** Wait for `op`, started at `index` in `term`, to be applied; resolves to its Outcome. */
  wait(index: number, term: number, op: Op): Promise<Outcome> {
    this.#answer(index, { err: 'ErrWrongLeader', value: '' }); // an older start() at the same index lost
    return new Promise((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      let waited = 0;
      const answer = (outcome: Outcome): void => {
        clearTimeout(timer);
        this.#waiters.delete(index);
        resolve(outcome);
      };
      const check = (): void => {
        waited += CHECK_MS;
        const now = this.#currentTerm();
        if (now.term !== term || !now.isLeader) answer({ err: 'ErrWrongLeader', value: '' });
        else if (waited >= TIMEOUT_MS) answer({ err: 'ErrTimeout', value: '' });
        else timer = setTimeout(check, CHECK_MS);
      };
      timer = setTimeout(check, CHECK_MS);
      this.#waiters.set(index, { op, answer });
    });
  }

  /** `op` was applied at `index` with `result`: answer the waiter there, if any. */
  applied(index: number, op: Op, result: OpResult): void {
    const waiter = this.#waiters.get(index);
    if (waiter === undefined) return;
    const same = waiter.op.clientId === op.clientId && waiter.op.seq === op.seq;
    waiter.answer(same ? result : { err: 'ErrWrongLeader', value: '' });
  }

  /** A snapshot replaced the state up to `index`: waiters there can no longer learn their result. */
  coveredBy(index: number): void {
    for (const waiting of [...this.#waiters.keys()]) {
      if (waiting <= index) this.#answer(waiting, { err: 'ErrWrongLeader', value: '' });
    }
  }

  /** The server was killed: answer everyone, so no handler and no timer outlives it. */
  failAll(): void {
    for (const index of [...this.#waiters.keys()]) this.#answer(index, { err: 'ErrWrongLeader', value: '' });
  }

  #answer(index: number, outcome: Outcome): void {
    this.#waiters.get(index)?.answer(outcome);
  }
}
// #endregion
