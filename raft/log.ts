/**
 * The Raft log. Indices are Figure 2's everywhere: the first command a tester sees is index 1, and an
 * index keeps its meaning after a snapshot (2D) has cut away the entries before it. Keeping the
 * arithmetic between log indices and array positions in this one class keeps the rest of the peer
 * unaware of snapshots.
 */
// #region SOLUTION 2B
/*
 * Only this file knows offsets.
 *
 *   Invariant: entries[0] is a sentinel standing for the last entry covered by the snapshot, at index
 *   `firstIndex` (= lastIncludedIndex, 0 before any snapshot) with term lastIncludedTerm; entries[k]
 *   holds index firstIndex + k; so lastIndex = firstIndex + entries.length - 1 >= firstIndex.
 *
 * term(i) is known for firstIndex <= i <= lastIndex; entry(i) for firstIndex < i <= lastIndex.
 *
 * 2E: the log also knows the configuration in effect at each index ([M.1]: the latest configuration
 * entry at or before it, committed or not), from `firstConfig` (the snapshot's, [M.7]) and the indices
 * of the configuration entries after firstIndex, kept in step by every change to the entries.
 */
// #endregion
import type { Configuration, LogEntry } from './types';
// #region SOLUTION 2B
import { assert } from './errors';
// #endregion

export class RaftLog {
  // Your code here (2B, 2D).
  // #region SOLUTION 2B
  #firstIndex: number;
  #entries: LogEntry[];
  /** The configuration as of firstIndex (2E): the initial one, or the snapshot's. */
  #firstConfig: Configuration;
  /** The indices (> firstIndex, ascending) of the configuration entries in the log (2E). */
  #configIndices: number[] = [];

  /**
   * A log whose snapshot ends at (firstIndex, firstTerm) with configuration `firstConfig`, followed by
   * `entries` (without sentinel).
   */
  constructor(
    firstIndex = 0,
    firstTerm = 0,
    entries: LogEntry[] = [],
    firstConfig: Configuration = { servers: [], newServers: null },
  ) {
    this.#firstIndex = firstIndex;
    this.#entries = [{ term: firstTerm, command: null }];
    this.#firstConfig = firstConfig;
    this.append(...entries);
  }

  /** [M.1] the configuration in effect: the latest one in the log, committed or not. */
  get config(): Configuration {
    const n = this.#configIndices.length;
    return n === 0 ? this.#firstConfig : (this.entry(this.#configIndices[n - 1]).config as Configuration);
  }

  /** The index of the latest configuration entry (firstIndex if the snapshot's is the latest). */
  get configIndex(): number {
    const n = this.#configIndices.length;
    return n === 0 ? this.#firstIndex : this.#configIndices[n - 1];
  }

  /** The configuration as of the snapshot point (sent with the snapshot, persisted with it). */
  get firstConfig(): Configuration {
    return this.#firstConfig;
  }

  /** The configuration in effect at `index` (firstIndex <= index): the latest entry at or before it. */
  configAt(index: number): Configuration {
    for (let k = this.#configIndices.length - 1; k >= 0; k--) {
      const at = this.#configIndices[k];
      if (at <= index) return this.entry(at).config as Configuration;
    }
    return this.#firstConfig;
  }

  /** lastIncludedIndex: the index of the sentinel (0 before any snapshot). */
  get firstIndex(): number {
    return this.#firstIndex;
  }

  /** lastIncludedTerm: the term of the sentinel. */
  get firstTerm(): number {
    return this.#entries[0].term;
  }

  get lastIndex(): number {
    return this.#firstIndex + this.#entries.length - 1;
  }

  get lastTerm(): number {
    return this.#entries[this.#entries.length - 1].term;
  }

  /** The term at `index`, or undefined if it is before the snapshot point or past the end. */
  term(index: number): number | undefined {
    if (index < this.#firstIndex || index > this.lastIndex) return undefined;
    return this.#entries[index - this.#firstIndex].term;
  }

  /** The entry at `index`; it must be after the snapshot point and in the log. */
  entry(index: number): LogEntry {
    assert(
      index > this.#firstIndex && index <= this.lastIndex,
      () => `entry(${index}) outside ${this.describe()}`,
    );
    return this.#entries[index - this.#firstIndex];
  }

  /** The entries from `from` on, at most `max` of them (from > firstIndex). */
  entriesFrom(from: number, max = Infinity): LogEntry[] {
    assert(
      from > this.#firstIndex,
      () => `entriesFrom(${from}) reaches into the snapshot of ${this.describe()}`,
    );
    const start = from - this.#firstIndex;
    return this.#entries.slice(start, start + max);
  }

  /** The first index in the log whose term is `term`, searching back from `index` (no earlier than firstIndex+1). */
  firstIndexOfTerm(term: number, index: number): number {
    let i = index;
    while (i - 1 > this.#firstIndex && this.term(i - 1) === term) i -= 1;
    return i;
  }

  /** The last index holding `term`, or undefined if the (uncompacted) log has none. */
  lastIndexOfTerm(term: number): number | undefined {
    for (let i = this.lastIndex; i > this.#firstIndex; i--) {
      const t = this.term(i) as number;
      if (t === term) return i;
      if (t < term) return undefined;
    }
    return undefined;
  }

  append(...entries: LogEntry[]): void {
    for (const entry of entries) {
      this.#entries.push(entry);
      if (entry.config !== undefined) this.#configIndices.push(this.lastIndex);
    }
  }

  /** Delete the entry at `index` and everything after it (index > firstIndex: committed entries stay). */
  truncateFrom(index: number): void {
    assert(
      index > this.#firstIndex,
      () => `truncateFrom(${index}) would cut into the snapshot of ${this.describe()}`,
    );
    this.#entries.length = index - this.#firstIndex;
    // [M.1] a configuration whose entry is cut off is no longer in effect: the previous one is again.
    while (this.#configIndices.length > 0 && this.#configIndices[this.#configIndices.length - 1] >= index) {
      this.#configIndices.pop();
    }
  }

  /** Forget everything up to `index` (a snapshot now covers it), keeping what follows. */
  compactTo(index: number): void {
    assert(
      index > this.#firstIndex && index <= this.lastIndex,
      () => `compactTo(${index}) outside ${this.describe()}`,
    );
    this.#firstConfig = this.configAt(index); // [M.7] the snapshot keeps the configuration at its end
    this.#configIndices = this.#configIndices.filter((at) => at > index);
    const kept = this.#entries.slice(index - this.#firstIndex);
    kept[0] = { term: kept[0].term, command: null };
    this.#entries = kept;
    this.#firstIndex = index;
  }

  /** Replace the whole log by an empty one after a snapshot ending at (index, term), with its configuration. */
  resetTo(index: number, term: number, config: Configuration): void {
    this.#firstIndex = index;
    this.#entries = [{ term, command: null }];
    this.#firstConfig = config;
    this.#configIndices = [];
  }

  /** The entries after the sentinel, for persisting. */
  tail(): LogEntry[] {
    return this.#entries.slice(1);
  }

  describe(): string {
    return `log [${this.#firstIndex} (T${this.firstTerm}) .. ${this.lastIndex} (T${this.lastTerm})]`;
  }
  // #endregion
}

// #region SOLUTION 2B
/**
 * §5.4.1: a log is at least as up-to-date as ours if its last term is later, or the same and it is
 * at least as long.
 */
export function isUpToDate(lastLogTerm: number, lastLogIndex: number, log: RaftLog): boolean {
  if (lastLogTerm !== log.lastTerm) return lastLogTerm > log.lastTerm;
  return lastLogIndex >= log.lastIndex;
}
// #endregion
