/**
 * The trace timeline: `npm run viz -- TRACE [--out FILE] [--history FILE]`.
 *
 * Reads a saved trace (.jsonl under .lab/traces/) and writes a self-contained HTML page (default: the
 * trace's name with .html, under out/viz/) with one lane per server — role and term over virtual time,
 * crashed and disconnected stretches shaded, applied index — RPCs as arrows (delivered, lost, late),
 * and each event's details on click or with the arrow keys. If a linearizability page for the same run
 * exists (given with --history, or found beside the trace as <name>.history.html), the header links to
 * it; that page can link back with <timeline>.html#t=<ms>. Exit status 2 on bad input.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { buildVizData } from './viz/model';
import { renderPage } from './viz/page';
import { readTraceFile, runTraceTool, TraceFileError } from './viz/trace-file';

interface VizCliOptions {
  out?: string;
  history?: string;
}

/** The page's default place: out/viz/<trace name>.html. */
export function defaultOut(trace: string): string {
  return path.join('out', 'viz', `${path.basename(trace, '.jsonl')}.html`);
}

/** A linearizability page for the same run: given, or <trace name>.history.html beside the trace. */
function findHistory(trace: string, given: string | undefined, out: string): string | null {
  const candidate = given ?? trace.replace(/\.jsonl$/, '.history.html');
  if (!fs.existsSync(candidate)) {
    if (given !== undefined) throw new TraceFileError(`--history: ${given}: no such file`);
    return null;
  }
  return path.relative(path.dirname(path.resolve(out)), path.resolve(candidate));
}

/** Write the page for `trace` to `out`; returns the page's path. */
export function writeTimeline(trace: string, out = defaultOut(trace), history?: string): string {
  const data = buildVizData(readTraceFile(trace), { history: findHistory(trace, history, out) });
  if (data.servers.length === 0) {
    throw new TraceFileError(
      `${trace}: no events with numbered servers — is this a Raft or KV test's trace?`,
    );
  }
  fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  fs.writeFileSync(out, renderPage(data));
  return out;
}

function atSeconds(text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0) {
    throw new InvalidArgumentError(`Expected --at to be a virtual time in seconds (>= 0), got \`${text}\`.`);
  }
  return value;
}

export function main(argv: readonly string[]): number {
  const command = new Command('viz')
    .description('Draw a saved trace as a timeline in a self-contained HTML page.')
    .argument('<trace>', 'a .jsonl trace, e.g. .lab/traces/2C-Figure-8-unreliable-seed42.jsonl')
    .option('--out <file>', 'where to write the page (default: out/viz/<trace name>.html)')
    .option('--history <file>', 'a linearizability page of the same run to link to')
    .option(
      '--at <seconds>',
      'open the page at this virtual time (explore prints it for a violation)',
      atSeconds,
    )
    .exitOverride();
  command.parse([...argv], { from: 'user' });
  const options = command.opts<VizCliOptions & { at?: number }>();
  const out = writeTimeline(String(command.processedArgs[0]), options.out, options.history);
  // The page reads #t=<ms> and selects the first event at or after it (page-main.js, fromHash).
  const at = options.at === undefined ? '' : `#t=${Math.round(options.at * 1000)}`;
  process.stdout.write(`wrote ${out} — open it in a browser (file://${path.resolve(out)}${at})\n`);
  return 0;
}

if (require.main === module) runTraceTool('viz', main);
