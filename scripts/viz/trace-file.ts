/**
 * Reading a saved trace (.jsonl, written by tests/harness/run.ts): a `meta` header line, then one event
 * per line, each with `t` (virtual ms) and `kind` (the kinds are listed in tests/harness/trace.ts).
 * Used by the timeline (viz) and the log viewer (logs). A malformed line is an error naming the file
 * and line, so a truncated or hand-edited trace says where it broke.
 */
import fs from 'node:fs';
import { CommanderError } from 'commander';

export interface TraceMeta {
  readonly test: string;
  readonly part: string;
  readonly seed: number;
  readonly passed: boolean;
  readonly virtualMs: number;
  readonly traceHash: string;
  readonly replay: string;
}

/** One event; its other fields depend on `kind`. */
export interface TraceEvent {
  readonly t: number;
  readonly kind: string;
  readonly [field: string]: unknown;
}

export interface TraceFile {
  readonly meta: TraceMeta | undefined;
  readonly events: readonly TraceEvent[];
}

/** Bad input file: the message names the file, the line and what was expected. */
export class TraceFileError extends Error {
  override name = 'TraceFileError';
}

function isEvent(value: unknown): value is TraceEvent {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { t?: unknown; kind?: unknown };
  return typeof v.t === 'number' && typeof v.kind === 'string';
}

export function parseTrace(text: string, file: string): TraceFile {
  let meta: TraceMeta | undefined;
  const events: TraceEvent[] = [];
  text.split('\n').forEach((line, k) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new TraceFileError(
        `${file}:${k + 1}: not JSON (is this a trace .jsonl file?): ${line.slice(0, 80)}`,
      );
    }
    if (typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'meta') {
      meta = value as TraceMeta;
    } else if (isEvent(value)) {
      events.push(value);
    } else {
      throw new TraceFileError(`${file}:${k + 1}: expected an event with numeric "t" and string "kind"`);
    }
  });
  return { meta, events };
}

export function readTraceFile(file: string): TraceFile {
  if (!fs.existsSync(file)) {
    throw new TraceFileError(`${file}: no such file (failing runs save theirs under .lab/traces/)`);
  }
  return parseTrace(fs.readFileSync(file, 'utf8'), file);
}

/**
 * Run a tool's `main` as a command: commander's usage errors and unreadable files exit 2 with a
 * message naming the tool; anything else is a bug and is thrown.
 */
export function runTraceTool(tool: string, main: (argv: string[]) => number): void {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (error) {
    if (error instanceof CommanderError) process.exitCode = error.exitCode === 0 ? 0 : 2;
    else if (error instanceof TraceFileError) {
      process.stderr.write(`${tool}: ${error.message}\n`);
      process.exitCode = 2;
    } else throw error;
  }
}
