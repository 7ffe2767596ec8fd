/**
 * A MessagePack writer for plain data that gives, byte for byte, what msgpackr gives with the codec's
 * options (PACK_OPTIONS), only faster: every RPC argument and reply, every persisted log entry and every
 * trace event is encoded, and msgpackr's general path (records, extensions, bundles) costs more than the
 * little plain data needs. Numbers, strings, booleans, null, undefined, arrays and plain objects (made by
 * this realm's Object and Array) are written here; anything else is handed to msgpackr itself through
 * `other`, so the bytes stay msgpackr's in every case. The byte bounds of the tests and the trace hashes
 * therefore do not depend on which of the two wrote a value.
 *
 * A writer owns one growing buffer: `start()`, write one or more values, then `view()` (valid until the
 * next `start()`) or `copy()`.
 */
import { Packr } from 'msgpackr';

/** The codec's MessagePack options; the trace uses the same, so an RPC's bytes read back the same way. */
export const PACK_OPTIONS = {
  useRecords: false, // plain MessagePack maps: no shared record structures between messages
  mapsAsObjects: true, // decode maps as plain objects, never as Map
  encodeUndefinedAsNil: true, // undefined arrives as null (and is warned about)
  moreTypes: false,
  variableMapSize: true, // a small object gets a 1-byte map header, not msgpackr's default 3-byte one
} as const;

export const packr = new Packr(PACK_OPTIONS);

// Module-level bindings for globals (inside jest's sandbox a global lookup costs far more).
const PlainObject = Object;
const PlainArray = Array;
const objectKeys = Object.keys;

export class PackWriter {
  #buf: Buffer = Buffer.allocUnsafe(64 * 1024);
  #view = new DataView(this.#buf.buffer, this.#buf.byteOffset, this.#buf.byteLength);
  #pos = 0;

  start(): void {
    this.#pos = 0;
  }

  /** What was written since start(): a view into the writer's buffer, valid until the next start(). */
  view(): Uint8Array {
    return this.#buf.subarray(0, this.#pos);
  }

  /** What was written since start(), as a new plain Uint8Array (not a Buffer). */
  copy(): Uint8Array {
    const n = this.#pos;
    const out = new Uint8Array(n);
    // Most messages are a few dozen bytes: a loop costs less than making a view to copy from.
    if (n <= 64) for (let i = 0; i < n; i++) out[i] = this.#buf[i];
    else out.set(this.#buf.subarray(0, n));
    return out;
  }

  /** Any value, without checks (plain data here, the rest through msgpackr). */
  value(value: unknown): void {
    switch (typeof value) {
      case 'string':
        return this.string(value);
      case 'number':
        return this.number(value);
      case 'boolean':
        return this.byte(value ? 0xc3 : 0xc2);
      case 'undefined':
        return this.byte(0xc0);
      case 'object':
        if (value === null) return this.byte(0xc0);
        if (value.constructor === PlainArray) {
          const array = value as unknown[];
          this.arrayHeader(array.length);
          for (let i = 0; i < array.length; i++) this.value(array[i]);
          return;
        }
        if (value.constructor === PlainObject) {
          const object = value as Record<string, unknown>;
          const keys = objectKeys(object);
          this.mapHeader(keys.length);
          for (let i = 0; i < keys.length; i++) {
            this.string(keys[i]);
            this.value(object[keys[i]]);
          }
          return;
        }
    }
    this.other(value);
  }

  /** A value msgpackr writes (a Uint8Array, a Map, a class instance, a function, …). */
  other(value: unknown): void {
    const bytes = packr.pack(value);
    this.#room(bytes.length);
    this.#buf.set(bytes, this.#pos);
    this.#pos += bytes.length;
  }

  byte(b: number): void {
    this.#room(1);
    this.#buf[this.#pos++] = b;
  }

  /** msgpackr's choice: the smallest integer form for 32-bit integers, else a float64. */
  number(value: number): void {
    this.#room(9);
    const buf = this.#buf;
    let pos = this.#pos;
    if (value >>> 0 === value) {
      if (value < 0x80) {
        buf[pos++] = value;
      } else if (value < 0x100) {
        buf[pos++] = 0xcc;
        buf[pos++] = value;
      } else if (value < 0x10000) {
        buf[pos++] = 0xcd;
        buf[pos++] = value >> 8;
        buf[pos++] = value & 0xff;
      } else {
        buf[pos++] = 0xce;
        this.#view.setUint32(pos, value);
        pos += 4;
      }
    } else if (value >> 0 === value) {
      if (value >= -0x20) {
        buf[pos++] = 0x100 + value;
      } else if (value >= -0x80) {
        buf[pos++] = 0xd0;
        buf[pos++] = value + 0x100;
      } else if (value >= -0x8000) {
        buf[pos++] = 0xd1;
        this.#view.setInt16(pos, value);
        pos += 2;
      } else {
        buf[pos++] = 0xd2;
        this.#view.setInt32(pos, value);
        pos += 4;
      }
    } else {
      buf[pos++] = 0xcb;
      this.#view.setFloat64(pos, value);
      pos += 8;
    }
    this.#pos = pos;
  }

  /**
   * A string as msgpackr writes it: UTF-8 with the smallest header for its byte length. Like msgpackr,
   * short strings are encoded by hand (a lone surrogate becomes its 3-byte form) and long ones by
   * Buffer's UTF-8 encoder (a lone surrogate becomes U+FFFD).
   */
  string(value: string): void {
    const chars = value.length;
    // The header's size is first guessed from the number of characters, as msgpackr does.
    const guess = chars < 0x20 ? 1 : chars < 0x100 ? 2 : chars < 0x10000 ? 3 : 5;
    this.#room(guess + chars * 3);
    const buf = this.#buf;
    const at = this.#pos + guess;
    let length: number;
    if (chars < 0x40) {
      let p = at;
      for (let i = 0; i < chars; i++) {
        let c1 = value.charCodeAt(i);
        let c2: number;
        if (c1 < 0x80) {
          buf[p++] = c1;
        } else if (c1 < 0x800) {
          buf[p++] = (c1 >> 6) | 0xc0;
          buf[p++] = (c1 & 0x3f) | 0x80;
        } else if ((c1 & 0xfc00) === 0xd800 && ((c2 = value.charCodeAt(i + 1)) & 0xfc00) === 0xdc00) {
          c1 = 0x10000 + ((c1 & 0x03ff) << 10) + (c2 & 0x03ff);
          i++;
          buf[p++] = (c1 >> 18) | 0xf0;
          buf[p++] = ((c1 >> 12) & 0x3f) | 0x80;
          buf[p++] = ((c1 >> 6) & 0x3f) | 0x80;
          buf[p++] = (c1 & 0x3f) | 0x80;
        } else {
          buf[p++] = (c1 >> 12) | 0xe0;
          buf[p++] = ((c1 >> 6) & 0x3f) | 0x80;
          buf[p++] = (c1 & 0x3f) | 0x80;
        }
      }
      length = p - at;
    } else {
      length = buf.write(value, at, 'utf8');
    }
    const size = length < 0x20 ? 1 : length < 0x100 ? 2 : length < 0x10000 ? 3 : 5;
    if (size !== guess) buf.copyWithin(this.#pos + size, at, at + length);
    let pos = this.#pos;
    if (size === 1) {
      buf[pos++] = 0xa0 | length;
    } else if (size === 2) {
      buf[pos++] = 0xd9;
      buf[pos++] = length;
    } else if (size === 3) {
      buf[pos++] = 0xda;
      buf[pos++] = length >> 8;
      buf[pos++] = length & 0xff;
    } else {
      buf[pos++] = 0xdb;
      this.#view.setUint32(pos, length);
      pos += 4;
    }
    this.#pos = pos + length;
  }

  arrayHeader(n: number): void {
    this.#header(n, 0x90, 0xdc, 0xdd);
  }

  mapHeader(n: number): void {
    this.#header(n, 0x80, 0xde, 0xdf);
  }

  #header(n: number, fix: number, of16: number, of32: number): void {
    this.#room(5);
    const buf = this.#buf;
    if (n < 0x10) {
      buf[this.#pos++] = fix | n;
    } else if (n < 0x10000) {
      buf[this.#pos++] = of16;
      buf[this.#pos++] = n >> 8;
      buf[this.#pos++] = n & 0xff;
    } else {
      buf[this.#pos++] = of32;
      this.#view.setUint32(this.#pos, n);
      this.#pos += 4;
    }
  }

  #room(n: number): void {
    if (this.#pos + n <= this.#buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(2 * this.#buf.length, this.#pos + n));
    this.#buf.copy(grown, 0, 0, this.#pos);
    this.#buf = grown;
    this.#view = new DataView(grown.buffer, grown.byteOffset, grown.byteLength);
  }
}
