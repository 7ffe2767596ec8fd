/**
 * Writing a submission's outputs into `<out>/<name>/` — results.json (Gradescope), report.md,
 * report.html, and grade.json (everything, written last and atomically: its presence with a matching key
 * is what lets a batch resume skip the submission) — and the batch's gradebook.csv, one row per
 * submission, rebuilt from every grade.json in `<out>` so that a resumed batch lists everyone once.
 */
import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { LAB_PARTS } from './owned';
import { gradescopeResults } from './results';
import { htmlReport, markdownReport } from './report';
import type { GradeKey, SubmissionGrade } from './score';

export const GRADE_FILE = 'grade.json';

function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

export function writeSubmission(dir: string, grade: SubmissionGrade, resultsFile?: string): void {
  fs.mkdirSync(dir, { recursive: true });
  const results = `${JSON.stringify(gradescopeResults(grade), null, 2)}\n`;
  writeAtomic(path.join(dir, 'results.json'), results);
  if (resultsFile !== undefined) {
    fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
    writeAtomic(resultsFile, results);
  }
  writeAtomic(path.join(dir, 'report.md'), markdownReport(grade));
  writeAtomic(path.join(dir, 'report.html'), htmlReport(grade));
  writeAtomic(path.join(dir, GRADE_FILE), `${JSON.stringify(grade, null, 2)}\n`);
}

/** A finished grade in `dir`, if there is one (a half-written folder has no grade.json). */
export function readGrade(dir: string): SubmissionGrade | undefined {
  const file = path.join(dir, GRADE_FILE);
  if (!fs.existsSync(file)) return undefined;
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as SubmissionGrade;
  } catch {
    return undefined;
  }
}

export function keyOf(grade: SubmissionGrade): GradeKey {
  return grade.key;
}

/** gradebook.csv: a row per submission (by name), the parts' scores, the total, and what went wrong. */
export function writeGradebook(out: string, grades: readonly SubmissionGrade[]): string {
  const parts = LAB_PARTS.filter((p) => grades.some((g) => g.byPart[p] !== undefined));
  const header = [
    'submission',
    'score',
    'max_score',
    'percent',
    ...parts,
    'status',
    'content_hash',
    'source',
  ];
  const rows = [...grades]
    .sort((a, b) => a.submission.name.localeCompare(b.submission.name))
    .map((g) => {
      const status =
        g.error !== undefined
          ? `error: ${g.error}`
          : g.violations.some((v) => !v.allowed)
            ? `policy: ${[...new Set(g.violations.filter((v) => !v.allowed).map((v) => v.rule))].join(' ')}`
            : 'graded';
      const percent = g.maxScore === 0 ? 0 : Math.round((g.score / g.maxScore) * 1000) / 10;
      return [
        g.submission.name,
        g.score,
        g.maxScore,
        percent,
        ...parts.map((p) => g.byPart[p]?.score ?? ''),
        status,
        g.key.contentHash.slice(0, 12),
        g.submission.source,
      ];
    });
  const file = path.join(out, 'gradebook.csv');
  writeAtomic(file, stringify([header, ...rows]));
  return file;
}
