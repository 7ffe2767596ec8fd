/**
 * The stress runner's command line, checked: commander parses, this module turns the strings into
 * numbers and says plainly what was wrong (a CliError, which the entry point prints and exits 2 on).
 */
import os from 'node:os';
import path from 'node:path';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { newSeed } from '../../tests/harness/env';

/** Bad command-line input: the message says what was expected and what was given. */
export class CliError extends Error {
  override name = 'CliError';
}

type ErrorClass = abstract new (...args: never[]) => Error;

/**
 * Run a tool's `main` as the process's entry point: its result is the exit code; a bad command line or an
 * input error of one of `inputErrors` (besides CliError) prints `<tool>: message` and exits 2; commander's
 * own errors exit 2 (it has already printed them; --help exits 0); anything else is a bug and is thrown.
 */
export function runCli(
  tool: string,
  main: (argv: string[]) => Promise<number>,
  inputErrors: readonly ErrorClass[] = [],
): void {
  main(process.argv.slice(2)).then(
    (code) => exitWhenFlushed(code),
    (error: unknown) => {
      if (error instanceof CommanderError) {
        exitWhenFlushed(error.exitCode === 0 ? 0 : 2); // commander already printed the message
      } else if (error instanceof CliError || inputErrors.some((kind) => error instanceof kind)) {
        process.stderr.write(`${tool}: ${(error as Error).message}\n`);
        exitWhenFlushed(2);
      } else {
        throw error;
      }
    },
  );
}

/**
 * End the process once what was printed is out. The tool's work is done when `main` settles; anything
 * still holding the event loop then was left by code the tool only loaded (a student's module, imported
 * to learn the test titles, may start a real setInterval at load) and must not keep the tool running.
 */
function exitWhenFlushed(code: number): void {
  process.exitCode = code;
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

export interface Shard {
  /** 1-based. */
  readonly index: number;
  readonly count: number;
}

export interface StressOptions {
  readonly pattern: string;
  readonly runs: number;
  readonly parallel: number;
  readonly firstSeed: number;
  readonly shard: Shard | undefined;
  readonly json: string | undefined;
  readonly realtime: boolean;
  readonly checkDeterminism: boolean;
  /** Where to look for tests; undefined = the default (tests/). */
  readonly tests: readonly string[] | undefined;
  readonly hangMs: number;
  /** Heap cap of each run's worker, in MB. */
  readonly memoryMb: number;
  readonly traceDir: string;
  readonly keepTraces: boolean;
}

/** A commander parser for a positive integer option; `name` appears in the error. */
export function positiveInt(name: string): (text: string) => number {
  return (text) => {
    const value = Number(text);
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new InvalidArgumentError(`Expected ${name} to be a positive integer, got \`${text}\`.`);
    }
    return value;
  };
}

/** A commander parser for a seed (a non-negative integer). */
export function seed(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new InvalidArgumentError(`Expected a non-negative integer seed, got \`${text}\`.`);
  }
  return value;
}

function seconds(text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) {
    throw new InvalidArgumentError(`Expected a number of seconds > 0, got \`${text}\`.`);
  }
  return value;
}

export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (match === null || count < 1 || index < 1 || index > count) {
    throw new InvalidArgumentError(`Expected --shard i/n with 1 <= i <= n (e.g. 2/4), got \`${text}\`.`);
  }
  return { index, count };
}

export function stressCommand(): Command {
  return new Command('stress')
    .description('Run lab tests many times with different seeds, in parallel, and report every failure.')
    .argument(
      '[pattern]',
      'part or title to match, e.g. 2C or "Figure 8" (an exact title selects one test)',
      '',
    )
    .option('-n, --runs <n>', 'runs per test', positiveInt('-n'), 10)
    .option('-p, --parallel <p>', 'runs at once (default: the cores)', positiveInt('-p'))
    .option('--seed <s>', 'seed of the first run; run k gets seed s+k (default: random)', seed)
    .option('--shard <i/n>', "run only the i-th of n slices of the runs (a CI matrix's share)", parseShard)
    .option('--json <file>', 'write every run (test, seed, passed, error, times, trace hash) to this file')
    .option('--realtime', 'run on real timers (slow, not replayable)', false)
    .option('--check-determinism', 'run each seed twice; fail when the trace hashes differ', false)
    .option('--tests <paths...>', 'folders of *.tests.ts modules, or module files (default: tests)')
    .option('--hang <seconds>', 'kill a run after this long without virtual time moving on', seconds, 10)
    .option(
      '--memory <mb>',
      'heap cap of each run, in MB (past it the run fails: out of memory)',
      positiveInt('--memory'),
      2048,
    )
    .option('--out <dir>', 'folder for traces and logs of failing runs', path.join('.lab', 'traces'))
    .option('--keep-traces', 'save traces of passing runs too', false)
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
}

interface RawOptions {
  runs: number;
  parallel?: number;
  seed?: number;
  shard?: Shard;
  json?: string;
  realtime: boolean;
  checkDeterminism: boolean;
  tests?: string[];
  hang: number;
  memory: number;
  out: string;
  keepTraces: boolean;
}

export function parseStressArgs(argv: readonly string[]): StressOptions {
  const command = stressCommand();
  command.parse([...argv], { from: 'user' });
  const raw = command.opts<RawOptions>();
  if (raw.realtime && raw.checkDeterminism) {
    throw new CliError(
      '--realtime runs are not replayable, so --check-determinism cannot be used with them.',
    );
  }
  return {
    pattern: String(command.processedArgs[0] ?? ''),
    runs: raw.runs,
    parallel: raw.parallel ?? os.availableParallelism(),
    firstSeed: raw.seed ?? newSeed(),
    shard: raw.shard,
    json: raw.json,
    realtime: raw.realtime,
    checkDeterminism: raw.checkDeterminism,
    tests: raw.tests,
    hangMs: raw.hang * 1000,
    memoryMb: raw.memory,
    traceDir: raw.out,
    keepTraces: raw.keepTraces,
  };
}
