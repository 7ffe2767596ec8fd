/**
 * The RPCs of the last second of virtual time, for a run that hangs or runs out of memory: what the
 * peers were sending just before (and during) the event that never ended, by method and by link, and
 * the largest ones. The trace feeds it every send (trace.ts); `describe` writes the lines of the report.
 * It keeps a second's worth of small records, so it costs next to nothing per RPC.
 */
import { formatVirtual } from './failure';

/** How far back the window reaches, in virtual ms. */
const WINDOW_MS = 1000;

interface Send {
  readonly t: number;
  readonly from: unknown;
  readonly to: unknown;
  readonly svcMeth: string;
  readonly bytes: number;
}

export class RpcWindow {
  #sends: Send[] = [];
  #head = 0;
  /** How many sends had been recorded when the last event ended (markCompleted). */
  #completed = 0;
  #total = 0;

  add(t: number, fields: Record<string, unknown>): void {
    const send: Send = {
      t,
      from: fields.from,
      to: fields.to,
      svcMeth: String(fields.svcMeth),
      bytes: typeof fields.bytes === 'number' ? fields.bytes : 0,
    };
    this.#sends.push(send);
    this.#total += 1;
    while (this.#head < this.#sends.length && this.#sends[this.#head].t < t - WINDOW_MS) this.#head += 1;
    if (this.#head > 4096 && this.#head * 2 > this.#sends.length) {
      this.#sends = this.#sends.slice(this.#head);
      this.#head = 0;
    }
  }

  /** The event that ran last has ended: the sends recorded after this belong to the next one. */
  markCompleted(): void {
    this.#completed = this.#total;
  }

  /** Lines for a report: the second before the last completed event, then the event in progress. */
  describe(completedMs: number): string[] {
    const recent = this.#sends.slice(this.#head);
    const inProgress = this.#total - this.#completed;
    const before = recent.slice(0, Math.max(0, recent.length - inProgress));
    const during = recent.slice(Math.max(0, recent.length - inProgress));
    const lines = [
      `RPCs sent in the second before ${formatVirtual(completedMs)}: ${summary(before.filter((s) => s.t >= completedMs - WINDOW_MS))}`,
    ];
    if (inProgress > 0) lines.push(`RPCs sent by the event that never ended: ${summary(during)}`);
    const largest = [...recent].sort((a, b) => b.bytes - a.bytes).slice(0, 3);
    if (largest.length > 0 && largest[0].bytes >= LARGE_BYTES) {
      lines.push(
        `largest: ${largest.map((s) => `${s.svcMeth} S${String(s.from)}→S${String(s.to)} ${size(s.bytes)} at ${formatVirtual(s.t)}`).join('; ')}`,
      );
    }
    return lines;
  }
}

/** An RPC this large is worth naming (the largest an honest test sends is ~13 KB). */
const LARGE_BYTES = 64 * 1024;

function size(bytes: number): string {
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(1)} GB`;
  if (bytes >= 2 ** 20) return `${(bytes / 2 ** 20).toFixed(1)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${bytes} bytes`;
}

/** "2,998 (1.2 GB): 2,990 Raft.AppendEntries (1.2 GB, S0→S3 2,000), 8 Raft.RequestVote (…)". */
function summary(sends: readonly Send[]): string {
  if (sends.length === 0) return 'none';
  const byMethod = new Map<string, Send[]>();
  for (const s of sends) {
    const list = byMethod.get(s.svcMeth);
    if (list === undefined) byMethod.set(s.svcMeth, [s]);
    else list.push(s);
  }
  const total = sends.reduce((sum, s) => sum + s.bytes, 0);
  const parts = [...byMethod.entries()]
    .sort((a, b) => b[1].length - a[1].length)
    .map(([method, list]) => {
      const bytes = list.reduce((sum, s) => sum + s.bytes, 0);
      const links = new Map<string, number>();
      for (const s of list) {
        const link = `S${String(s.from)}→S${String(s.to)}`;
        links.set(link, (links.get(link) ?? 0) + 1);
      }
      const busiest = [...links.entries()].sort((a, b) => b[1] - a[1])[0];
      return `${count(list.length)} ${method} (${size(bytes)}, most ${busiest[0]}: ${count(busiest[1])})`;
    });
  return `${count(sends.length)} (${size(total)}): ${parts.join(', ')}`;
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}
