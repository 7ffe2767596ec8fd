/**
 * The grader: `npm run grade -- SUBMISSION… [--parts 2A,2B] [--runs N] [--seed S] [--out DIR] [-p P]
 * [--rubric FILE] [--allow RULE] [--hang SECONDS] [--results-file FILE] [--fresh]`, or
 * `npm run grade -- --gradescope-autograder out/autograder.zip`.
 *
 * Each submission (folder, git repository, .zip, .tar.gz, or a folder of them) has its owned files
 * (raft/, kvraft/) copied into a pristine copy of this framework, checked against the policy, and its
 * tests run in isolated workers with seeds derived from --seed, the submission and the test; the rubric
 * turns runs into points. Outputs per submission in <out>/<name>/: results.json (Gradescope),
 * report.md, report.html, grade.json; for a batch, <out>/gradebook.csv. Exit status: 0 when grading
 * finished (whatever the scores), 2 on bad input.
 *
 * Modules (scripts/grade/): options, intake + archive (reading submissions), owned (what a student
 * owns), policy + policy-rules, workspace, catalog, execute (one run), seeds, rubric, score, results
 * (Gradescope), report (md, html), outputs (files, gradebook), progress, autograder (packaging).
 */
import '../tests/harness/random-setup'; // first: before lodash or any test module loads
import { SubmissionError } from './grade/archive';
import { packageAutograder } from './grade/autograder';
import { gradeSubmissions } from './grade/grader';
import { parseGradeArgs } from './grade/options';
import { runCli } from './stress/options';
import { gradeView, summaryTable } from './grade/progress';
import { RubricError } from './grade/rubric';

export async function main(argv: readonly string[]): Promise<number> {
  const options = parseGradeArgs(argv);
  if (options.autograder !== undefined) {
    const file = await packageAutograder(options.autograder, options.rubric);
    process.stdout.write(
      `grade: wrote the Gradescope autograder ${file} (see INSTRUCTORS.md, "Gradescope")\n`,
    );
    return 0;
  }
  const started = performance.now();
  const view = gradeView();
  let summary;
  try {
    summary = await gradeSubmissions(options, view);
  } finally {
    view.stop();
  }
  process.stdout.write(summaryTable(summary.grades));
  const trusted = summary.sandbox.kind === 'bwrap';
  process.stdout.write(`${trusted ? 'runs' : 'WARNING: runs were'} ${summary.sandbox.description}\n`);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const where = summary.gradebook ?? `${options.out}/<submission>/`;
  process.stdout.write(
    `${summary.grades.length} submission(s) graded in ${seconds} s; results in ${where}\n`,
  );
  return 0;
}

if (require.main === module) {
  runCli('grade', main, [RubricError, SubmissionError]);
}
