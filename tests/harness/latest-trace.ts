/**
 * `npm test` keeps one failure trace per test: the latest. Every failing run writes
 * `<part>-<title>-seed<n>.jsonl` (and `.log`, `.history.html`) under `.lab/traces`, and with a fresh seed
 * per run a student who runs 2A ten times before writing any code would find dozens of files, most of
 * them about code that no longer exists. `keepLatestTrace` notes, per test, which trace `npm test` wrote
 * last (`.lab/traces/.npm-test/<part>-<title>`), and deletes the one it noted before. Traces that the
 * stress runner wrote (one per failing seed, each printed with its replay command) are never touched.
 */
import fs from 'node:fs';
import path from 'node:path';

const SEED_SUFFIX = /-seed\d+$/;

/** Record `traceFile` as its test's latest `npm test` trace; delete the files of the previous one. */
export function keepLatestTrace(traceFile: string): void {
  const dir = path.dirname(traceFile);
  const base = path.basename(traceFile).replace(/\.jsonl$/, '');
  if (!SEED_SUFFIX.test(base)) return;
  const notes = path.join(dir, '.npm-test');
  const note = path.join(notes, base.replace(SEED_SUFFIX, ''));
  try {
    const previous = fs.existsSync(note) ? fs.readFileSync(note, 'utf8').trim() : '';
    if (previous !== '' && previous !== base && !previous.includes('/')) {
      for (const name of fs.readdirSync(dir)) {
        if (name.startsWith(`${previous}.`)) fs.rmSync(path.join(dir, name), { force: true });
      }
    }
    fs.mkdirSync(notes, { recursive: true });
    fs.writeFileSync(note, `${base}\n`);
  } catch {
    // Tidying is a courtesy: a file we cannot remove or note must not fail the test run.
  }
}
