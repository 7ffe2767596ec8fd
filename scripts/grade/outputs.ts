/**
 * Writing a submission's outputs into `<out>/<name>/` — results.json (Gradescope), report.md,
 * report.html, and grade.json (everything, written last and atomically: its presence with a matching key
 * is what lets a batch resume skip the submission) — and the batch's gradebook.csv, one row per
 * submission, rebuilt from every grade.json in `<out>` so that a resumed batch lists everyone once.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
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

/**
 * The grader's secret for sealing grade.json (an HMAC key), kept outside every out folder and every
 * sandbox: RAFTLAB_GRADE_SECRET_FILE, or ~/.config/raftlab/grade-secret, made on first use (mode 0600).
 * A resume takes a grade only if its seal checks out, so a grade.json that anything else wrote (a run
 * before the sandbox, an accomplice planting a finished grade) is graded again.
 */
function secret(): Buffer {
  const file =
    process.env.RAFTLAB_GRADE_SECRET_FILE ?? path.join(os.homedir(), '.config', 'raftlab', 'grade-secret');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    try {
      fs.writeFileSync(file, crypto.randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error; // another grader made it first
    }
  }
  return fs.readFileSync(file);
}

type Sealed = SubmissionGrade & { seal?: unknown };

/** A grade without its seal (if it carries one). */
function unsealed(grade: Sealed): SubmissionGrade {
  const { seal: _seal, ...rest } = grade;
  return rest;
}

/** The seal of a grade: HMAC-SHA256 over its JSON without the seal. */
function sealOf(grade: Sealed): string {
  return crypto
    .createHmac('sha256', secret())
    .update(JSON.stringify(unsealed(grade)))
    .digest('hex');
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
  const sealed = { ...unsealed(grade), seal: sealOf(grade) };
  writeAtomic(path.join(dir, GRADE_FILE), `${JSON.stringify(sealed, null, 2)}\n`);
}

/**
 * A finished grade in `dir` that this grader sealed, if there is one (a half-written folder has no
 * grade.json; an unsealed or altered one does not count).
 */
export function readGrade(dir: string): SubmissionGrade | undefined {
  const file = path.join(dir, GRADE_FILE);
  if (!fs.existsSync(file)) return undefined;
  try {
    const grade = JSON.parse(fs.readFileSync(file, 'utf8')) as Sealed;
    const expected = Buffer.from(sealOf(grade), 'hex');
    const seal = Buffer.from(typeof grade.seal === 'string' ? grade.seal : '', 'hex');
    if (seal.length !== expected.length || !crypto.timingSafeEqual(seal, expected)) return undefined;
    return unsealed(grade);
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
