/**
 * check-history: judge one recorded history with the linearizability checker, and optionally draw it.
 *
 *   npm run check-history -- <file> [--model kv|register] [--format jepsen|kv-edn|json]
 *                                   [--html out/history.html] [--timeout 10000]
 *
 * Formats: Jepsen etcd logs (register model), 6.824 kv EDN logs (kv model), and raftlab's JSON:
 *   { "model": "kv" | "register",
 *     "operations": [{ "clientId", "input", "output", "call", "return" }]  or  "events": [...],
 *     "annotations": [{ "start", "end"?, "label", "kind"? }] }
 * (see tests/linearizability/parsers/json.ts for the input/output shapes of each model).
 * Exit codes: 0 linearizable, 1 not linearizable, 2 undecided (timeout) or an error.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { basename } from 'node:path';
import { checkLoadedHistory, loadHistoryFile, type HistoryFileFormat } from '../tests/linearizability';

const EXIT = { ok: 0, illegal: 1, unknown: 2 } as const;

function parseTimeout(value: string): number {
  const ms = Number(value);
  if (!Number.isFinite(ms) || ms < 0)
    throw new InvalidArgumentError(`expected milliseconds >= 0 (0 = no limit), got "${value}"`);
  return ms;
}

interface CliOptions {
  readonly model?: 'kv' | 'register';
  readonly format?: HistoryFileFormat;
  readonly html?: string;
  readonly timeout: number;
}

function run(file: string, options: CliOptions): number {
  const history = loadHistoryFile(file, options.format, options.model);
  if (options.model && history.model !== options.model) {
    throw new Error(
      `${basename(file)} is a ${history.model} history (${history.format} format), not ${options.model}; drop --model or pick the right file`,
    );
  }
  const started = performance.now();
  const checked = checkLoadedHistory(history, {
    timeoutMs: options.timeout,
    verbose: options.html !== undefined,
  });
  const elapsed = performance.now() - started;
  console.log(
    `${checked.result}: ${file} (${history.model} model, ${checked.operationCount} operations, checked in ${elapsed.toFixed(1)} ms)`,
  );
  if (checked.result === 'unknown')
    console.log(`  the check ran out of time after ${options.timeout} ms; try a larger --timeout`);
  if (options.html) {
    checked.writeHtml(options.html);
    console.log(`  timeline written to ${options.html}`);
  }
  return EXIT[checked.result];
}

const program = new Command()
  .name('check-history')
  .description('Check a recorded history for linearizability (exit 0 ok, 1 illegal, 2 unknown or error).')
  .argument('<file>', 'history file: Jepsen etcd log, 6.824 kv EDN log, or raftlab JSON')
  .addOption(
    new Option('--model <model>', 'model to check against (default: from the file)').choices([
      'kv',
      'register',
    ]),
  )
  .addOption(
    new Option('--format <format>', 'file format (default: detected)').choices(['jepsen', 'kv-edn', 'json']),
  )
  .option('--html <path>', 'write the HTML timeline of the checked history to this path')
  .option(
    '--timeout <ms>',
    'give up after this many milliseconds and answer unknown (0 = no limit)',
    parseTimeout,
    10_000,
  )
  .action((file: string, options: CliOptions) => {
    process.exitCode = run(file, options);
  })
  // Commander exits with 1 on a usage error, which here would read as "illegal": take over its exits.
  .exitOverride();

try {
  program.parse();
} catch (error) {
  if (error instanceof CommanderError) {
    // Commander has printed its own message (or the help text) already.
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  } else {
    console.error(
      `check-history: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
    );
    process.exitCode = 2;
  }
}
