/**
 * What a hung run can still tell. A run stuck inside one event (a loop that never awaits, or code that
 * takes minutes per event) cannot report anything itself, and its worker is terminated. Before that, the
 * parent pauses the worker through the inspector protocol (worker/hang-inspect.ts), reads its stack, and
 * calls the probe a run installs here: the probe saves the trace up to the last completed event and the
 * debug log, and returns where they went with the RPC traffic just before. This module holds the
 * worker's side and the shape both sides share; it is light, so the parent may import it.
 */

/** What the probe returns to the parent (plain data: it crosses the inspector protocol as JSON). */
export interface HangProbeReport {
  readonly traceFile?: string;
  readonly logFile?: string;
  /** The virtual time at which the last completed event ended. */
  readonly completedMs: number;
  /** The RPC traffic of the last second and of the event in progress (rpc-window.ts). */
  readonly rpcs: readonly string[];
  /** Why the trace or log could not be saved, if so. */
  readonly problem?: string;
}

const PROBE_KEY = 'raftlab.hangProbe';

/** The expression the parent evaluates in the paused worker (JSON of a HangProbeReport, or undefined). */
export const PROBE_EXPRESSION = `(() => { const p = globalThis[Symbol.for(${JSON.stringify(PROBE_KEY)})]; return typeof p === 'function' ? JSON.stringify(p()) : undefined; })()`;

/** Make `probe` callable from the inspector for as long as the run lasts; returns its remover. */
export function installHangProbe(probe: () => HangProbeReport): () => void {
  const key = Symbol.for(PROBE_KEY);
  Object.defineProperty(globalThis, key, { value: probe, configurable: true, enumerable: false });
  return () => {
    delete (globalThis as Record<symbol, unknown>)[key];
  };
}
