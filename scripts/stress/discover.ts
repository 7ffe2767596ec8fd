/**
 * Test discovery for the stress runner: every `*.tests.ts` module under the given roots (default
 * `tests/`), every export that is an array of LabTest objects, and which jest file registers it (for the
 * replay command). A file given by name is loaded whatever it is called, so fixtures (`*.fixture.ts`,
 * invisible to jest and to the default discovery) can be stressed with `--tests <file>`.
 *
 * Matching: a pattern equal to a test's full title selects just that test (the printed replay form);
 * otherwise, case-insensitively, a test matches when its part equals the pattern or its title contains it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { findLabModules } from '../../tests/harness/worker/discover';
import { listLabTestsOf, ListingError } from '../../tests/harness/worker/listing';
import { CliError } from './options';
import type { FoundTest } from './types';

/** Test modules under `roots` (folders are searched for *.tests.ts; files are taken as given). */
export function findTestModules(roots: readonly string[]): string[] {
  const out: string[] = [];
  for (const root of roots) {
    const full = path.resolve(root);
    if (!fs.existsSync(full)) {
      throw new CliError(
        `--tests: \`${root}\` does not exist; give a folder of *.tests.ts files or a module`,
      );
    }
    if (fs.statSync(full).isDirectory()) out.push(...findLabModules(full));
    else out.push(full);
  }
  return [...new Set(out)].sort();
}

/** The jest file that registers `moduleFile`: the sibling *.test.ts that names it (the replay command's file). */
export function jestFileFor(moduleFile: string): string | undefined {
  const dir = path.dirname(moduleFile);
  const stem = `./${path.basename(moduleFile).replace(/\.ts$/, '')}`;
  const importer = fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.test.ts'))
    .sort()
    .find((name) => {
      const text = fs.readFileSync(path.join(dir, name), 'utf8');
      return text.includes(`'${stem}'`) || text.includes(`"${stem}"`);
    });
  return importer === undefined ? undefined : path.join(dir, importer);
}

/**
 * Every module's tests, listed without loading the module in this process (a loop at the top of raft.ts
 * would hang the runner: tests/harness/worker/listing.ts). A module that cannot be listed is bad input.
 */
export function loadTests(moduleFiles: readonly string[]): FoundTest[] {
  const lists = listLabTestsOf(moduleFiles); // side by side: a loop in raft.ts costs one wait, not one per module
  const found: FoundTest[] = [];
  for (const moduleFile of moduleFiles) {
    const tests = lists.get(moduleFile) ?? [];
    if (tests instanceof ListingError) throw new CliError(tests.message);
    const jestFile = jestFileFor(moduleFile);
    for (const test of tests) {
      found.push({ name: test.name, part: test.part, moduleFile, jestFile });
    }
  }
  return found;
}

/** The tests `pattern` selects (see the header); every test when the pattern is empty. */
export function matchTests(tests: readonly FoundTest[], pattern: string): FoundTest[] {
  const p = pattern.toLowerCase();
  const exact = tests.filter((t) => t.name.toLowerCase() === p);
  if (exact.length > 0) return exact;
  return tests.filter((t) => t.part.toLowerCase() === p || t.name.toLowerCase().includes(p));
}
