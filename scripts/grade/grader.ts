/**
 * Grading, start to end: read the rubric, expand the submissions (a folder of them is a batch), and for
 * each one read it (intake), check its policy, build its workspace and bundle its tests; then run every
 * (submission, test, seed) in a pool of `-p` workers shared by all submissions, and as each submission's
 * last run comes back, score it and write its outputs (and the gradebook so far). A submission whose
 * finished grade in <out> has the same key (grader version, rubric, seeds, runs, parts, allowed rules,
 * owned files) is not graded again: an interrupted batch resumes where it stopped.
 */
import { closeBoundaryTesters } from './boundary-run';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SubmissionError } from './archive';
import { testHomes, type TestHome } from './catalog';
import { WorkspaceRunner, type RunVerdict } from './execute';
import { submissionKind, takeSubmission, type Intake } from './intake';
import type { GradeOptions } from './options';
import { readGrade, writeGradebook, writeSubmission } from './outputs';
import { OWNED_FOLDERS, type LabPart } from './owned';
import { checkPolicy, formatViolation, type Violation } from './policy';
import { checkAgainst, loadRubric, selectParts, type Rubric, type RubricTest } from './rubric';
import { gradeTest, sameKey, summarize, type GradeKey, type SubmissionGrade } from './score';
import { detectSandbox, type Sandbox } from './sandbox';
import { runSeed } from './seeds';
import { frameworkFingerprint, makeWorkspace, type Workspace } from './workspace';

export const GRADER_ROOT = path.resolve(__dirname, '..', '..');

export interface GradeEvents {
  /** A submission's runs were planned (0 when it needs none). */
  planned(submission: string, runs: number): void;
  run(submission: string, verdict: RunVerdict): void;
  done(grade: SubmissionGrade, resumed: boolean): void;
}

export interface GradeSummary {
  readonly grades: readonly SubmissionGrade[];
  readonly gradebook: string | undefined;
  readonly rubric: Rubric;
  /** How runs were confined (sandbox.ts). */
  readonly sandbox: Sandbox;
}

function isProject(dir: string): boolean {
  return OWNED_FOLDERS.some((f) => fs.existsSync(path.join(dir, f)));
}

/** The submissions an argument stands for: itself, or (a folder of submissions) each entry of it. */
export function expandSubmissions(args: readonly string[]): { sources: string[]; batch: boolean } {
  const sources: string[] = [];
  let batch = args.length > 1;
  for (const arg of args) {
    const kind = submissionKind(arg);
    if (kind === undefined)
      throw new SubmissionError(`${arg}: not a folder, git repository, .zip or .tar.gz`);
    if (kind !== 'folder' || isProject(arg)) {
      sources.push(arg);
      continue;
    }
    const children = fs
      .readdirSync(arg, { withFileTypes: true })
      .filter((d) => !d.name.startsWith('.') && !d.name.startsWith('__MACOSX'))
      .map((d) => path.join(arg, d.name))
      .filter((p) => submissionKind(p) !== undefined)
      .sort();
    const projects = children.filter((c) => fs.statSync(c).isDirectory() && isProject(c));
    if (children.length === 1 && projects.length === 1) {
      sources.push(arg); // one project, one folder deep: intake finds it
    } else if (children.length > 0) {
      sources.push(...children);
      batch = true;
    } else {
      throw new SubmissionError(
        `${arg}: holds no raft/ or kvraft/ folder and no submissions (.zip, .tar.gz, folders)`,
      );
    }
  }
  return { sources, batch };
}

/** Unique output names: `alice`, `alice-2`, … */
function uniqueNames(sources: readonly string[], nameOf: (s: string) => string): string[] {
  const seen = new Map<string, number>();
  return sources.map((s) => {
    const base = nameOf(s).replace(/[^\w.@+-]+/g, '_') || 'submission';
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base}-${n}`;
  });
}

interface Job {
  readonly sub: Prepared;
  readonly test: RubricTest;
  readonly k: number;
  readonly seed: number;
}

interface Prepared {
  readonly name: string;
  readonly dir: string;
  readonly intake: Intake;
  readonly key: GradeKey;
  readonly violations: readonly Violation[];
  readonly blocked: ReadonlySet<LabPart>;
  readonly runner: WorkspaceRunner;
  readonly workspace: Workspace;
  readonly verdicts: Map<string, RunVerdict[]>;
  readonly started: number;
  remaining: number;
}

export async function gradeSubmissions(options: GradeOptions, events: GradeEvents): Promise<GradeSummary> {
  try {
    return await gradeAll(options, events);
  } finally {
    closeBoundaryTesters(); // the tester processes kept for the next run: there is none
  }
}

async function gradeAll(options: GradeOptions, events: GradeEvents): Promise<GradeSummary> {
  const rubric = loadRubric(options.rubric);
  const selected = selectParts(rubric, options.parts);
  const parts = [...new Set(selected.map((t) => t.part))];
  const homes = testHomes(GRADER_ROOT, parts);
  if (homes === undefined) {
    throw new SubmissionError(
      `${GRADER_ROOT}: no reference raft/ and kvraft/ to find the tests with, and no test catalogue`,
    );
  }
  checkAgainst({ ...rubric, tests: selected }, [...homes.values()]);
  // A test the rubric gives 0 points cannot change a score: it is skipped, not run.
  const tests = selected.filter((t) => t.points > 0);
  const runs = options.runs ?? rubric.runs;
  const pkg = JSON.parse(fs.readFileSync(path.join(GRADER_ROOT, 'package.json'), 'utf8')) as {
    version: string;
  };
  const graderVersion = `${pkg.version}+${frameworkFingerprint(GRADER_ROOT).slice(0, 12)}`;
  const { sources, batch } = expandSubmissions(options.submissions);
  const names = uniqueNames(sources, (s) =>
    path.basename(path.resolve(s)).replace(/\.(zip|tar\.gz|tgz|tar)$/i, ''),
  );
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'grade-'));
  // Runs (as another user, sandbox.ts) must reach their own workspace and scratch folder by path, but not
  // list this folder: they see only what the sandbox binds anyway.
  fs.chmodSync(tmp, 0o711);
  const scratchDir = path.join(tmp, 'scratch');
  fs.mkdirSync(scratchDir, { mode: 0o711 });
  // Runs read the packages through each workspace's node_modules link: the sandbox must let them.
  const packages = fs.realpathSync(path.join(GRADER_ROOT, 'node_modules'));
  const sandbox = detectSandbox(tmp, options.noSandbox, [packages]);
  const grades: SubmissionGrade[] = [];
  const baseKey = (contentHash: string): GradeKey => ({
    graderVersion,
    rubricHash: rubric.hash,
    baseSeed: options.baseSeed,
    runs,
    parts,
    allow: [...options.allow].sort(),
    contentHash,
    sandbox: sandbox.kind,
  });

  const finish = (grade: SubmissionGrade, dir: string, resumed: boolean): void => {
    if (!resumed) writeSubmission(dir, grade, options.resultsFile);
    else if (options.resultsFile !== undefined) writeSubmission(dir, grade, options.resultsFile);
    grades.push(grade);
    if (batch) writeGradebook(options.out, grades);
    events.done(grade, resumed);
  };

  const pending: Job[] = [];

  /** A submission that cannot be graded at all still gets its outputs: every test 0, and why. */
  const unreadable = (source: string, name: string, started: number, error: unknown): void => {
    const message =
      error instanceof SubmissionError
        ? error.message
        : `internal grader error: ${(error as Error).stack ?? String(error)}`;
    const grade = summarize(
      baseKey(''),
      rubric.name,
      { name, source: path.resolve(source) },
      {
        error: message,
        violations: [],
        tests: tests.map((t) =>
          gradeTest(t, [], `the submission could not be graded: ${message.split('\n')[0]}`),
        ),
        wallSeconds: (performance.now() - started) / 1000,
        isolation: sandbox.description,
      },
    );
    events.planned(name, 0);
    finish(grade, path.join(options.out, name), false);
  };

  const prepareOne = async (source: string, name: string): Promise<void> => {
    const started = performance.now();
    try {
      await prepareSubmission(source, name, started);
    } catch (error) {
      unreadable(source, name, started, error);
    }
  };

  const prepareSubmission = async (source: string, name: string, started: number): Promise<void> => {
    const dir = path.join(options.out, name);
    const intake = { ...(await takeSubmission(source)), name }; // the unique name of its output folder
    const key = baseKey(intake.contentHash);
    const previous = options.fresh ? undefined : readGrade(dir);
    if (previous !== undefined && sameKey(previous.key, key)) {
      events.planned(name, 0);
      return finish(previous, dir, true);
    }
    fs.rmSync(path.join(dir, 'traces'), { recursive: true, force: true });
    const policy = checkPolicy(intake.files, options.allow);
    const toRun = tests.filter((t) => !policy.blockedParts.has(t.part));
    const workspace = makeWorkspace(GRADER_ROOT, intake.files, tmp);
    const runner = new WorkspaceRunner(workspace, {
      hangMs: options.hangMs,
      memoryMb: options.memoryMb,
      traceDir: path.join(path.resolve(dir), 'traces'),
      sandbox,
      scratchDir,
      pin: options.pin,
    });
    const sub: Prepared = {
      name,
      dir,
      intake,
      key,
      violations: policy.violations,
      blocked: policy.blockedParts,
      runner,
      workspace,
      verdicts: new Map(toRun.map((t) => [t.name, []])),
      started,
      remaining: toRun.length * runs,
    };
    events.planned(name, sub.remaining);
    if (sub.remaining === 0) return complete(sub);
    for (let k = 0; k < runs; k++) {
      for (const test of toRun)
        pending.push({ sub, test, k, seed: runSeed(options.baseSeed, intake.contentHash, test.name, k) });
    }
  };

  const complete = (sub: Prepared): void => {
    sub.workspace.remove();
    const graded = tests.map((t) => {
      if (!sub.blocked.has(t.part)) return gradeTest(t, sub.verdicts.get(t.name) ?? []);
      const v = sub.violations.find((x) => !x.allowed && x.parts.includes(t.part));
      return gradeTest(t, [], `policy violation: ${v === undefined ? '?' : formatViolation(v)}`);
    });
    const grade = summarize(sub.key, rubric.name, sub.intake, {
      violations: sub.violations,
      tests: graded,
      wallSeconds: (performance.now() - sub.started) / 1000,
      isolation: sandbox.description,
    });
    finish(grade, sub.dir, false);
  };

  let nextSource = 0;
  let preparing: Promise<void> | undefined;
  const take = async (): Promise<Job | undefined> => {
    for (;;) {
      const job = pending.shift();
      if (job !== undefined) return job;
      if (preparing !== undefined) {
        await preparing;
        continue;
      }
      if (nextSource >= sources.length) return undefined;
      const i = nextSource++;
      preparing = prepareOne(sources[i], names[i]).finally(() => (preparing = undefined));
    }
  };
  const lane = async (): Promise<void> => {
    for (let job = await take(); job !== undefined; job = await take()) {
      const verdict = await job.sub.runner.run(homes.get(job.test.name) as TestHome, job.seed);
      const list = job.sub.verdicts.get(job.test.name) as RunVerdict[];
      list[job.k] = verdict;
      events.run(job.sub.name, verdict);
      if (--job.sub.remaining === 0) complete(job.sub);
    }
  };
  const cleanup = (): void => fs.rmSync(tmp, { recursive: true, force: true });
  process.once('exit', cleanup);
  try {
    await Promise.all(Array.from({ length: Math.max(1, options.parallel) }, lane));
  } finally {
    cleanup();
    process.removeListener('exit', cleanup);
  }
  const gradebook = batch ? writeGradebook(options.out, grades) : undefined;
  return { grades, gradebook, rubric, sandbox };
}
