/**
 * Debug logging for Raft and KV code: `debugLog(server, topic, message)`.
 *
 * The harness installs a sink that stamps each line with virtual time, keeps it in a bounded buffer
 * saved with the trace when a run fails, and prints it when LAB_DEBUG selects its topic. Outside a
 * harness run the call does nothing, so leaving debug lines in costs almost nothing.
 */
export type DebugSink = (server: number, topic: string, message: string) => void;

let sink: DebugSink | undefined;

/** Log one line: which server, a short topic ("vote", "append", "commit", …) and what happened. */
export function debugLog(server: number, topic: string, message: string): void {
  if (sink !== undefined) sink(server, topic, message);
}

/** Install (or, with no argument, remove) the sink behind debugLog. Used by the test harness. */
export function setDebugSink(next?: DebugSink): void {
  sink = next;
}

/** The sink installed now, if any (the harness's student side forwards to it). */
export function currentDebugSink(): DebugSink | undefined {
  return sink;
}
