/**
 * What the lab runner (jest-runner.ts) remembers of each lab test from one `npm test` to the next, by
 * name: whether its last run failed and the CPU time it took. It orders the queue the way jest orders
 * files: the tests that failed last time first (the one a student is fixing reports at once), then tests
 * never timed, then the longest first, so that the last test to start is a short one and both lanes end
 * together. Kept in .lab/build/lab-test-history.json; only the order depends on it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeAtomically } from './worker/bundle';

interface Entry {
  /** CPU time of the last run, ms. */
  readonly cpuMs: number;
  readonly failed: boolean;
}

export class RunHistory {
  private constructor(
    private readonly file: string,
    private readonly entries: Map<string, Entry>,
  ) {}

  /** The history kept under `rootDir`; an empty one when there is none yet or it cannot be read. */
  static load(rootDir: string): RunHistory {
    const file = path.join(rootDir, '.lab', 'build', 'lab-test-history.json');
    const entries = new Map<string, Entry>();
    try {
      const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, Partial<Entry>>;
      for (const [name, entry] of Object.entries(saved)) {
        if (typeof entry?.cpuMs === 'number')
          entries.set(name, { cpuMs: entry.cpuMs, failed: entry.failed === true });
      }
    } catch {
      // None yet, or damaged: every test is new.
    }
    return new RunHistory(file, entries);
  }

  record(name: string, cpuMs: number, failed: boolean): void {
    this.entries.set(name, { cpuMs: Math.round(cpuMs), failed });
  }

  /** `items` in the order to run them (see the header); `nameOf` gives each one's test name. */
  order<T>(items: readonly T[], nameOf: (item: T) => string): T[] {
    const rank = (item: T): [number, number] => {
      const entry = this.entries.get(nameOf(item));
      if (entry === undefined) return [1, 0];
      return entry.failed ? [0, -entry.cpuMs] : [2, -entry.cpuMs];
    };
    return items
      .map((item, index) => ({ item, index, rank: rank(item) }))
      .sort((a, b) => a.rank[0] - b.rank[0] || a.rank[1] - b.rank[1] || a.index - b.index)
      .map(({ item }) => item);
  }

  save(): void {
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      writeAtomically(this.file, JSON.stringify(Object.fromEntries(this.entries)));
    } catch {
      // Only the next run's order depends on it.
    }
  }
}
