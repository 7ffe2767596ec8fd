/**
 * The readable reports of one submission: report.md (for a terminal, an issue, an email) and report.html
 * (one self-contained page: no scripts, no network, styles inline), both drawn from a SubmissionGrade.
 */
import { LAB_PARTS } from './owned';
import { headline, mdBlock, mdText, submissionOutput, testOutput } from './results';
import type { SubmissionGrade, TestGrade } from './score';

function statusOf(t: TestGrade): string {
  if (t.notRun !== undefined) return 'not run';
  return t.passedRuns === t.runs.length ? 'passed' : `${t.passedRuns}/${t.runs.length} passed`;
}

export function markdownReport(g: SubmissionGrade): string {
  const lines = [`# ${mdText(g.submission.name)}: ${g.score} / ${g.maxScore}`, '', submissionOutput(g), ''];
  lines.push('| part | score |', '| --- | --- |');
  for (const part of LAB_PARTS) {
    const row = g.byPart[part];
    if (row !== undefined) lines.push(`| ${part} | ${row.score} / ${row.maxScore} |`);
  }
  lines.push('', '| test | runs | score |', '| --- | --- | --- |');
  for (const t of g.tests)
    // Test names are the rubric's (the instructor's, checked against the tests' titles): only `|` matters.
    lines.push(`| ${t.name.replace(/\|/g, '\\|')} | ${statusOf(t)} | ${t.score} / ${t.maxScore} |`);
  const failing = g.tests.filter((t) => t.notRun !== undefined || t.passedRuns < t.runs.length);
  if (failing.length > 0) {
    lines.push('', '## Failures', '');
    for (const t of failing) lines.push(`### ${t.name}`, '', ...mdBlock(testOutput(t)), '');
  }
  lines.push(
    '',
    `Seeds derived from --seed ${g.key.baseSeed} and submission ${g.key.contentHash.slice(0, 12)}; grader ${g.key.graderVersion}.`,
  );
  return `${lines.join('\n')}\n`;
}

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;max-width:960px;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.5em}table{border-collapse:collapse;width:100%;margin:1em 0}
td,th{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
.ok{color:#17663a}.bad{color:#b3261e}pre{background:#f6f6f6;padding:8px;overflow:auto;white-space:pre-wrap}
summary{cursor:pointer}.note{color:#555}`;

export function htmlReport(g: SubmissionGrade): string {
  const rows = g.tests
    .map((t) => {
      const good = t.notRun === undefined && t.passedRuns === t.runs.length;
      const detail = good
        ? ''
        : `<details><summary>details</summary><pre>${esc(testOutput(t))}</pre></details>`;
      return (
        `<tr><td>${esc(t.name)}${detail}</td><td class="${good ? 'ok' : 'bad'}">${esc(statusOf(t))}</td>` +
        `<td>${t.score} / ${t.maxScore}</td></tr>`
      );
    })
    .join('\n');
  const parts = LAB_PARTS.filter((p) => g.byPart[p] !== undefined)
    .map((p) => `<tr><td>${p}</td><td>${g.byPart[p]?.score} / ${g.byPart[p]?.maxScore}</td></tr>`)
    .join('');
  const notes = submissionOutput(g, true)
    .split('\n')
    .slice(2)
    .filter((l) => l.trim() !== '')
    .map((l) => `<li>${esc(l.replace(/^- /, '').replace(/\*\*/g, ''))}</li>`)
    .join('');
  const failures = g.tests.filter((t) => t.runs.some((r) => r.kind !== 'pass'));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(g.submission.name)}: ${g.score} / ${g.maxScore}</title>
<style>${STYLE}</style></head><body>
<h1>${esc(g.submission.name)}: ${g.score} / ${g.maxScore}</h1>
<p class="note">${esc(g.rubricName)} · grader ${esc(g.key.graderVersion)} · seeds from --seed ${g.key.baseSeed} · ${failures.length} test(s) with failing runs${failures.length > 0 ? `: first — ${esc(headline(failures[0].runs.find((r) => r.kind !== 'pass')?.error))}` : ''}</p>
<ul class="note">${notes}</ul>
<table><tr><th>part</th><th>score</th></tr>${parts}</table>
<table><tr><th>test</th><th>runs</th><th>score</th></tr>
${rows}
</table></body></html>
`;
}
