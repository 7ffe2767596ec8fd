/**
 * Debug logging for Raft and KV code: `debugLog(server, topic, message)`, and in Lab 4
 * `debugLog(server, topic, message, gid)`: servers of different replica groups share the numbers
 * 0..n-1, so a line that names its group lands in that group's column of the log viewer and the
 * timeline (a line without one is placed by the RPCs around it).
 *
 * The harness installs a sink that stamps each line with virtual time, keeps it in a bounded buffer
 * saved with the trace when a run fails, and prints it when LAB_DEBUG selects its topic. Outside a
 * harness run the call does nothing, so leaving debug lines in costs almost nothing.
 */
export type DebugSink = (server: number, topic: string, message: string, group?: number) => void;

let sink: DebugSink | undefined;

/**
 * Log one line: which server, a short topic ("vote", "append", "commit", …), what happened, and (Lab 4)
 * the replica group's gid; the shard controllers' lines name no group.
 */
export function debugLog(server: number, topic: string, message: string, group?: number): void {
  if (sink !== undefined) sink(server, topic, message, group);
}

/** Install (or, with no argument, remove) the sink behind debugLog. Used by the test harness. */
export function setDebugSink(next?: DebugSink): void {
  sink = next;
}

/** The sink installed now, if any (the harness's student side forwards to it). */
export function currentDebugSink(): DebugSink | undefined {
  return sink;
}
