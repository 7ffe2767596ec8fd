/**
 * The call/return entries of one partition, sorted by time, threaded on a doubly linked list over
 * typed arrays (the search removes and restores entries millions of times; index arithmetic on
 * Int32Arrays avoids allocating a node object per entry).
 *
 * Entry order: by time; at equal times calls come before returns (two operations that touch are
 * concurrent); remaining ties by operation id, so the order is deterministic.
 * Guarantees: entry `2n` is the head sentinel; `next[x] === NIL` marks the end; while the list is not
 * empty its last element is a return entry (every call precedes its own return).
 */
import type { Operation } from './types';

export const NIL = -1;

export interface EntryList {
  readonly head: number;
  /** Entry -> operation id. */
  readonly op: Int32Array;
  /** 1 for a call entry, 0 for a return entry. */
  readonly isCall: Uint8Array;
  /** Call entry -> its return entry (unused for return entries). */
  readonly match: Int32Array;
  readonly next: Int32Array;
  readonly prev: Int32Array;
}

export function buildEntries<I, O>(ops: readonly Operation<I, O>[]): EntryList {
  const n = ops.length;
  const order = Array.from({ length: 2 * n }, (_, i) => i);
  // Entry candidate i: operation i >> 1; even = call, odd = return.
  const time = (i: number): number => (i & 1 ? ops[i >> 1].return : ops[i >> 1].call);
  order.sort((a, b) => time(a) - time(b) || (a & 1) - (b & 1) || (a >> 1) - (b >> 1));

  const head = 2 * n;
  const list: EntryList = {
    head,
    op: new Int32Array(2 * n),
    isCall: new Uint8Array(2 * n),
    match: new Int32Array(2 * n),
    next: new Int32Array(2 * n + 1),
    prev: new Int32Array(2 * n + 1),
  };
  const callEntryOf = new Int32Array(n);
  const returnEntryOf = new Int32Array(n);
  order.forEach((candidate, entry) => {
    const opId = candidate >> 1;
    list.op[entry] = opId;
    list.isCall[entry] = candidate & 1 ? 0 : 1;
    if (candidate & 1) returnEntryOf[opId] = entry;
    else callEntryOf[opId] = entry;
  });
  for (let id = 0; id < n; id++) list.match[callEntryOf[id]] = returnEntryOf[id];

  let previous = head;
  for (let entry = 0; entry < 2 * n; entry++) {
    list.next[previous] = entry;
    list.prev[entry] = previous;
    previous = entry;
  }
  list.next[previous] = NIL;
  list.prev[head] = NIL;
  return list;
}

/** Take a call entry and its return entry out of the list (the operation is now linearized). */
export function lift(list: EntryList, call: number): void {
  unlink(list, call);
  unlink(list, list.match[call]);
}

/** Undo `lift`; must be called in exactly the reverse order of the lifts (the search's stack order). */
export function unlift(list: EntryList, call: number): void {
  relink(list, list.match[call]);
  relink(list, call);
}

function unlink(list: EntryList, x: number): void {
  const { next, prev } = list;
  next[prev[x]] = next[x];
  if (next[x] !== NIL) prev[next[x]] = prev[x];
}

// Dancing links: x still remembers its old neighbours, which are back in place when undone in order.
function relink(list: EntryList, x: number): void {
  const { next, prev } = list;
  next[prev[x]] = x;
  if (next[x] !== NIL) prev[next[x]] = x;
}
