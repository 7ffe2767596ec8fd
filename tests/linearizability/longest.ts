/**
 * Verbose-mode bookkeeping: for each operation, the longest linearizable prefix found that contains it.
 *
 * The search calls `record` only at local maxima of its stack (just before it backtracks, and when it
 * succeeds or stops): every prefix on the way up is contained in the one at the top, so recording
 * there alone loses nothing. A copy of the stack is made only when it is longer than the best so far
 * for at least one of its operations. `finish` drops copies no operation refers to any more and sorts
 * the rest longest first. Because the search's cache only prunes (set, state) pairs already fully
 * explored, and the extensions of a pair depend only on the pair, the lengths are true maxima.
 */

export class LongestTracker {
  private readonly bestLength: Int32Array;
  private readonly bestIndex: Int32Array;
  private readonly prefixes: number[][] = [];

  constructor(opCount: number) {
    this.bestLength = new Int32Array(opCount);
    this.bestIndex = new Int32Array(opCount).fill(-1);
  }

  /** Record the prefix `opAt(0..depth-1)`. */
  record(depth: number, opAt: (k: number) => number): void {
    let copy = -1;
    for (let k = 0; k < depth; k++) {
      const op = opAt(k);
      if (this.bestLength[op] >= depth) continue;
      if (copy < 0) {
        copy = this.prefixes.length;
        this.prefixes.push(Array.from({ length: depth }, (_, j) => opAt(j)));
      }
      this.bestLength[op] = depth;
      this.bestIndex[op] = copy;
    }
  }

  /** The distinct prefixes still referenced, longest first, and for each operation its prefix index. */
  finish(): { linearizations: number[][]; longest: number[] } {
    const used = [...new Set(Array.from(this.bestIndex).filter((i) => i >= 0))];
    used.sort((a, b) => this.prefixes[b].length - this.prefixes[a].length || a - b);
    const renumber = new Map(used.map((old, index) => [old, index]));
    return {
      linearizations: used.map((old) => this.prefixes[old]),
      longest: Array.from(this.bestIndex, (old) => (old < 0 ? -1 : (renumber.get(old) ?? -1))),
    };
  }
}
