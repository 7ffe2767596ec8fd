/**
 * The log viewer: `npm run logs -- FILE [-c [N]] [--topics a,b] [--ignore c] [--events] [--no-color]`.
 *
 * FILE is what a failing run saved under .lab/traces/: the debug log (.log) or the whole trace (.jsonl,
 * which adds the test's output, the faults it injected and the final error; with --events also every
 * RPC and apply). Each topic has its colour; `-c` puts each server in its own column (N columns, or as
 * many as the file has servers; in Lab 4 one per server of each group, the controllers first). Exit status 2 on bad input, with what was wrong.
 */
import fs from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import pc from 'picocolors';
import { parseLogFile } from './logs/entries';
import { filterEntries, logColumns, renderEntries } from './logs/render';
import { runTraceTool, TraceFileError } from './viz/trace-file';

interface LogsOptions {
  columns?: number | true;
  topics?: string;
  ignore?: string;
  events: boolean;
  color: boolean;
}

function columns(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError(`Expected -c to be a positive number of columns, got \`${text}\`.`);
  }
  return n;
}

function topicSet(text: string | undefined): Set<string> | undefined {
  return text === undefined
    ? undefined
    : new Set(
        text
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean),
      );
}

function logsCommand(): Command {
  return new Command('logs')
    .description(
      'Pretty-print a saved debug log (.log) or trace (.jsonl): colour per topic, a column per server.',
    )
    .argument('<file>', 'a .log or .jsonl file, e.g. .lab/traces/2A-initial-election-seed7.log')
    .option('-c, --columns [n]', 'one column per server (default: as many as there are servers)', columns)
    .option('--topics <a,b>', 'show only these topics (e.g. role,vote)')
    .option('--ignore <a,b>', 'hide these topics (e.g. term,rpc)')
    .option('--events', 'from a .jsonl trace, also show every RPC and apply', false)
    .option('--no-color', 'plain text')
    .exitOverride();
}

export function main(argv: readonly string[]): number {
  const command = logsCommand();
  command.parse([...argv], { from: 'user' });
  const options = command.opts<LogsOptions>();
  const file = String(command.processedArgs[0]);
  if (!fs.existsSync(file))
    throw new TraceFileError(`${file}: no such file (failing runs save logs under .lab/traces/)`);
  const all = parseLogFile(fs.readFileSync(file, 'utf8'), file, options.events);
  const entries = filterEntries(all, topicSet(options.topics), topicSet(options.ignore) ?? new Set());
  const layout = logColumns(all); // Lab 4: a column per server of each group, the controllers first
  const lines = renderEntries(entries, {
    columns: options.columns === true ? layout.headers.length : options.columns,
    layout,
    width: process.stdout.columns ?? 160,
    colors: pc.createColors(options.color && pc.isColorSupported),
  });
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}

if (require.main === module) runTraceTool('logs', main);
