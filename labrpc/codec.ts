/**
 * The codec: labgob's role. Every RPC argument and reply, and everything a peer persists, goes through
 * `encode` and `decode`, so that (a) a receiver never shares memory with the sender, and (b) byte counts
 * are real bytes.
 *
 * Encoding: MessagePack (the msgpackr library). It is binary and compact — a small integer is one byte,
 * where JSON spends one per digit plus quotes and field punctuation — and msgpackr is among the fastest
 * serializers on Node. Byte bounds in the tests are calibrated to this encoding.
 *
 * The contract is plain data: null, booleans, numbers, strings, Uint8Array, arrays and plain objects.
 * Anything else would not arrive as it was sent. Before encoding, the value is walked once and every
 * such place is reported, once per shape, with its path (`args.entries[3].command: Map will arrive as a
 * plain object`), and counted in `codecStats()`. Cycles and BigInt cannot be carried at all: they throw
 * a CodecError naming the path.
 */
import { Packr } from 'msgpackr';
import { CodecError } from './errors';

const packr = new Packr({
  useRecords: false, // plain MessagePack maps: no shared record structures between messages
  mapsAsObjects: true, // decode maps as plain objects, never as Map
  encodeUndefinedAsNil: true, // undefined arrives as null (and is warned about)
  moreTypes: false,
  variableMapSize: true, // a small object gets a 1-byte map header, not msgpackr's default 3-byte one
});

interface Stats {
  /** Distinct warnings printed (each shape of bad value counts once). */
  warnings: number;
  /** Every warning message printed, in order. */
  messages: string[];
}

const stats: Stats = { warnings: 0, messages: [] };
const seenShapes = new Set<string>();
let sink: (message: string) => void = (message) => process.stderr.write(`${message}\n`);

/** Counters that tests can read: how many distinct codec warnings have been printed. */
export function codecStats(): Readonly<Stats> {
  return stats;
}

/** Send codec warnings somewhere else (the harness routes them into the trace as well). */
export function setCodecWarningSink(next: (message: string) => void): void {
  sink = next;
}

function warn(path: string, what: string): void {
  // The shape forgets array positions, so a bad command in every log entry is reported once.
  const shape = `${path.replace(/\[\d+\]/g, '[]')}|${what}`;
  if (seenShapes.has(shape)) return;
  seenShapes.add(shape);
  stats.warnings += 1;
  const message = `codec warning: ${path}: ${what}`;
  stats.messages.push(message);
  sink(message);
}

/** Walk `value` and report whatever would not survive the trip; throw on what cannot be carried. */
function inspect(value: unknown, path: string, ancestors: Set<object>): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) warn(path, `${value} is almost always a bug (arithmetic on undefined?)`);
      return;
    case 'undefined':
      return warn(path, 'undefined will arrive as null');
    case 'function':
      return warn(path, 'a function will arrive as null');
    case 'symbol':
      return warn(path, 'a symbol will arrive as null');
    case 'bigint':
      throw new CodecError(`${path}: BigInt cannot be encoded; send a number or a string instead`);
  }
  if (value === null) return;
  inspectObject(value as object, path, ancestors);
}

function inspectObject(value: object, path: string, ancestors: Set<object>): void {
  if (value instanceof Uint8Array) return;
  if (ancestors.has(value)) {
    throw new CodecError(`${path}: the value contains a cycle (it refers back to one of its parents)`);
  }
  ancestors.add(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) inspect(value[i], `${path}[${i}]`, ancestors);
  } else {
    reportForeignObject(value, path);
    for (const key of Object.keys(value)) {
      inspect((value as Record<string, unknown>)[key], `${path}.${key}`, ancestors);
    }
  }
  ancestors.delete(value);
}

function reportForeignObject(value: object, path: string): void {
  if (value instanceof Map) return warn(path, 'Map will arrive as a plain object');
  if (value instanceof Set) return warn(path, 'Set will arrive as an array');
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === null || proto === Object.prototype) return;
  // Objects made in another realm (jest's sandbox) have a different Object.prototype but are plain.
  if (
    Object.getPrototypeOf(proto) === null &&
    (proto as { constructor?: unknown }).constructor !== undefined
  ) {
    const ctor = (proto as { constructor: { name?: string } }).constructor;
    if (ctor.name === 'Object') return;
  }
  const name = (proto as { constructor?: { name?: string } }).constructor?.name ?? 'anonymous class';
  warn(path, `a ${name} instance will arrive as a plain object: its prototype and methods are lost`);
}

/** Encode a value to bytes. `path` names the value in warnings ("args", "reply", "state"). */
export function encode(value: unknown, path = 'value'): Uint8Array {
  inspect(value, path, new Set());
  // msgpackr may reuse its output buffer for the next message: take our own copy, as a plain Uint8Array
  // (not a Buffer), so that binary fields decode as Uint8Array too.
  return new Uint8Array(packr.pack(value));
}

/** Decode bytes made by `encode`. Binary fields arrive as Uint8Array. */
export function decode<T = unknown>(bytes: Uint8Array): T {
  if (bytes.length === 0) {
    throw new CodecError('decode: no bytes to decode (an empty persisted state means a fresh start)');
  }
  return packr.unpack(bytes) as T;
}

/** A deep copy through the wire format: exactly what a receiver would see. */
export function deepCopy<T>(value: T, path = 'value'): T {
  return decode<T>(encode(value, path));
}
