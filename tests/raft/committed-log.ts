/**
 * The tester's record of what each server applied (6.824 config.go's `logs[]`, `lastApplied[]` and
 * `maxIndex`), and the checks on it: two servers never apply different commands at one index, and a
 * server applies in order. Kept across crashes, so nCommitted also counts crashed and disconnected
 * servers. The snapshot format of the 2022 tester lives here too: [lastIncludedIndex, xlog], where
 * xlog[j] is the command this server applied at j (xlog[0] is null), encoded with the project codec.
 */
import { decode, encode } from '../../labrpc';

export class CommittedLogs {
  /** logs[i].get(index): the command server i applied at index. */
  readonly logs: Map<number, unknown>[];
  /** The last index server i applied (snapshot applier only; 0 after a restart without a snapshot). */
  readonly lastApplied: number[];
  /** The highest index any server applied: the "commits" column of the Passed line. */
  maxIndex = 0;

  constructor(n: number) {
    this.logs = Array.from({ length: n }, () => new Map());
    this.lastApplied = new Array<number>(n).fill(0);
  }

  /**
   * checkLogs: record that server i applied `command` at `index`. Returns an error message if another
   * server applied something else there, or if server i had not applied index-1 (out of order).
   */
  record(i: number, index: number, command: unknown): string | null {
    for (let j = 0; j < this.logs.length; j++) {
      const old = this.logs[j].get(index);
      if (this.logs[j].has(index) && old !== command) {
        return `commit index=${index} server=${i} ${show(command)} != server=${j} ${show(old)}`;
      }
    }
    const prevOk = this.logs[i].has(index - 1);
    this.logs[i].set(index, command);
    if (index > this.maxIndex) this.maxIndex = index;
    if (index > 1 && !prevOk) return `server ${i} apply out of order ${index}`;
    return null;
  }

  /** How many servers applied `index`, and what. Throws a message string if two disagree. */
  nCommitted(index: number): { count: number; command: unknown; conflict: string | null } {
    let count = 0;
    let command: unknown = undefined;
    for (const log of this.logs) {
      if (!log.has(index)) continue;
      const cmd = log.get(index);
      if (count > 0 && cmd !== command) {
        return {
          count,
          command,
          conflict: `committed values do not match: index ${index}, ${show(command)}, ${show(cmd)}`,
        };
      }
      count += 1;
      command = cmd;
    }
    return { count, command, conflict: null };
  }

  /** The tester's snapshot of server i at `index`: every command it applied up to there. */
  snapshotOf(i: number, index: number): Uint8Array {
    const xlog: unknown[] = [];
    for (let j = 0; j <= index; j++) xlog.push(this.logs[i].get(j) ?? null);
    return encode([index, xlog], 'tester snapshot');
  }

  /**
   * ingestSnap: replace server i's record by the snapshot's contents. `index` is the index the apply
   * message claimed, or -1 when reading a persisted snapshot on restart. Returns an error message or null.
   */
  ingestSnapshot(i: number, snapshot: Uint8Array, index: number): string | null {
    let decoded: unknown;
    try {
      decoded = snapshot.length === 0 ? null : decode(snapshot);
    } catch {
      decoded = null;
    }
    if (!Array.isArray(decoded) || typeof decoded[0] !== 'number' || !Array.isArray(decoded[1])) {
      return `server ${i} snapshot decode error (${snapshot.length} bytes): not the bytes the tester gave snapshot()`;
    }
    const [lastIncludedIndex, xlog] = decoded as [number, unknown[]];
    if (index !== -1 && index !== lastIncludedIndex) {
      return `server ${i} snapshot doesn't match m.SnapshotIndex (message says ${index}, snapshot holds ${lastIncludedIndex})`;
    }
    this.logs[i] = new Map();
    xlog.forEach((command, j) => {
      if (j > 0) this.logs[i].set(j, command);
    });
    this.lastApplied[i] = lastIncludedIndex;
    return null;
  }
}

/** A command as failure messages show it: long strings (TestRPCBytes2B's) cut short. */
export function show(command: unknown): string {
  const text = typeof command === 'string' ? JSON.stringify(command) : String(command);
  return text.length <= 40 ? text : `${text.slice(0, 40)}…(${text.length} chars)`;
}
