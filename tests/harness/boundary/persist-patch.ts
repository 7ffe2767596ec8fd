/**
 * Persister saves across the process boundary as patches. A Raft peer saves its whole state on every
 * change, and most saves differ from the last one in a few bytes: an entry appended to the log, a length
 * and the term near the start. Sent whole, the saves of one 3A test come to hundreds of megabytes between
 * the child and the tester; as a patch on the last save of the same object, about a megabyte (597 MB and
 * 0.95 MB in 3A "many clients").
 *
 * A patch is a list of parts, each a copy of a range of the last save or new bytes, which put together
 * make the new save. The sender (the child) and the receiver (the tester) each keep every object's last
 * save, so the receiver rebuilds exactly what the student's persister holds; a patch that does not fit
 * fails the run, as any broken message does.
 *
 * Why not a delta library: the well-kept one for JS (fossil-delta) takes 13 ms to diff 100 kB, and a 3A
 * test makes thousands of such saves. Here every comparison and search is native (Buffer#compare,
 * Buffer#indexOf over a bounded window), and a save that appends one entry costs a few of them: the
 * parts are found greedily, a copy as long as the bytes agree, then the nearest place where the two
 * agree again (an insertion, a replaced byte or two, a cut), and the bytes between as new bytes.
 *
 * In-process runs need none of this: the effects are handed over without a copy.
 */
import { StoredBytes } from '../../../labrpc/persister';
import type { Effect, Handle } from './protocol';

/** `next` as parts: [start, length] copies a range of the previous bytes, a Uint8Array is new bytes. */
export interface BytesPatch {
  length: number;
  parts: Array<[number, number] | Uint8Array>;
}

type PersistEffect = Extract<Effect, { op: 'persist' }>;

/** A persist effect on the wire: its bytes as patches on the last ones sent for the same object. */
export interface PersistPatchEffect {
  op: 'persist-patch';
  handle: Handle;
  raftState: BytesPatch;
  snapshot: BytesPatch | null;
}

/** A shorter run of equal bytes is sent as new bytes: a copy's own encoding costs about as much. */
const MIN_COPY = 8;
/** The bytes that must agree for the two to be taken as in step again. */
const PROBE = 16;
/** How far ahead (in either) a place where they agree again is looked for. */
const WINDOW = 4096;
/** Up to this many bytes inserted, cut or replaced are tried directly (a length, a term, an entry's term). */
const NEAR = 8;
/** How far a candidate place's agreement is measured, to tell the true place from a chance match. */
const SCORE = 256;
/** Beyond this many parts the rest goes as new bytes: a save rewritten, not edited. */
const MAX_PARTS = 256;

const asBuffer = (bytes: Uint8Array): Buffer =>
  Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** Below this many bytes a loop here beats a native compare (whose call costs about as much as 32 bytes). */
const SHORT = 32;

/** How many bytes agree from a[i] and b[j] on, at most `most`, byte by byte (for a few bytes). */
function agreeingShort(a: Buffer, i: number, b: Buffer, j: number, most: number): number {
  let run = 0;
  while (run < most && a[i + run] === b[j + run]) run++;
  return run;
}

/** How many bytes agree from a[i] and b[j] on, at most `most` (growing blocks, compared natively). */
function agreeing(a: Buffer, i: number, b: Buffer, j: number, most: number): number {
  // Most places tried disagree within a few bytes: those cost no native call.
  let run = agreeingShort(a, i, b, j, Math.min(PROBE, most));
  if (run < PROBE || run === most) return run;
  for (let step = PROBE; run < most; step *= 2) {
    const len = Math.min(step, most - run);
    if (a.compare(b, j + run, j + run + len, i + run, i + run + len) === 0) {
      run += len;
      continue;
    }
    for (let lo = 0, hi = len; ;) {
      // a and b agree on [run, run + lo) and not on [run, run + hi): narrow it down.
      if (hi - lo <= SHORT) return run + lo + agreeingShort(a, i + run + lo, b, j + run + lo, hi - lo);
      const mid = (lo + hi) >> 1;
      if (a.compare(b, j + run, j + run + mid, i + run, i + run + mid) === 0) lo = mid;
      else hi = mid;
    }
  }
  return run;
}

/** Where `needle` first occurs in haystack[from, from + WINDOW), or -1. */
function within(haystack: Buffer, needle: Buffer, from: number): number {
  const at = haystack.subarray(from, Math.min(haystack.length, from + WINDOW)).indexOf(needle);
  return at === -1 ? -1 : from + at;
}

/**
 * Where a and b are in step again after they part at (i, j): a few bytes inserted into b, cut out of a
 * or replaced (tried directly), or a longer insertion or cut (a's next bytes searched for in b, and b's in
 * a, within the window). Each place is scored by how far the two then agree (up to SCORE bytes) less the
 * new bytes it costs, so that in repetitive data (a log of similar commands) a chance match of a few
 * bytes loses to the true place. Undefined when none agrees for MIN_COPY bytes.
 */
function resync(a: Buffer, i: number, b: Buffer, j: number): { i: number; j: number } | undefined {
  let best: { i: number; j: number; value: number } | undefined;
  const consider = (i2: number, j2: number): void => {
    if (i2 >= a.length || j2 >= b.length) return;
    const run = agreeing(a, i2, b, j2, Math.min(SCORE, a.length - i2, b.length - j2));
    const value = run - (j2 - j);
    if (run >= MIN_COPY && (best === undefined || value > best.value)) best = { i: i2, j: j2, value };
  };
  for (let k = 1; k <= NEAR; k++) {
    consider(i, j + k); // inserted into b
    consider(i + k, j); // cut out of a
    consider(i + k, j + k); // replaced
  }
  for (const skip of [0, NEAR]) {
    if (i + skip + PROBE > a.length) break;
    const r = within(b, a.subarray(i + skip, i + skip + PROBE), j);
    if (r !== -1) consider(i + skip, r);
  }
  if (j + PROBE <= b.length) {
    const r = within(a, b.subarray(j, j + PROBE), i);
    if (r !== -1) consider(r, j);
  }
  return best;
}

export function diffBytes(previous: Uint8Array, next: Uint8Array): BytesPatch {
  const a = asBuffer(previous);
  const b = asBuffer(next);
  const parts: BytesPatch['parts'] = [];
  let i = 0;
  let j = 0;
  let fresh = 0; // where the new bytes not yet in a part begin
  const flush = (end: number): void => {
    if (end > fresh) parts.push(next.subarray(fresh, end));
  };
  while (j < b.length && parts.length < MAX_PARTS) {
    const run = i < a.length ? agreeing(a, i, b, j, Math.min(a.length - i, b.length - j)) : 0;
    if (run >= MIN_COPY || (run > 0 && j + run === b.length)) {
      flush(j);
      parts.push([i, run]);
      i += run;
      j += run;
      fresh = j;
      continue;
    }
    const again = i < a.length ? resync(a, i, b, j) : undefined;
    if (again === undefined || (again.i === i && again.j === j)) {
      // Nowhere in step within the window: a window of new bytes, then look again from there.
      j = Math.min(b.length, j + (i < a.length ? WINDOW : b.length));
      continue;
    }
    i = again.i;
    j = again.j;
  }
  flush(b.length);
  return { length: b.length, parts };
}

/**
 * Rebuild the bytes a patch describes, into the array `room(length)` gives (a new one by default; it
 * must not share memory with `previous`); throws if the patch does not fit `previous` (a child that lies).
 */
export function applyPatch(
  previous: Uint8Array,
  patch: BytesPatch,
  maxBytes: number,
  room: (length: number) => Uint8Array = (length) => new Uint8Array(length),
): Uint8Array {
  const broken = (): Error => new Error('a persister save that does not fit the last one');
  if (typeof patch !== 'object' || patch === null || !Array.isArray(patch.parts)) throw broken();
  const { length, parts } = patch;
  const whole = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;
  if (!whole(length) || length > maxBytes) throw broken();
  const out = room(length);
  let at = 0;
  for (const part of parts as unknown[]) {
    if (part instanceof Uint8Array) {
      if (at + part.length > length) throw broken();
      out.set(part, at);
      at += part.length;
      continue;
    }
    if (!Array.isArray(part) || part.length !== 2) throw broken();
    const [start, count] = part as unknown[];
    if (!whole(start) || !whole(count) || start + count > previous.length || at + count > length) {
      throw broken();
    }
    out.set(previous.subarray(start, start + count), at);
    at += count;
  }
  if (at !== length) throw broken();
  return out;
}

/**
 * The child's side: each object's last saves, to patch the next against. They are copies (the student's
 * Persister reuses its buffers), kept in buffers reused from save to save (StoredBytes): a 3A test saves
 * hundreds of megabytes in all, and a fresh array per save cost more in page faults and zeroing than the
 * patching itself.
 */
export class PersistPatcher {
  readonly #last = new Map<Handle, { raftState: StoredBytes; snapshot: StoredBytes }>();

  patch(effect: PersistEffect): PersistPatchEffect {
    let last = this.#last.get(effect.handle);
    if (last === undefined) {
      last = { raftState: new StoredBytes(), snapshot: new StoredBytes() };
      this.#last.set(effect.handle, last);
    }
    const raftState = diffBytes(last.raftState.bytes, effect.raftState);
    last.raftState.save(effect.raftState);
    if (effect.snapshot === null)
      return { op: 'persist-patch', handle: effect.handle, raftState, snapshot: null };
    const snapshot = diffBytes(last.snapshot.bytes, effect.snapshot);
    last.snapshot.save(effect.snapshot);
    return { op: 'persist-patch', handle: effect.handle, raftState, snapshot };
  }
}

/**
 * Each object's last save on the tester's side, in two buffers taken in turn: the next save is rebuilt
 * in one from the other. So the bytes of an unpatched effect are good until the next save of the same
 * object, and whoever keeps them must copy them, as the tester's Persister does.
 */
class KeptPair {
  #sides = [new StoredBytes(), new StoredBytes()];
  #current = 0;

  get bytes(): Uint8Array {
    return this.#sides[this.#current].bytes;
  }

  /** Rebuild the next save from the last; it becomes the last. */
  next(patch: BytesPatch, maxBytes: number): Uint8Array {
    const spare = this.#sides[1 - this.#current];
    const bytes = applyPatch(this.bytes, patch, maxBytes, (length) => spare.room(length));
    this.#current = 1 - this.#current;
    return bytes;
  }
}

/** The tester's side: each object's last saves, rebuilt from the patches. */
export class PersistUnpatcher {
  readonly #last = new Map<number, { raftState: KeptPair; snapshot: KeptPair }>();
  readonly #maxBytes: number;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /**
   * The persist effect a patch stands for; throws on a patch that does not fit (or is not one). Its
   * bytes are good until the object's next save (KeptPair): the tester's Persister copies them.
   */
  unpatch(wire: Record<string, unknown>): PersistEffect {
    const handle = wire.handle;
    if (!Number.isSafeInteger(handle)) throw new Error('a persister save without its object');
    let last = this.#last.get(handle as number);
    if (last === undefined) {
      last = { raftState: new KeptPair(), snapshot: new KeptPair() };
      this.#last.set(handle as number, last);
    }
    const raftState = last.raftState.next(wire.raftState as BytesPatch, this.#maxBytes);
    const snapshot =
      wire.snapshot === null ? null : last.snapshot.next(wire.snapshot as BytesPatch, this.#maxBytes);
    return { op: 'persist', handle: handle as number, raftState, snapshot };
  }
}
