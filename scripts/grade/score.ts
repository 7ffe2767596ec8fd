/**
 * A submission's grade: per test, its runs and the credit the rubric gives for them; per part and in
 * total, the sums. This is what grade.json holds and every other output (results.json, the reports,
 * the gradebook row) is drawn from.
 */
import type { RunVerdict } from './execute';
import type { Intake, SubmissionKind } from './intake';
import type { LabPart } from './owned';
import type { Violation } from './policy';
import type { Credit, RubricTest, Visibility } from './rubric';

export interface TestGrade {
  readonly name: string;
  readonly part: LabPart;
  readonly maxScore: number;
  readonly score: number;
  readonly credit: Credit;
  readonly visibility: Visibility;
  readonly passedRuns: number;
  readonly runs: readonly RunVerdict[];
  /** Why the test did not run at all (a policy violation, a submission that could not be read). */
  readonly notRun?: string;
}

/** What makes two grades of the same submission comparable: resume skips a submission whose key matches. */
export interface GradeKey {
  readonly graderVersion: string;
  readonly rubricHash: string;
  readonly baseSeed: number;
  readonly runs: number;
  readonly parts: readonly LabPart[];
  readonly allow: readonly string[];
  readonly contentHash: string;
  /** Whether runs were sandboxed (sandbox.ts): a grade made without it is not resumed as one made with it. */
  readonly sandbox: 'bwrap' | 'none';
}

export interface SubmissionGrade {
  readonly key: GradeKey;
  readonly submission: {
    readonly name: string;
    readonly source: string;
    readonly kind: SubmissionKind | 'unknown';
    readonly files: readonly string[];
    readonly notes: readonly string[];
    readonly ignored: readonly string[];
    readonly ignoredCount: number;
    readonly rejected: ReadonlyArray<{ path: string; reason: string }>;
  };
  readonly rubricName: string;
  /** The submission could not be graded at all (unreadable archive, no raft/ folder). */
  readonly error?: string;
  readonly violations: readonly Violation[];
  readonly tests: readonly TestGrade[];
  readonly score: number;
  readonly maxScore: number;
  readonly byPart: Readonly<Partial<Record<LabPart, { score: number; maxScore: number }>>>;
  readonly wallSeconds: number;
  /** How the runs were confined (sandbox.ts): "sandboxed by bubblewrap …", or "NOT SANDBOXED (why) …". */
  readonly isolation: string;
}

const IGNORED_SHOWN = 50;

/** The credit for one test's runs under its rubric entry (rounded to 1/100 of a point). */
export function testScore(test: RubricTest, passedRuns: number, totalRuns: number): number {
  if (totalRuns === 0) return 0;
  const fraction = test.credit === 'all-runs' ? (passedRuns === totalRuns ? 1 : 0) : passedRuns / totalRuns;
  return Math.round(test.points * fraction * 100) / 100;
}

export function gradeTest(test: RubricTest, runs: readonly RunVerdict[], notRun?: string): TestGrade {
  const passedRuns = runs.filter((r) => r.kind === 'pass').length;
  return {
    name: test.name,
    part: test.part,
    maxScore: test.points,
    score: notRun === undefined ? testScore(test, passedRuns, runs.length) : 0,
    credit: test.credit,
    visibility: test.visibility,
    passedRuns,
    runs,
    notRun,
  };
}

export function summarize(
  key: GradeKey,
  rubricName: string,
  intake: Intake | { name: string; source: string },
  parts: {
    error?: string;
    violations: readonly Violation[];
    tests: readonly TestGrade[];
    wallSeconds: number;
    isolation: string;
  },
): SubmissionGrade {
  const byPart: Partial<Record<LabPart, { score: number; maxScore: number }>> = {};
  for (const t of parts.tests) {
    const row = (byPart[t.part] ??= { score: 0, maxScore: 0 });
    row.score = Math.round((row.score + t.score) * 100) / 100;
    row.maxScore += t.maxScore;
  }
  const full = 'files' in intake ? intake : undefined;
  return {
    key,
    submission: {
      name: intake.name,
      source: intake.source,
      kind: full?.kind ?? 'unknown',
      files: full === undefined ? [] : [...full.files.keys()].sort(),
      notes: full?.notes ?? [],
      ignored: full?.ignored.slice(0, IGNORED_SHOWN) ?? [],
      ignoredCount: full?.ignored.length ?? 0,
      rejected: full?.rejected ?? [],
    },
    rubricName,
    error: parts.error,
    violations: parts.violations,
    tests: parts.tests,
    score: Math.round(parts.tests.reduce((sum, t) => sum + t.score, 0) * 100) / 100,
    maxScore: parts.tests.reduce((sum, t) => sum + t.maxScore, 0),
    byPart,
    wallSeconds: parts.wallSeconds,
    isolation: parts.isolation,
  };
}

export function sameKey(a: GradeKey, b: GradeKey): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
