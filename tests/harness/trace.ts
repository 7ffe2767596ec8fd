/**
 * The trace of one run: every event, in order, with a running SHA-256 hash. Same code + same seed ⇒ the
 * same events ⇒ the same hash; the determinism check and the stress runner compare hashes.
 *
 * Recording is cheap, because every run records (tens of thousands of events) and few runs keep their
 * trace: an event is appended to a binary journal as one MessagePack value `[t, kind, fields]`, and an
 * RPC's argument or reply goes in as the bytes the network already encoded (`[t, kind, fields, key]`
 * followed by those bytes). The hash is taken over the journal, a chunk at a time. The JSON lines of a
 * trace file (`lines`) are built from the journal only when a trace is saved: a failing run, or keepTrace.
 *
 * Every event has `t` (virtual ms since the run started) and `kind`. Kinds in use:
 *   print                { line }                       an output line of the test
 *   log                  { server, topic, msg }         a debugLog line from Raft / KV code
 *   rpc.send             { rpc, from, to, svcMeth, bytes, args }
 *   rpc.unreachable      { rpc, delayMs }    rpc.drop-request { rpc }   rpc.deliver { rpc }
 *   rpc.dead             { rpc }             rpc.drop-reply   { rpc }   rpc.reorder { rpc, delayMs }
 *   rpc.reply            { rpc, bytes, reply }
 *   fault                { action, server?, ... }       a fault the test injected (disconnect, crash, …)
 *   apply                { server, index, command? }    what the tester saw applied
 *   codec                { msg }                        a codec warning
 *   error                { name, msg }                  the failure that ended the run
 * In trace files, arguments and replies are summarised (long strings and arrays cut, bytes counted) to
 * keep them small; the hash covers them in full. An argument or reply over LARGE_VALUE_BYTES, or over 1 KB
 * once the journal passed JOURNAL_BUDGET_BYTES, is kept as its size and SHA-256 only (`"<3145728 bytes,
 * sha256 …>"`): a peer that re-sends a huge log with every heartbeat would otherwise keep every copy in
 * the journal until its heap runs out (no honest test comes near either bound).
 *
 * For a run that never finishes an event (HungRun, OutOfMemory), `markCompleted` notes after every event
 * where the journal stood, so the harness can still save the trace up to the last completed event.
 */
import { createHash, type Hash } from 'node:crypto';
import fs from 'node:fs';
import { Packr } from 'msgpackr';
import { PACK_OPTIONS } from '../../labrpc/codec';
import { RpcWindow } from './rpc-window';

export type TraceFields = Record<string, unknown>;

// Plain MessagePack, as the codec writes it, so that an RPC's encoded bytes read back the same way.
const packr = new Packr(PACK_OPTIONS);

/** Bytes hashed and kept per chunk: large enough that hashing costs one update per many events. */
const CHUNK_BYTES = 64 * 1024;
/** An RPC argument or reply larger than this is journalled as its size and hash (the largest honest: ~13 KB). */
export const LARGE_VALUE_BYTES = 256 * 1024;
/**
 * Once the journal holds this much, every RPC argument or reply over 1 KB is journalled as its size and
 * hash: a peer that floods the network (the whole log in every AppendEntries, to every peer, many times a
 * heartbeat) would otherwise keep gigabytes of copies until its heap gives out, and a hung run's trace
 * could not be saved in time. No honest test comes near: the reference's largest journal over 2C, 2E,
 * 3A and 3B at seed 1 is 18.6 MB (3A's "restarts, partitions, many clients").
 */
export const JOURNAL_BUDGET_BYTES = 64 * 2 ** 20;
const SMALL_VALUE_BYTES = 1024;
/** How often (in journal bytes) the trace notes where an event starts. */
const CHECKPOINT_BYTES = 256 * 1024;

/** The journal: events back to back in chunks; a full chunk is hashed once and kept for saving. */
class Journal {
  readonly #full: Uint8Array[] = [];
  #chunk = new Uint8Array(CHUNK_BYTES);
  #used = 0;
  readonly #hash: Hash = createHash('sha256');

  write(bytes: Uint8Array): void {
    let from = 0;
    while (from < bytes.length) {
      const n = Math.min(bytes.length - from, CHUNK_BYTES - this.#used);
      this.#chunk.set(n === bytes.length ? bytes : bytes.subarray(from, from + n), this.#used);
      this.#used += n;
      from += n;
      if (this.#used === CHUNK_BYTES) {
        this.#hash.update(this.#chunk);
        this.#full.push(this.#chunk);
        this.#chunk = new Uint8Array(CHUNK_BYTES);
        this.#used = 0;
      }
    }
  }

  /** The hash of everything written so far, as hex. */
  hash(): string {
    return this.#hash.copy().update(this.#chunk.subarray(0, this.#used)).digest('hex');
  }

  bytes(): Uint8Array {
    return Buffer.concat([...this.#full, this.#chunk.subarray(0, this.#used)]);
  }

  /** How many bytes were written. */
  get size(): number {
    return this.#full.length * CHUNK_BYTES + this.#used;
  }
}

export class Trace {
  readonly #journal = new Journal();
  #events = 0;
  #now: () => number;
  /** The journal's size and event count when the last event of the virtual clock ended. */
  #completed = { bytes: 0, events: 0, t: 0 };
  /** Journal offsets where a trace event starts, about one per CHECKPOINT_BYTES (completedJournal). */
  readonly #checkpoints: number[] = [0];
  /** The RPCs sent in the last second, for the report of a run that hangs. */
  readonly rpcs = new RpcWindow();

  constructor(now: () => number) {
    this.#now = now;
  }

  /** Append one event at the current virtual time. */
  record(kind: string, fields: TraceFields = {}): void {
    this.#checkpoint();
    this.#journal.write(packr.pack([this.#now(), kind, fields]));
    this.#events += 1;
  }

  /**
   * Append one event that carries a value already encoded by the codec (an RPC's `args` or `reply`):
   * the bytes are hashed and kept as they are, and decoded only if the trace is saved.
   */
  recordEncoded(kind: string, fields: TraceFields, key: string, encoded: Uint8Array): void {
    const t = this.#now();
    if (kind === 'rpc.send') this.rpcs.add(t, fields);
    this.#checkpoint();
    this.#journal.write(packr.pack([t, kind, fields, key]));
    const keep = this.#journal.size < JOURNAL_BUDGET_BYTES ? LARGE_VALUE_BYTES : SMALL_VALUE_BYTES;
    this.#journal.write(encoded.length <= keep ? encoded : packr.pack(digestOf(encoded)));
    this.#events += 1;
  }

  /** The event of the virtual clock that ran last has ended (the driver calls this after each one). */
  markCompleted(): void {
    this.#completed = { bytes: this.#journal.size, events: this.#events, t: this.#now() };
    this.rpcs.markCompleted();
  }

  /** The virtual time at which the last completed event ended. */
  get completedAt(): number {
    return this.#completed.t;
  }

  /**
   * The journal up to the end of the last completed event: its last `maxBytes` or so (from an event
   * boundary; `whole` says whether that is all of it), for a hung run's trace, saved in a second or two.
   */
  completedJournal(maxBytes: number): { journal: Uint8Array; whole: boolean } {
    const end = this.#completed.bytes;
    const start = this.#checkpoints.find((offset) => offset >= end - maxBytes) ?? end;
    return { journal: this.#journal.bytes().subarray(start, end), whole: start === 0 };
  }

  #checkpoint(): void {
    const size = this.#journal.size;
    if (size - this.#checkpoints[this.#checkpoints.length - 1] >= CHECKPOINT_BYTES)
      this.#checkpoints.push(size);
  }

  /** The hash of every event so far, as hex. */
  hash(): string {
    return this.#journal.hash();
  }

  get length(): number {
    return this.#events;
  }

  /** The events as JSON lines, `{"t":…,"kind":…,…}`, built from the journal now (for a trace file). */
  get lines(): string[] {
    return journalLines(this.#journal.bytes());
  }

  /** The journal: every event as recorded, the bytes the hash covers. */
  journal(): Uint8Array {
    return this.#journal.bytes();
  }
}

/** What the journal keeps of a value over LARGE_VALUE_BYTES: its size and hash. */
function digestOf(encoded: Uint8Array): string {
  const hash = createHash('sha256').update(encoded).digest('hex').slice(0, 16);
  return `<${encoded.length} bytes, sha256 ${hash}>`;
}

/** The JSON lines of a journal's events (RPC arguments and replies summarised). */
export function journalLines(journal: Uint8Array): string[] {
  const values: unknown[] = journal.length === 0 ? [] : packr.unpackMultiple(journal);
  const lines: string[] = [];
  for (let i = 0; i < values.length; i++) {
    const [t, kind, fields, key] = values[i] as [number, string, TraceFields, string?];
    const event: TraceFields = { t, kind, ...fields };
    if (key !== undefined) event[key] = summarize(values[++i]);
    lines.push(JSON.stringify(event));
  }
  return lines;
}

/**
 * Check a trace file saved with keepTrace against its journal: the journal's hash if the file's event
 * lines (after the header line) are exactly the ones the journal gives, else a sentence saying why not.
 */
export function checkSavedTrace(traceFile: string): { hash: string } | { problem: string } {
  const journalFile = traceFile.replace(/\.jsonl$/, '.journal');
  if (!fs.existsSync(journalFile)) return { problem: `no journal beside it (${journalFile})` };
  const journal = fs.readFileSync(journalFile);
  const hash = createHash('sha256').update(journal).digest('hex');
  const saved = fs.readFileSync(traceFile, 'utf8').split('\n').slice(1, -1);
  const rebuilt = journalLines(journal);
  const same = saved.length === rebuilt.length && saved.every((line, k) => line === rebuilt[k]);
  return same ? { hash } : { problem: 'its lines are not the events its journal records' };
}

const MAX_STRING = 48;
const MAX_ITEMS = 12;

/** A small, JSON-safe picture of an RPC argument or reply, for the trace. */
export function summarize(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') {
    return value.length <= MAX_STRING ? value : `${value.slice(0, MAX_STRING)}…(${value.length} chars)`;
  }
  if (value === null || typeof value !== 'object') {
    return typeof value === 'number' && !Number.isFinite(value) ? String(value) : (value ?? null);
  }
  if (value instanceof Uint8Array) return `<${value.length} bytes>`;
  if (depth >= 4) return '…';
  if (Array.isArray(value)) {
    const head = value.slice(0, MAX_ITEMS).map((item) => summarize(item, depth + 1));
    return value.length <= MAX_ITEMS ? head : [...head, `…(${value.length} items)`];
  }
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = summarize(item, depth + 1);
  return out;
}
