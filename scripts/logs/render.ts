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
  /**
   * Lab 4: the columns as (group, server) — the controllers' servers first, then each replica group's
   * (logColumns); without it, column k is server k.
   */
  readonly layout?: ColumnLayout;
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
  const who = e.server === null ? '  ' : e.group === undefined ? `S${e.server}` : `G${e.group} S${e.server}`;
  return `${c.dim(time(e.t))} ${who} ${paint(e.topic.padEnd(8))} ${e.server === null ? paint(e.msg) : e.msg}`;
}

/** Which column each line goes to, and the columns' names. */
export interface ColumnLayout {
  readonly columnOf: (e: LogEntry) => number | null;
  readonly headers: readonly string[];
}

/**
 * Columns for a log: one per server; when lines name replica groups (Lab 4), one per server of each
 * group, the controllers' (lines without a group) first, each header naming its group ("G101 S2").
 */
export function logColumns(entries: readonly LogEntry[]): ColumnLayout {
  const grouped = entries.some((e) => e.group !== undefined);
  const keys = new Map<string, { group: number; server: number }>();
  for (const e of entries) {
    if (e.server !== null)
      keys.set(`${e.group ?? -1}:${e.server}`, { group: e.group ?? -1, server: e.server });
  }
  if (!grouped) {
    const n = 1 + Math.max(-1, ...entries.map((e) => e.server ?? -1));
    return {
      columnOf: (e) => e.server,
      headers: Array.from({ length: Math.max(1, n) }, (_, s) => `S${s}`),
    };
  }
  const order = [...keys.values()].sort((a, b) => a.group - b.group || a.server - b.server);
  const index = new Map(order.map((k, i) => [`${k.group}:${k.server}`, i]));
  return {
    columnOf: (e) => (e.server === null ? null : (index.get(`${e.group ?? -1}:${e.server}`) ?? null)),
    headers: order.map((k) => (k.group < 0 ? `S${k.server}` : `G${k.group} S${k.server}`)),
  };
}

function columnLines(
  e: LogEntry,
  columns: number,
  width: number,
  c: Colors,
  layout?: ColumnLayout,
): string[] {
  const server = layout === undefined ? e.server : layout.columnOf(e);
  if (server === null || server >= columns) return [flatLine(e, c)];
  const columnWidth = Math.max(12, Math.floor((width - 9) / columns));
  const indent = ' '.repeat(server * columnWidth);
  const paint = topicPaint(e.topic, c);
  return wrap(`${e.topic} ${e.msg}`, columnWidth - 1).map(
    (piece, k) => `${k === 0 ? c.dim(time(e.t)) : ' '.repeat(8)} ${indent}${paint(piece)}`,
  );
}

/** The header of column mode: "S0", "S1", … over their columns. */
function columnHeader(columns: number, width: number, c: Colors, layout?: ColumnLayout): string {
  const columnWidth = Math.max(12, Math.floor((width - 9) / columns));
  const names = Array.from({ length: columns }, (_, s) =>
    (layout?.headers[s] ?? `S${s}`).padEnd(columnWidth),
  );
  return c.bold(`${'time'.padStart(8)} ${names.join('')}`.trimEnd());
}

export function renderEntries(entries: readonly LogEntry[], options: RenderOptions): string[] {
  const { columns, width, colors, layout } = options;
  if (columns === undefined) return entries.map((e) => flatLine(e, colors));
  return [
    columnHeader(columns, width, colors, layout),
    ...entries.flatMap((e) => columnLines(e, columns, width, colors, layout)),
  ];
}
