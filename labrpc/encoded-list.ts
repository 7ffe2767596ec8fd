/**
 * EncodedList: a list whose items are encoded once, when they are added, for persisting a log that grows
 * one entry at a time. `encode(log)` on every save re-encodes every entry each time, which makes a test
 * that builds a log of n entries encode n²/2 of them; `bytes()` here costs nothing but what is new.
 *
 *   const log = new EncodedList<LogEntry>('log');
 *   log.push(entry);      // encodes this entry, once
 *   log.truncate(k);      // keep the first k entries (a conflict cut the tail off)
 *   log.clear();          // a snapshot moved the log's start: push the entries that remain
 *   log.bytes();          // exactly encode(entries), header and all; decode() gives the entries back
 *
 * `encodeArray` puts already-encoded values together into one encoded array, so a state saved as
 * `encodeArray([encode(currentTerm), encode(votedFor), log.bytes()])` decodes, with a plain `decode`, to
 * `[currentTerm, votedFor, entries]`, exactly as if the whole array had been encoded at once.
 *
 * Why this works: in MessagePack an array is a header (its length: 1, 3 or 5 bytes) followed by its
 * items, each encoded on its own. `encode([7, 'x'])` is 92 07 a1 78: 92 is "an array of 2", 07 the
 * number 7, a1 78 the one-letter string "x". So the bytes of the items can be kept, and a fresh header
 * written in front of them at each save.
 *
 * The list keeps the entries' bytes, not the entries: it does not notice if an entry object is changed
 * after it was pushed (never change a log entry in place; replace it by truncate and push).
 */
import { encode } from './codec';

/** The most bytes a MessagePack array header takes (0xdd and a 4-byte length). */
const HEADER_ROOM = 5;

export class EncodedList<T = unknown> {
  readonly #path: string;
  /** HEADER_ROOM bytes of room for the header, then the items' bytes back to back. */
  #data = new Uint8Array(HEADER_ROOM + 1024);
  /** ends[k]: where item k's bytes end, counted from the first item's start. */
  readonly #ends: number[] = [];

  /** `path` names the items in codec warnings ("log" gives "log[12].command: …"). */
  constructor(path = 'list') {
    this.#path = path;
  }

  /** How many items the list holds. */
  get length(): number {
    return this.#ends.length;
  }

  /** Append items, encoding each one now. */
  push(...items: T[]): void {
    for (const item of items) {
      const bytes = encode(item, `${this.#path}[${this.#ends.length}]`);
      const at = HEADER_ROOM + this.#size();
      if (at + bytes.length > this.#data.length) {
        const grown = new Uint8Array(Math.max(2 * this.#data.length, at + bytes.length));
        grown.set(this.#data.subarray(0, at));
        this.#data = grown;
      }
      this.#data.set(bytes, at);
      this.#ends.push(at + bytes.length - HEADER_ROOM);
    }
  }

  /** Keep the first `length` items (nothing happens if the list is not longer). */
  truncate(length: number): void {
    if (!Number.isInteger(length) || length < 0) {
      throw new RangeError(`EncodedList.truncate: expected a whole number >= 0, got ${length}`);
    }
    if (length < this.#ends.length) this.#ends.length = length;
  }

  /** Remove every item. */
  clear(): void {
    this.#ends.length = 0;
  }

  /**
   * The list encoded as one array: the same bytes as `encode` of the items. A view into the list's own
   * buffer, valid until the list changes: hand it to the persister (which copies it) or to `encodeArray`
   * at once.
   */
  bytes(): Uint8Array {
    const header = arrayHeader(this.#ends.length);
    const start = HEADER_ROOM - header.length;
    this.#data.set(header, start);
    return this.#data.subarray(start, HEADER_ROOM + this.#size());
  }

  #size(): number {
    return this.#ends.length === 0 ? 0 : this.#ends[this.#ends.length - 1];
  }
}

/**
 * One encoded array made of values encoded already: `encodeArray([encode(a), encode(b)])` equals
 * `encode([a, b])`. Each part must be the bytes of exactly one value (from `encode` or `bytes()`).
 */
export function encodeArray(parts: readonly Uint8Array[]): Uint8Array {
  const header = arrayHeader(parts.length);
  let size = header.length;
  for (const part of parts) size += part.length;
  const out = new Uint8Array(size);
  out.set(header, 0);
  let at = header.length;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** MessagePack's array header: fixarray (up to 15 items), array 16, array 32. */
function arrayHeader(n: number): Uint8Array {
  if (n < 16) return Uint8Array.of(0x90 | n);
  if (n < 0x10000) return Uint8Array.of(0xdc, n >> 8, n & 0xff);
  return Uint8Array.of(0xdd, n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
}
