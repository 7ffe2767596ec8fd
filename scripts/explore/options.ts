/**
 * Explore's command line, checked (commander parses; numbers and kinds are validated here, and a bad
 * one is a CliError: `explore: <what was wrong>`, exit status 2).
 */
import os from 'node:os';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { newSeed } from '../../tests/harness/env';
import { DEFAULT_KNOBS, FAULT_KINDS, type FaultKind, type Knobs } from '../../tests/explore/plan';
import { positiveInt, seed } from '../stress/options';

export interface ExploreOptions {
  readonly pattern: string;
  /** The search's time budget, in real ms. */
  readonly budgetMs: number;
  /** Stop after this many search runs, whatever the time (undefined: only the budget). */
  readonly maxRuns: number | undefined;
  readonly firstSeed: number;
  readonly parallel: number;
  readonly json: string | undefined;
  readonly knobs: Knobs;
  readonly shrink: boolean;
  /** Also run each seed as the stress runner does (no faults), interleaved, and compare the rates. */
  readonly compareStress: boolean;
  readonly tests: readonly string[] | undefined;
  /** Where the scripted tests go (student-local). */
  readonly outDir: string;
  readonly hangMs: number;
  readonly memoryMb: number;
  /** Explore the copy of the project at this folder instead of this checkout (the mutants tool's patched copies). */
  readonly root: string | undefined;
}

function positiveNumber(name: string): (text: string) => number {
  return (text) => {
    const value = Number(text);
    if (!Number.isFinite(value) || value <= 0) {
      throw new InvalidArgumentError(`Expected ${name} to be a number > 0, got \`${text}\`.`);
    }
    return value;
  };
}

function kinds(text: string): FaultKind[] {
  const given = text.split(',').map((k) => k.trim());
  const unknown = given.filter((k) => !(FAULT_KINDS as readonly string[]).includes(k));
  if (unknown.length > 0 || given.length === 0) {
    throw new InvalidArgumentError(
      `Unknown fault kind \`${unknown.join(',')}\`; the kinds are ${FAULT_KINDS.join(', ')}.`,
    );
  }
  return given as FaultKind[];
}

export function exploreCommand(): Command {
  return new Command('explore')
    .description(
      'Search for a failure beyond a test script: run the tests with seeded extra faults, judge each run ' +
        'by the invariant monitor and the tests’ safety checks, and shrink a failure to the few faults that matter.',
    )
    .argument('<pattern>', 'part or title to match, e.g. 2C or "Figure 8" (an exact title selects one test)')
    .option('-m, --minutes <m>', 'search for this long (real minutes)', positiveNumber('--minutes'), 1)
    .option(
      '--runs <n>',
      'stop after this many search runs, even before the time is up',
      positiveInt('--runs'),
    )
    .option('--seed <s>', 'seed of the first run; run k gets seed s+k (default: random)', seed)
    .option('-p, --parallel <p>', 'runs at once (default: the cores)', positiveInt('-p'))
    .option(
      '--json <file>',
      'write the search and its finding (the minimal schedule, the story) to this file',
    )
    .option(
      '--gap <ms>',
      'mean virtual ms between two injected faults',
      positiveNumber('--gap'),
      DEFAULT_KNOBS.meanGapMs,
    )
    .option(
      '--kinds <list>',
      `fault kinds to inject, comma-separated (default: all: ${FAULT_KINDS.join(',')})`,
      kinds,
    )
    .option('--no-shrink', 'report the first failure as found, without shrinking it')
    .option(
      '--compare-stress',
      'also run every seed without faults, as the stress runner does, and compare the rates',
      false,
    )
    .option('--tests <paths...>', 'folders of *.tests.ts modules, or module files (default: tests)')
    .option(
      '--out <dir>',
      'folder for the scripted tests explore writes (student-local)',
      path.join('.lab', 'explore'),
    )
    .option(
      '--hang <seconds>',
      'kill a run after this long without virtual time moving on',
      positiveNumber('--hang'),
      10,
    )
    .option('--root <dir>', 'explore the copy of this project at DIR (npm run mutants -- --explore uses it)')
    .option('--memory <mb>', 'heap cap of each run, in MB', positiveInt('--memory'), 2048)
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
}

interface RawOptions {
  minutes: number;
  runs?: number;
  seed?: number;
  parallel?: number;
  json?: string;
  gap: number;
  kinds?: FaultKind[];
  shrink: boolean;
  compareStress: boolean;
  tests?: string[];
  out: string;
  hang: number;
  memory: number;
  root?: string;
}

export function parseExploreArgs(argv: readonly string[]): ExploreOptions {
  const command = exploreCommand();
  command.parse([...argv], { from: 'user' });
  const raw = command.opts<RawOptions>();
  return {
    pattern: String(command.processedArgs[0]),
    budgetMs: raw.minutes * 60_000,
    maxRuns: raw.runs,
    firstSeed: raw.seed ?? newSeed(),
    parallel: raw.parallel ?? os.availableParallelism(),
    json: raw.json,
    knobs: { ...DEFAULT_KNOBS, meanGapMs: raw.gap, kinds: raw.kinds ?? FAULT_KINDS },
    shrink: raw.shrink,
    compareStress: raw.compareStress,
    tests: raw.tests,
    outDir: raw.out,
    hangMs: raw.hang * 1000,
    memoryMb: raw.memory,
    root: raw.root === undefined ? undefined : path.resolve(raw.root),
  };
}
