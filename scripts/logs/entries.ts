/**
 * The lines the log viewer shows, from either kind of file a run saves:
 * - a `.log` (the debug buffer): "   4.210 S2 role     T5 became leader (…)", as formatLogLine writes;
 * - a `.jsonl` trace: its `log` events, plus the test's printed lines, injected faults and the final
 *   error (and, with `events`, RPCs and applies), so the debug lines read in the test's context.
 * Lines that belong to no server (server null) are shown across all columns. In Lab 4 a line also names
 * its replica group (`G101 S2` in a .log; in a trace, the lane the timeline gives it: scripts/viz/lanes.ts).
 */
import { assignLanes } from '../viz/lanes';
import { parseTrace, type TraceEvent } from '../viz/trace-file';
import type { VizLane } from '../viz/types';

export interface LogEntry {
  /** Virtual ms. */
  readonly t: number;
  readonly server: number | null;
  /** Lab 4: the server's replica group (undefined: a controller, or a run before Lab 4). */
  readonly group?: number;
  readonly topic: string;
  readonly msg: string;
}

const LOG_LINE = /^\s*(\d+\.\d+) (?:G(\d+) )?S(\d+) (\S+)\s+(.*)$/;

export function parseLogText(text: string): LogEntry[] {
  const entries: LogEntry[] = [];
  let last = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const m = LOG_LINE.exec(line);
    if (m === null) {
      entries.push({ t: last, server: null, topic: 'note', msg: line.trim() });
      continue;
    }
    last = Math.round(Number(m[1]) * 1000);
    const group = m[2] === undefined ? {} : { group: Number(m[2]) };
    entries.push({ t: last, server: Number(m[3]), ...group, topic: m[4], msg: m[5] });
  }
  return entries;
}

function laneName(lane: unknown, lanes: ReadonlyMap<number, VizLane>): string {
  return (typeof lane === 'number' ? lanes.get(lane)?.name : undefined) ?? `S${String(lane)}`;
}

/** A trace event's server as (group, number in the group), from its lane. */
function who(e: TraceEvent, lanes: ReadonlyMap<number, VizLane>): { server: number | null; group?: number } {
  if (typeof e.server !== 'number') return { server: null };
  const lane = lanes.get(e.server);
  if (lane === undefined) return { server: e.server };
  return lane.gid === null ? { server: lane.server } : { server: lane.server, group: lane.gid };
}

function fields(e: TraceEvent, skip: readonly string[]): string {
  const rest = Object.entries(e).filter(([k]) => !['t', 'kind', ...skip].includes(k));
  return rest.map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ');
}

/** One trace event as a log entry, or null if it is not shown. RPC events belong to the caller. */
function fromEvent(
  e: TraceEvent,
  events: boolean,
  caller: Map<unknown, number>,
  lanes: ReadonlyMap<number, VizLane>,
): LogEntry | null {
  const at = (topic: string, msg: string, lane: unknown = e.server): LogEntry => ({
    t: e.t,
    ...who({ ...e, server: lane }, lanes),
    topic,
    msg,
  });
  switch (e.kind) {
    case 'log':
      return at(String(e.topic), String(e.msg));
    case 'print':
      return at('test', String(e.line), null);
    case 'fault':
      return at('fault', `${String(e.action)} ${fields(e, ['action', 'server'])}`.trim());
    case 'error':
      return at('error', `${String(e.name)}: ${String(e.msg).split('\n')[0]}`, null);
    case 'monitor':
      // The invariant monitor's first violation, with its rule id, where it happened.
      return at('monitor', String(e.msg), null);
    case 'codec':
      return at('codec', String(e.msg), null);
    case 'apply':
      // 2E: a committed configuration is shown without --events, under its own topic
      if (typeof e.config === 'string')
        return at('config', `applied ${e.config} at index ${String(e.index)}`);
      return events ? at('apply', fields(e, ['server'])) : null;
  }
  if (!events || !e.kind.startsWith('rpc.')) return null;
  if (e.kind === 'rpc.send') {
    if (typeof e.from === 'number') caller.set(e.rpc, e.from);
    return at(
      'rpc',
      `#${String(e.rpc)} ${String(e.svcMeth)} to ${laneName(e.to, lanes)} ${JSON.stringify(e.args)}`,
      caller.get(e.rpc) ?? null,
    );
  }
  return at(
    'rpc',
    `#${String(e.rpc)} ${e.kind.slice(4)} ${fields(e, ['rpc'])}`.trim(),
    caller.get(e.rpc) ?? null,
  );
}

export function parseTraceText(text: string, file: string, events: boolean): LogEntry[] {
  const trace = parseTrace(text, file);
  const meta = trace.meta;
  const head: LogEntry[] =
    meta === undefined
      ? []
      : [
          {
            t: 0,
            server: null,
            topic: 'test',
            msg: `${meta.test}, seed ${meta.seed}: ${meta.passed ? 'passed' : 'FAILED'}`,
          },
        ];
  const caller = new Map<unknown, number>();
  const layout = assignLanes(trace.events);
  const lanes = new Map(layout.lanes.map((l) => [l.id, l]));
  const body = layout.events
    .map((e) => fromEvent(e, events, caller, lanes))
    .filter((e): e is LogEntry => e !== null);
  return [...head, ...body];
}

/** Entries of a .log or .jsonl file's text (by its name). */
export function parseLogFile(text: string, file: string, events: boolean): LogEntry[] {
  return file.endsWith('.jsonl') ? parseTraceText(text, file, events) : parseLogText(text);
}
