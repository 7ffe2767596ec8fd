/**
 * The just-in-time linearization search for one partition (depth-first with backtracking, in the
 * style of Wing & Gong and Lowe), written as a resumable state machine so the checker can interleave
 * many partitions on one thread and stop as soon as any of them is illegal.
 *
 * The walk: from the head of the entry list, a call entry is a candidate to linearize next. If the
 * model accepts it and the (linearized set, new state) pair is new, push it, take its call and return
 * out of the list, and restart from the head. A return entry means its operation should already have
 * been linearized: backtrack (pop, restore the state, put the entries back, continue after them).
 * An empty list means every operation is linearized: `ok`. Backtracking from an empty stack: `illegal`.
 * Guarantees: the verdict is exact (no heuristics); `run` does at most `budget` iterations and can be
 * called again to continue; the model's states are never mutated by the search.
 */
import { Bitset } from './bitset';
import { LinearizationCache } from './cache';
import { buildEntries, lift, NIL, unlift, type EntryList } from './entries';
import { LongestTracker } from './longest';
import type { ResolvedModel } from './models/resolve';
import type { Operation } from './types';

export type SearchStatus = 'running' | 'ok' | 'illegal';

export class PartitionSearch<S, I, O> {
  status: SearchStatus = 'running';
  private readonly list: EntryList;
  private readonly inputs: I[];
  private readonly outputs: O[];
  private readonly bits: Bitset;
  private readonly cache: LinearizationCache<S>;
  private readonly stackEntry: Int32Array;
  private readonly stackState: S[];
  private readonly longest: LongestTracker | undefined;
  private depth = 0;
  private cursor: number;
  private state: S;
  /** True when the last move was a push, i.e. the stack is at a local maximum worth recording. */
  private grew = false;

  constructor(
    private readonly model: ResolvedModel<S, I, O>,
    ops: readonly Operation<I, O>[],
    verbose: boolean,
  ) {
    this.list = buildEntries(ops);
    this.inputs = ops.map((op) => op.input);
    this.outputs = ops.map((op) => op.output);
    this.bits = new Bitset(ops.length);
    this.cache = new LinearizationCache<S>(this.bits.words.length, model);
    this.stackEntry = new Int32Array(ops.length);
    this.stackState = new Array<S>(ops.length);
    this.longest = verbose ? new LongestTracker(ops.length) : undefined;
    this.cursor = this.list.next[this.list.head];
    this.state = model.init();
  }

  /** Explore for at most `budget` iterations; returns the status afterwards. */
  run(budget: number): SearchStatus {
    const { next, isCall, head } = this.list;
    let entry = this.cursor;
    for (let steps = 0; steps < budget && this.status === 'running'; steps++) {
      if (next[head] === NIL) {
        this.recordIfGrew();
        this.status = 'ok';
      } else if (isCall[entry]) {
        entry = this.tryLinearize(entry) ? next[head] : next[entry];
      } else if (this.depth === 0) {
        this.status = 'illegal';
      } else {
        this.recordIfGrew();
        entry = this.backtrack();
      }
    }
    this.cursor = entry;
    return this.status;
  }

  /** Try to linearize the operation of call entry `entry` now; true if it was pushed. */
  private tryLinearize(entry: number): boolean {
    const id = this.list.op[entry];
    const result = this.model.step(this.state, this.inputs[id], this.outputs[id]);
    if (!result.ok) return false;
    const bits = this.bits;
    bits.set(id);
    if (!this.cache.addIfAbsent(bits, result.state)) {
      bits.clear(id);
      return false;
    }
    this.stackEntry[this.depth] = entry;
    this.stackState[this.depth] = this.state;
    this.depth++;
    this.state = result.state;
    lift(this.list, entry);
    this.grew = true;
    return true;
  }

  /** Undo the last push; returns the entry after the one undone, where the walk continues. */
  private backtrack(): number {
    this.depth--;
    const entry = this.stackEntry[this.depth];
    this.state = this.stackState[this.depth];
    this.bits.clear(this.list.op[entry]);
    unlift(this.list, entry);
    return this.list.next[entry];
  }

  private recordIfGrew(): void {
    if (!this.grew) return;
    this.grew = false;
    if (this.longest) this.longest.record(this.depth, (k) => this.list.op[this.stackEntry[k]]);
  }

  /** Verbose results so far; call when the search is over (finished or abandoned at a timeout). */
  partialLinearizations(): { linearizations: number[][]; longest: number[] } {
    this.recordIfGrew();
    return this.longest ? this.longest.finish() : { linearizations: [], longest: [] };
  }

  /** Number of distinct (set, state) pairs explored; for benchmarks and tests of the cache. */
  get explored(): number {
    return this.cache.size;
  }
}
