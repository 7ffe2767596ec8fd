/**
 * What the grader shows while it works (stderr) and at the end (stdout). On a terminal: a bar over all
 * planned runs (the total grows as submissions are read) with the failures so far, redrawn by
 * cli-progress. Elsewhere: a line per finished submission. At the end: a table, one row per submission
 * (cli-table3), with the parts' scores, the total and what stopped it (policy, unreadable).
 */
import { SingleBar } from 'cli-progress';
import Table from 'cli-table3';
import pc from 'picocolors';
import type { GradeEvents } from './grader';
import { LAB_PARTS } from './owned';
import type { SubmissionGrade } from './score';

export interface GradeView extends GradeEvents {
  stop(): void;
}

function line(grade: SubmissionGrade, resumed: boolean): string {
  const tag =
    grade.error !== undefined
      ? pc.red('unreadable')
      : grade.violations.some((v) => !v.allowed)
        ? pc.red('policy')
        : '';
  return `${grade.submission.name}: ${grade.score} / ${grade.maxScore}${resumed ? ' (already graded, kept)' : ''} ${tag}`.trimEnd();
}

export function gradeView(stream: NodeJS.WriteStream = process.stderr): GradeView {
  if (!stream.isTTY) {
    return {
      planned: () => {},
      run: () => {},
      done: (grade, resumed) => void stream.write(`  ${line(grade, resumed)}\n`),
      stop: () => {},
    };
  }
  let failed = 0;
  let submissions = 0;
  const bar = new SingleBar({
    stream,
    hideCursor: true,
    clearOnComplete: true,
    fps: 8,
    format: 'grading {bar} {value}/{total} runs · {failed} failed · {subs} submissions done',
  });
  bar.start(0, 0, { failed, subs: submissions });
  return {
    planned: (_name, runs) => bar.setTotal(bar.getTotal() + runs),
    run: (_name, verdict) => {
      if (verdict.kind !== 'pass') failed++;
      bar.increment(1, { failed });
    },
    done: (grade, resumed) => {
      submissions++;
      bar.update({ subs: submissions });
      stream.write(`\n  ${line(grade, resumed)}\n`);
    },
    stop: () => bar.stop(),
  };
}

export function summaryTable(grades: readonly SubmissionGrade[]): string {
  const parts = LAB_PARTS.filter((p) => grades.some((g) => g.byPart[p] !== undefined));
  const table = new Table({
    head: ['submission', ...parts, 'score', 'note'],
    style: pc.isColorSupported ? { head: ['cyan'] } : { head: [], border: [] },
  });
  for (const g of [...grades].sort((a, b) => a.submission.name.localeCompare(b.submission.name))) {
    const enforced = g.violations.filter((v) => !v.allowed);
    const note =
      g.error !== undefined
        ? `unreadable: ${g.error.slice(0, 60)}`
        : enforced.length > 0
          ? `policy (${[...new Set(enforced.flatMap((v) => v.parts))].filter((p) => g.byPart[p] !== undefined).join(', ') || 'no graded part'}): ${[...new Set(enforced.map((v) => v.rule))].join(', ')}`
          : g.tests.some((t) => t.runs.some((r) => r.kind === 'hung'))
            ? 'hung runs'
            : '';
    table.push([
      g.submission.name,
      ...parts.map((p) =>
        g.byPart[p] === undefined ? '' : `${g.byPart[p]?.score}/${g.byPart[p]?.maxScore}`,
      ),
      `${g.score} / ${g.maxScore}`,
      note,
    ]);
  }
  return `${table.toString()}\n`;
}
