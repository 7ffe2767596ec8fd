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

/** The codec's MessagePack options; the trace (and the bench's baseline) pack with the same ones. */
export const PACK_OPTIONS = {
  useRecords: false, // plain MessagePack maps: no shared record structures between messages
  mapsAsObjects: true, // decode maps as plain objects, never as Map
  encodeUndefinedAsNil: true, // undefined arrives as null (and is warned about)
  moreTypes: false,
  variableMapSize: true, // a small object gets a 1-byte map header, not msgpackr's default 3-byte one
} as const;

const packr = new Packr(PACK_OPTIONS);

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

/**
 * Forget which shapes were reported, so each test run reports its own (the harness calls this at the
 * start of every run: a run's output must not depend on which runs came before it in the process).
 */
export function resetCodecWarnings(): void {
  seenShapes.clear();
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

/**
 * The walk keeps the path as a stack of keys and builds the text only when there is something to say,
 * and it does not track ancestors: a cycle shows up as a depth no real message reaches, and only then is
 * the value searched for the exact place where it refers back to a parent.
 */
const CYCLE_SUSPECT_DEPTH = 200;

// Globals read once: inside jest's sandbox every global lookup goes through the vm context and costs
// far more than a module-level binding, and the walk looks at every value of every message.
const isFinite = Number.isFinite;
const isArray = Array.isArray;
const hasOwn = Object.prototype.hasOwnProperty;
const Bytes = Uint8Array;

/** Values that need no look at all: the bulk of every message. */
function isPlainScalar(value: unknown): boolean {
  const type = typeof value;
  return type === 'string' || type === 'boolean' || (type === 'number' && isFinite(value));
}

class Walk {
  readonly keys: Array<string | number> = [];
  constructor(
    readonly root: string,
    readonly value: unknown,
  ) {}

  path(): string {
    let text = this.root;
    for (const key of this.keys) text += typeof key === 'number' ? `[${key}]` : `.${key}`;
    return text;
  }

  /** Report whatever would not survive the trip; throw on what cannot be carried. */
  visit(value: unknown): void {
    switch (typeof value) {
      case 'string':
      case 'boolean':
        return;
      case 'number':
        if (!isFinite(value)) warn(this.path(), `${value} is almost always a bug (arithmetic on undefined?)`);
        return;
      case 'undefined':
        return warn(this.path(), 'undefined will arrive as null');
      case 'function':
        return warn(this.path(), 'a function will arrive as null');
      case 'symbol':
        return warn(this.path(), 'a symbol will arrive as null');
      case 'bigint':
        throw new CodecError(`${this.path()}: BigInt cannot be encoded; send a number or a string instead`);
    }
    if (value !== null && !(value instanceof Bytes)) this.visitObject(value as object);
  }

  visitObject(value: object): void {
    if (this.keys.length > CYCLE_SUSPECT_DEPTH) throw cycleError(this.root, this.value);
    if (isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        if (isPlainScalar(value[i])) continue;
        this.keys.push(i);
        this.visit(value[i]);
        this.keys.pop();
      }
      return;
    }
    reportForeignObject(value, this);
    for (const key in value) {
      if (!hasOwn.call(value, key)) continue;
      const item = (value as Record<string, unknown>)[key];
      if (isPlainScalar(item)) continue;
      this.keys.push(key);
      this.visit(item);
      this.keys.pop();
    }
  }
}

/** Find where `value` refers back to one of its parents, and say so with the path. */
function cycleError(root: string, value: unknown): CodecError {
  const ancestors = new Set<object>();
  const search = (v: unknown, path: string): string | undefined => {
    if (v === null || typeof v !== 'object' || v instanceof Uint8Array) return undefined;
    if (ancestors.has(v)) return path;
    ancestors.add(v);
    const entries = Array.isArray(v)
      ? v.map((x, i) => [`[${i}]`, x] as const)
      : Object.entries(v).map(([k, x]) => [`.${k}`, x] as const);
    for (const [step, child] of entries) {
      const found = search(child, path + step);
      if (found !== undefined) return found;
    }
    ancestors.delete(v);
    return undefined;
  };
  const where = search(value, root);
  return where === undefined
    ? new CodecError(`${root}: the value is nested more than ${CYCLE_SUSPECT_DEPTH} levels deep; flatten it`)
    : new CodecError(`${where}: the value contains a cycle (it refers back to one of its parents)`);
}

function reportForeignObject(value: object, walk: Walk): void {
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) return; // the common case: a plain object
  if (value instanceof Map) return warn(walk.path(), 'Map will arrive as a plain object');
  if (value instanceof Set) return warn(walk.path(), 'Set will arrive as an array');
  // Objects made in another realm (jest's sandbox) have a different Object.prototype but are plain.
  if (
    Object.getPrototypeOf(proto) === null &&
    (proto as { constructor?: unknown }).constructor !== undefined
  ) {
    const ctor = (proto as { constructor: { name?: string } }).constructor;
    if (ctor.name === 'Object') return;
  }
  const name = (proto as { constructor?: { name?: string } }).constructor?.name ?? 'anonymous class';
  warn(walk.path(), `a ${name} instance will arrive as a plain object: its prototype and methods are lost`);
}

const objectPrototype = Object.prototype;
const prototypeOf = Object.getPrototypeOf;

/**
 * Whether `value` is plain data through and through: nothing to report, nothing to throw. The walk above
 * allocates its path as it goes; this check allocates nothing, and every honest message passes it, so
 * the walk runs only for a value that has something to say (or a plain object of another realm, which
 * the walk accepts). It must never accept what the walk would report: it accepts less.
 */
function isPlainData(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return isFinite(value);
    case 'object':
      break;
    default: // undefined, function, symbol, bigint
      return false;
  }
  if (value === null || value instanceof Bytes) return true;
  if (depth > CYCLE_SUSPECT_DEPTH) return false;
  if (isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!isPlainData(value[i], depth + 1)) return false;
    return true;
  }
  const proto: unknown = prototypeOf(value);
  if (proto !== objectPrototype && proto !== null) return false;
  for (const key in value) {
    if (!hasOwn.call(value, key)) continue;
    if (!isPlainData((value as Record<string, unknown>)[key], depth + 1)) return false;
  }
  return true;
}

/** Encode a value to bytes. `path` names the value in warnings ("args", "reply", "state"). */
export function encode(value: unknown, path = 'value'): Uint8Array {
  if (!isPlainData(value, 0)) new Walk(path, value).visit(value);
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
