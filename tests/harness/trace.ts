/**
 * The trace of one run: every event, in order, as one JSON object per line, with a running SHA-256 hash
 * over the lines. Same code + same seed ⇒ the same lines ⇒ the same hash; the determinism check and the
 * stress runner compare hashes.
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
 * Arguments and replies are summarised (long strings and arrays cut, bytes counted) to keep traces small.
 */
import { createHash, type Hash } from 'node:crypto';

export type TraceFields = Record<string, unknown>;

export class Trace {
  readonly lines: string[] = [];
  #hash: Hash = createHash('sha256');
  #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  /** Append one event at the current virtual time. */
  record(kind: string, fields: TraceFields = {}): void {
    const line = JSON.stringify({ t: this.#now(), kind, ...fields });
    this.lines.push(line);
    this.#hash.update(line);
    this.#hash.update('\n');
  }

  /** The hash of every line so far, as hex. */
  hash(): string {
    return this.#hash.copy().digest('hex');
  }

  get length(): number {
    return this.lines.length;
  }
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
