/**
 * Gradescope's results.json, from a SubmissionGrade: one entry per rubric test (score, max_score,
 * status, visibility, and an output that lists each failing run's seed, its first error line and the
 * command that replays it in the student's own checkout), plus a top-level output with what the student
 * should know about the submission itself: what was graded, what was ignored, any policy violation.
 * Format: https://gradescope-autograders.readthedocs.io/en/latest/specs/
 */
import { formatViolation } from './policy';
import type { SubmissionGrade, TestGrade } from './score';

export interface GradescopeTest {
  name: string;
  number: string;
  score: number;
  max_score: number;
  status: 'passed' | 'failed';
  output: string;
  visibility: string;
  tags: string[];
}

export interface GradescopeResults {
  score: number;
  execution_time: number;
  output: string;
  output_format: 'md';
  test_output_format: 'text';
  visibility: 'visible';
  stdout_visibility: 'hidden';
  tests: GradescopeTest[];
}

const SHOWN_FAILURES = 5;

/** The first line of an error, without the harness's own "Name: " prefix doubled. */
export function headline(error: string | undefined): string {
  return (error ?? 'failed').split('\n')[0];
}

export function testOutput(t: TestGrade): string {
  if (t.notRun !== undefined) return `Not run: ${t.notRun}`;
  const total = t.runs.length;
  const lines = [`Passed ${t.passedRuns} of ${total} run${total === 1 ? '' : 's'} (credit: ${t.credit}).`];
  const failing = t.runs.filter((r) => r.kind !== 'pass');
  if (failing.length === 0) {
    lines.push(`Seeds: ${t.runs.map((r) => r.seed).join(', ')}`);
    return lines.join('\n');
  }
  lines.push('', 'Failing runs (replay each in your own checkout):');
  for (const r of failing.slice(0, SHOWN_FAILURES)) {
    lines.push(`- seed ${r.seed}: ${headline(r.error)}`, `  replay: ${r.replay}`);
  }
  if (failing.length > SHOWN_FAILURES)
    lines.push(`… and ${failing.length - SHOWN_FAILURES} more failing runs.`);
  return lines.join('\n');
}

/** Text from a submission (file names, notes, error messages) as literal Markdown: no links, no markup. */
export function mdText(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, '\\$&');
}

/** A run of backticks, at least `min` long, that no backtick run inside `text` can close. */
function fenceFor(text: string, min: number): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  return '`'.repeat(Math.max(min, longest + 1));
}

/** Text as one Markdown code span, with a fence no backtick run inside can close. */
export function mdCode(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  const fence = fenceFor(flat, 1);
  return `${fence} ${flat} ${fence}`;
}

/** A fenced Markdown block around `text`, with a fence no backtick run inside can close. */
export function mdBlock(text: string): string[] {
  const fence = fenceFor(text, 3);
  return [fence, text, fence];
}

/**
 * What the student should know about the submission itself, as Markdown. Everything that comes from the
 * submission (its file names, notes, violations) is escaped: `plain` gives the same lines unescaped, for a
 * caller that escapes for another format (report.ts's HTML).
 */
export function submissionOutput(g: SubmissionGrade, plain = false): string {
  const text = plain ? (s: string): string => s : mdText;
  const code = plain ? (s: string): string => s : mdCode;
  const lines = [`**${g.score} / ${g.maxScore}** (${text(g.rubricName)})`, ''];
  if (g.error !== undefined) lines.push(`**The submission could not be graded:** ${text(g.error)}`, '');
  if (g.key.sandbox !== 'bwrap') lines.push(`**Untrusted grade:** ${text(g.isolation)}`, '');
  for (const note of g.submission.notes) lines.push(`- ${text(note)}`);
  if (g.submission.files.length > 0) lines.push(`- graded files: ${text(g.submission.files.join(', '))}`);
  if (g.submission.ignoredCount > 0) {
    const shown = g.submission.ignored.slice(0, 10).join(', ');
    const more = g.submission.ignoredCount > 10 ? `, … (${g.submission.ignoredCount} in all)` : '';
    lines.push(`- ignored (only raft/ and kvraft/ .ts files are graded): ${text(shown + more)}`);
  }
  for (const r of g.submission.rejected) lines.push(`- rejected: ${text(r.path)} (${text(r.reason)})`);
  const enforced = g.violations.filter((v) => !v.allowed);
  if (g.violations.length > 0) {
    lines.push(
      '',
      enforced.length > 0 ? '**Policy violations** (the parts they affect score 0):' : 'Policy notes:',
    );
    for (const v of g.violations) lines.push(`- ${code(formatViolation(v))}`);
  }
  return lines.join('\n');
}

export function gradescopeResults(g: SubmissionGrade): GradescopeResults {
  return {
    score: g.score,
    execution_time: Math.round(g.wallSeconds),
    output: submissionOutput(g),
    output_format: 'md',
    test_output_format: 'text',
    visibility: 'visible',
    stdout_visibility: 'hidden',
    tests: g.tests.map((t) => ({
      name: t.name,
      number: `${t.part}.${g.tests.filter((u) => u.part === t.part).indexOf(t) + 1}`,
      score: t.score,
      max_score: t.maxScore,
      status:
        t.score === t.maxScore && t.notRun === undefined && t.passedRuns === t.runs.length
          ? 'passed'
          : 'failed',
      output: testOutput(t),
      visibility: t.visibility,
      tags: [t.part],
    })),
  };
}
