/**
 * Drawing log entries for a terminal, in the spirit of the 6.824 log tools (dslogs): a colour per topic,
 * and optionally one column per server so that what each peer did reads top to bottom, side by side.
 * Lines that belong to no server (the test's output, faults on the whole net, the final error) span
 * every column. Pure functions of their input: the colours come in, so tests render without them.
 */
import type pc from 'picocolors';
import type { LogEntry } from './entries';

export interface RenderOptions {
  /** One column per server when set (servers at or past it are drawn full width). */
  readonly columns: number | undefined;
  /** Terminal width in characters. */
  readonly width: number;
  readonly colors: Colors;
}

type Colors = ReturnType<typeof pc.createColors>;
type Paint = (text: string) => string;

function topicPaint(topic: string, c: Colors): Paint {
  const known: Record<string, Paint> = {
    role: (s) => c.bold(c.magenta(s)),
    term: c.gray,
    vote: c.yellow,
    append: c.cyan,
    commit: c.green,
    apply: c.greenBright,
    start: c.blue,
    snap: c.blueBright,
    config: (s) => c.bold(c.green(s)),
    persist: c.magentaBright,
    test: c.bold,
    fault: (s) => c.bold(c.red(s)),
    error: (s) => c.bold(c.red(s)),
    rpc: c.dim,
    note: c.gray,
  };
  const palette: Paint[] = [c.cyanBright, c.yellowBright, c.white, c.redBright, c.greenBright, c.blueBright];
  let hash = 0;
  for (const ch of topic) hash = (hash * 31 + ch.charCodeAt(0)) | 0;
  return known[topic] ?? palette[Math.abs(hash) % palette.length];
}

/** Keep only `topics` (if given) and drop `ignore`. */
export function filterEntries(
  entries: readonly LogEntry[],
  topics: ReadonlySet<string> | undefined,
  ignore: ReadonlySet<string>,
): LogEntry[] {
  return entries.filter((e) => (topics === undefined || topics.has(e.topic)) && !ignore.has(e.topic));
}

function time(t: number): string {
  return (t / 1000).toFixed(3).padStart(8);
}

/** Split `text` into pieces of at most `width` characters, at spaces where possible. */
export function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let rest = text;
  while (rest.length > width) {
    const space = rest.lastIndexOf(' ', width);
    const cut = space > width / 3 ? space : width;
    out.push(rest.slice(0, cut));
    rest = rest.slice(cut).trimStart();
  }
  out.push(rest);
  return out;
}

function flatLine(e: LogEntry, c: Colors): string {
  const paint = topicPaint(e.topic, c);
  const who = e.server === null ? '  ' : `S${e.server}`;
  return `${c.dim(time(e.t))} ${who} ${paint(e.topic.padEnd(8))} ${e.server === null ? paint(e.msg) : e.msg}`;
}

function columnLines(e: LogEntry, columns: number, width: number, c: Colors): string[] {
  const server = e.server;
  if (server === null || server >= columns) return [flatLine(e, c)];
  const columnWidth = Math.max(12, Math.floor((width - 9) / columns));
  const indent = ' '.repeat(server * columnWidth);
  const paint = topicPaint(e.topic, c);
  return wrap(`${e.topic} ${e.msg}`, columnWidth - 1).map(
    (piece, k) => `${k === 0 ? c.dim(time(e.t)) : ' '.repeat(8)} ${indent}${paint(piece)}`,
  );
}

/** The header of column mode: "S0", "S1", … over their columns. */
function columnHeader(columns: number, width: number, c: Colors): string {
  const columnWidth = Math.max(12, Math.floor((width - 9) / columns));
  const names = Array.from({ length: columns }, (_, s) => `S${s}`.padEnd(columnWidth));
  return c.bold(`${'time'.padStart(8)} ${names.join('')}`.trimEnd());
}

export function renderEntries(entries: readonly LogEntry[], options: RenderOptions): string[] {
  const { columns, width, colors } = options;
  if (columns === undefined) return entries.map((e) => flatLine(e, colors));
  return [
    columnHeader(columns, width, colors),
    ...entries.flatMap((e) => columnLines(e, columns, width, colors)),
  ];
}
