/**
 * The grader's command line, checked: commander parses, this module turns strings into values and says
 * plainly what was wrong (a CliError: the entry point prints it and exits 2).
 */
import os from 'node:os';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { DEFAULT_HANG_MS, DEFAULT_MEMORY_MB } from '../../tests/harness/worker';
import { CliError, positiveInt, seed } from '../stress/options';
import { LAB_PARTS, type LabPart } from './owned';
import { isRuleId, RULES, type RuleId } from './policy-rules';
import { DEFAULT_BASE_SEED } from './seeds';

export { CliError };

export const DEFAULT_RUBRIC = path.join(__dirname, 'rubric-6824.yaml');

export interface GradeOptions {
  readonly submissions: readonly string[];
  readonly parts: readonly LabPart[] | undefined;
  readonly runs: number | undefined;
  readonly baseSeed: number;
  readonly out: string;
  readonly parallel: number;
  readonly rubric: string;
  readonly allow: ReadonlySet<RuleId>;
  readonly hangMs: number;
  /** Heap cap of each run's worker, in MB. */
  readonly memoryMb: number;
  /** `--no-sandbox`: run without bubblewrap (sandbox.ts); every result then says it is untrusted. */
  readonly noSandbox: boolean;
  /** Pin each lane's tester and child main threads to a core of the lane's own (`--no-pin`: do not). */
  readonly pin: boolean;
  /** Also write the (single) submission's results.json here (Gradescope's /autograder/results/results.json). */
  readonly resultsFile: string | undefined;
  /** Grade again even when <out> holds a finished grade with the same key. */
  readonly fresh: boolean;
  /** Package the grader as a Gradescope autograder zip instead of grading. */
  readonly autograder: string | undefined;
}

function seconds(text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0)
    throw new InvalidArgumentError(`Expected seconds > 0, got \`${text}\`.`);
  return value;
}

/** `2A,2B`, `2A-2D`, `2A-2D,3A`: parts in lab order, without repeats. */
export function parseParts(text: string): LabPart[] {
  const chosen = new Set<LabPart>();
  const index = (p: string): number => {
    const i = (LAB_PARTS as readonly string[]).indexOf(p.trim().toUpperCase());
    if (i < 0)
      throw new InvalidArgumentError(
        `Expected parts among ${LAB_PARTS.join(', ')} (e.g. 2A,2B or 2A-2D), got \`${text}\`.`,
      );
    return i;
  };
  for (const piece of text.split(',')) {
    const [from, to] = piece.split('-');
    const a = index(from);
    const b = to === undefined ? a : index(to);
    if (b < a)
      throw new InvalidArgumentError(`Expected a range in lab order (e.g. 2A-2D), got \`${piece}\`.`);
    for (let i = a; i <= b; i++) chosen.add(LAB_PARTS[i]);
  }
  return LAB_PARTS.filter((p) => chosen.has(p));
}

function rules(text: string, previous: RuleId[] = []): RuleId[] {
  const out = [...previous];
  for (const piece of text.split(',')) {
    if (!isRuleId(piece)) {
      throw new InvalidArgumentError(
        `Expected a policy rule (${Object.keys(RULES).join(', ')}), got \`${piece}\`.`,
      );
    }
    out.push(piece);
  }
  return out;
}

export function gradeCommand(): Command {
  return new Command('grade')
    .description(
      'Grade submissions (folders, git repositories, .zip or .tar.gz) with the rubric, in isolated runs.',
    )
    .argument('[submissions...]', 'submissions, or a folder of them (batch: writes gradebook.csv)')
    .option(
      '--parts <parts>',
      'parts to grade, e.g. 2A,2B or 2A-2D (default: every part of the rubric)',
      parseParts,
    )
    .option('--runs <n>', "runs per test (default: the rubric's)", positiveInt('--runs'))
    .option(
      '--seed <s>',
      "base seed; each run's seed is derived from it, the submission and the test",
      seed,
      DEFAULT_BASE_SEED,
    )
    .option(
      '--out <dir>',
      'where results go: <out>/<submission>/{results.json,report.md,report.html,grade.json}',
      path.join('out', 'grade'),
    )
    .option('-p, --parallel <p>', 'runs at once (default: the cores)', positiveInt('-p'))
    .option('--rubric <file>', 'rubric, YAML or JSON', DEFAULT_RUBRIC)
    .option('--allow <rules>', 'let a policy rule pass (repeatable, or comma-separated)', rules)
    .option(
      '--hang <seconds>',
      'kill a run after this long without virtual time moving on (npm test uses the same default)',
      seconds,
      DEFAULT_HANG_MS / 1000,
    )
    .option(
      '--memory <mb>',
      "heap cap of each run's worker, in MB (npm test uses the same default)",
      positiveInt('--memory'),
      DEFAULT_MEMORY_MB,
    )
    .option('--no-sandbox', 'run without bubblewrap (results are then marked untrusted)')
    .option(
      '--no-pin',
      "let the OS place each run's two processes (by default each lane's tester and child share a core: faster on a machine the grader has to itself)",
    )
    .option('--results-file <file>', "also write the submission's results.json here (Gradescope)")
    .option('--fresh', 'grade again even when <out> already holds a finished grade with the same key', false)
    .option('--gradescope-autograder <zip>', 'package this grader as a Gradescope autograder zip, and stop')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
}

interface RawOptions {
  parts?: LabPart[];
  runs?: number;
  seed: number;
  out: string;
  parallel?: number;
  rubric: string;
  allow?: RuleId[];
  hang: number;
  memory: number;
  sandbox: boolean;
  pin: boolean;
  resultsFile?: string;
  fresh: boolean;
  gradescopeAutograder?: string;
}

export function parseGradeArgs(argv: readonly string[]): GradeOptions {
  const command = gradeCommand();
  command.parse([...argv], { from: 'user' });
  const raw = command.opts<RawOptions>();
  const submissions = (command.processedArgs[0] as string[] | undefined) ?? [];
  if (raw.gradescopeAutograder === undefined && submissions.length === 0) {
    throw new CliError(
      'Give at least one submission (a folder, git repository, .zip or .tar.gz), or a folder of them.',
    );
  }
  if (raw.resultsFile !== undefined && submissions.length !== 1) {
    throw new CliError("--results-file writes one submission's results.json: give exactly one submission.");
  }
  return {
    submissions,
    parts: raw.parts,
    runs: raw.runs,
    baseSeed: raw.seed,
    out: raw.out,
    parallel: raw.parallel ?? os.availableParallelism(),
    rubric: raw.rubric,
    allow: new Set(raw.allow ?? []),
    hangMs: raw.hang * 1000,
    memoryMb: raw.memory,
    noSandbox: !raw.sandbox,
    pin: raw.pin,
    resultsFile: raw.resultsFile,
    fresh: raw.fresh,
    autograder: raw.gradescopeAutograder,
  };
}
