/**
 * The watchdog's judgement of one running test (pool.ts calls it every 100 ms): from what the worker
 * writes into the shared progress buffer — [virtual ms reached, events fired, 1 once the module loaded,
 * heap used in MB] — whether the run is stuck, and as what.
 *
 * Progress is virtual time moving on. Events that keep firing at one instant (each taking seconds, or an
 * endless chain of them) are stuck as surely as one event that never ends. A heap past STOP_AT_CAP of
 * its cap ends the run as out of memory before V8 does, so that it can still be looked into; a stall
 * with the heap past NEAR_CAP is the garbage collector thrashing, not a loop.
 */

/** A stalled worker whose heap was last seen past this share of its cap is out of memory, not hung. */
const NEAR_CAP = 0.7;
/** A running worker whose heap passes this share of its cap is stopped (V8 would end it without warning). */
const STOP_AT_CAP = 0.85;

/** What the watchdog remembers of a run between two looks. */
export interface Progress {
  lastEvents: number;
  /** When the event count last moved. */
  lastEventAt: number;
  lastVirtual: number;
  /** When virtual time last moved (or loading ended). */
  lastChange: number;
}

export function startProgress(now: number): Progress {
  return { lastEvents: -1, lastEventAt: now, lastVirtual: -1, lastChange: now };
}

/** Why a loaded run must stop now, or undefined while it makes progress. */
export type Stall =
  | { readonly kind: 'hung'; readonly stalledMs: number; readonly eventsMoving: boolean }
  | { readonly kind: 'out-of-memory'; readonly heapMb?: number };

/** Look at `seen` (the progress buffer) at `now`; updates `progress`. */
export function checkProgress(
  progress: Progress,
  seen: Float64Array,
  now: number,
  hangMs: number,
  memoryMb: number,
): Stall | undefined {
  if (seen[1] !== progress.lastEvents) {
    progress.lastEvents = seen[1];
    progress.lastEventAt = now;
  }
  if (seen[3] > STOP_AT_CAP * memoryMb) return { kind: 'out-of-memory', heapMb: seen[3] };
  if (seen[0] !== progress.lastVirtual) {
    progress.lastVirtual = seen[0];
    progress.lastChange = now;
    return undefined;
  }
  if (now - progress.lastChange <= hangMs) return undefined;
  if (seen[3] > NEAR_CAP * memoryMb) return { kind: 'out-of-memory' };
  return {
    kind: 'hung',
    stalledMs: now - progress.lastChange,
    eventsMoving: now - progress.lastEventAt < hangMs,
  };
}
