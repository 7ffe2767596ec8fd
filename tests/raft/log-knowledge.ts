/**
 * What the invariant monitor knows of the servers' logs, from the wire alone (see invariant-monitor.ts).
 *
 * - `KnownLog`: for one server, entries it is known to hold, each with the RPC that showed it (a leader
 *   sending it, or a follower acknowledging an AppendEntries that carried it). A fact stays true until
 *   something that could change that part of the log reaches the server: an AppendEntries whose entries
 *   conflict with it (Figure 2 [AE.3] cuts the log there), or an InstallSnapshot that does not match it.
 *   A correct peer persists its log before answering, so a crash changes nothing.
 * - `EntryRegistry`: every entry seen at an index and term, to compare whole entries (Log Matching: one
 *   index and term, one entry).
 * - `CommittedEntries`: entries a majority acknowledged in their leader's term (or before such an entry),
 *   with the term of that leader: every later leader must hold them (Leader Completeness).
 */
import { formatVirtual } from '../harness';
import { copyValue, entryCommand, sameValue } from './wire';

/** The RPC that established a fact, for messages. */
export interface Source {
  rpc: number;
  method: string;
  from: number | string;
  to: number;
  /** The RPC's term. */
  term: number;
  at: number;
  /**
   * Who showed it: the sender of the RPC, its receiver by acknowledging it, or its receiver by answering
   * it with its own term (the term is then the reply's, `at` when the request reached it).
   */
  how: 'sent' | 'acknowledged' | 'answered';
}

export function describeSource(s: Source): string {
  const from = typeof s.from === 'number' ? `S${s.from}` : s.from;
  const rpc = `${s.method} #${s.rpc} ${from}→S${s.to} (T${s.term})`;
  if (s.how === 'answered') return `S${s.to} answered ${rpc}, which reached it at ${formatVirtual(s.at)}`;
  return s.how === 'sent'
    ? `${from} sent it in ${rpc} at ${formatVirtual(s.at)}`
    : `S${s.to} acknowledged ${rpc} at ${formatVirtual(s.at)}`;
}

export interface Fact {
  term: number;
  source: Source;
}

/** Entries one server is known to hold (index → term), each with its source. */
export class KnownLog {
  readonly #facts: (Fact | undefined)[] = [];

  get(index: number): Fact | undefined {
    return index >= 0 ? this.#facts[index] : undefined;
  }

  /** Record that it holds `term` at `index` (a fact of the same term already known is kept: the earliest). */
  set(index: number, term: number, source: Source): void {
    if (index >= 0 && this.#facts[index]?.term !== term) this.#facts[index] = { term, source };
  }

  /** The known entry of the highest index (by Log Matching the most up-to-date one), if any. */
  last(): { index: number; fact: Fact } | null {
    for (let index = this.#facts.length - 1; index >= 0; index--) {
      const fact = this.#facts[index];
      if (fact !== undefined) return { index, fact };
    }
    return null;
  }

  /** The server may have cut its log at `index` (or lost all of it): forget what follows. */
  forgetFrom(index: number): void {
    if (index < this.#facts.length) this.#facts.length = Math.max(0, index);
  }

  /**
   * An AppendEntries reached the server: from the first of its entries that conflicts with a fact or is
   * not known, the log may be cut, so the facts from there on are forgotten; that index is returned
   * (Infinity if all are known and match). An unknown entry counts: the server's own entry there may
   * conflict, and the cut would take every later entry with it, a known one too (a fact kept past such a
   * gap raised a false [AE.2] in 3A, seed 1350397145).
   */
  mayReceive(prevLogIndex: number, terms: readonly number[]): number {
    for (let k = 0; k < terms.length; k++) {
      const index = prevLogIndex + 1 + k;
      const fact = this.get(index);
      if (fact === undefined || fact.term !== terms[k]) {
        this.forgetFrom(index);
        return index;
      }
    }
    return Infinity;
  }
}

interface SeenEntry {
  term: number;
  /** A copy of the entry as first seen, and the object itself (the same object is the same entry). */
  entry: Record<string, unknown>;
  ref: Record<string, unknown>;
  /** Other objects already found equal to it (a few: each server holds its own copy). */
  equal: Record<string, unknown>[];
  source: Source;
}

/** Every entry seen on the wire, by index and term (one or two terms per index in practice). */
export class EntryRegistry {
  readonly #at: (SeenEntry[] | undefined)[] = [];

  get(index: number, term: number): SeenEntry | undefined {
    return this.#at[index]?.find((e) => e.term === term);
  }

  all(index: number): readonly SeenEntry[] {
    return this.#at[index] ?? [];
  }

  /** Whether an entry seen at `index` carries this command (compared by value). */
  holds(index: number, command: unknown): boolean {
    return this.all(index).some((seen) => sameValue(entryCommand(seen.entry), command));
  }

  /** Record the first sighting of an entry (a copy: the sender may change its objects later). */
  add(index: number, term: number, entry: Record<string, unknown>, source: Source): void {
    if (index < 0) return;
    const seen = { term, entry: copyValue(entry), ref: entry, equal: [], source };
    const list = this.#at[index];
    if (list === undefined) this.#at[index] = [seen];
    else list.push(seen);
  }
}

export interface Committed {
  term: number;
  /** The term of the leader in whose term a majority acknowledged it (or an entry after it). */
  commitTerm: number;
  /** The acknowledgement that made the majority. */
  source: Source;
}

export class CommittedEntries {
  readonly #at: (Committed | undefined)[] = [];
  /** Every index up to here that could be named is recorded (indexes the wire never showed are not). */
  upTo = 0;

  get(index: number): Committed | undefined {
    return index >= 0 ? this.#at[index] : undefined;
  }

  set(index: number, committed: Committed): void {
    this.#at[index] = committed;
    if (index > this.upTo) this.upTo = index;
  }
}
