/**
 * `registerWithJest` in a `*.test.ts` file declares one jest test per lab test, named by its printed
 * title, so `npm test -- 2B -t "basic agreement"` selects as expected.
 *
 * Two hosts run what it declares. A lab file that only registers modules by path (`registerWithJest(
 * require.resolve('./2A.tests'))`) is run by the lab runner (jest-runner.ts), outside jest's sandbox,
 * and this module is never loaded. Any other file (an imported array of tests, other code) runs here, in
 * jest's sandbox: each `it` runs its lab test in an isolated worker all the same (jest-lab-run.ts), so
 * the student's code never runs in the sandbox, where every global lookup is slow and nothing can stop a
 * `while (true) {}`. The tests of one file share a worker while they pass (each run evaluating the code
 * afresh; worker/pool.ts), taken from the shelf the previous lab file of this jest process left.
 */
import fs from 'node:fs';
import path from 'node:path';
import { judgeLabTest, unlistedTestName } from './jest-lab-run';
import type { LabTest } from './lab-test';
import { labTestsOf, WorkerPool, type ParkedWorker } from './worker';
import { listLabTests, ListingError, type ListedTest } from './worker/listing';

function currentTestPath(): string {
  return expect.getState().testPath ?? 'tests';
}

/**
 * The module that exports `tests`: among the relative imports of the jest file registering them, the one
 * whose exports hold the same test objects (jest's module registry hands back the instance already loaded).
 */
function moduleExporting(tests: readonly LabTest[], testPath: string): string {
  const text = fs.readFileSync(testPath, 'utf8');
  const specifiers = [...text.matchAll(/\bfrom\s+['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1]);
  for (const specifier of specifiers) {
    const file = require.resolve(path.resolve(path.dirname(testPath), specifier));
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module is already loaded
    const mod = require(file) as Record<string, unknown>;
    if (labTestsOf(mod).includes(tests[0])) return file;
  }
  throw new Error(
    `registerWithJest: none of the relative imports of ${testPath} exports "${tests[0].name}"; ` +
      'import the tests from their module (e.g. `import { tests } from "./2A.tests"`) or pass its path.',
  );
}

/**
 * Declare one jest test per lab test of a module: `registerWithJest(require.resolve('./2A.tests'))`.
 *
 * The titles are listed without loading the module here (worker/listing.ts): the student's code never
 * runs inside jest's process, so a loop at the top of raft.ts fails the file with a message instead of
 * hanging `npm test`. An array of tests imported as before (`registerWithJest(tests)`) still works, for
 * modules that are cheap and trusted to load (fixtures).
 */
export function registerWithJest(tests: readonly LabTest[] | string): void {
  let file: string;
  let listed: ListedTest[];
  if (typeof tests === 'string') {
    file = path.resolve(path.dirname(currentTestPath()), tests);
    try {
      listed = listLabTests(file);
    } catch (error) {
      if (!(error instanceof ListingError)) throw error;
      // One failing test that says why, instead of a file that never loads (or never ends). No frames:
      // where the listing gave up says nothing about the module.
      error.stack = `${error.name}: ${error.message}`;
      it(unlistedTestName(file), () => {
        throw error;
      });
      return;
    }
  } else {
    if (tests.length === 0) return;
    file = moduleExporting(tests, currentTestPath());
    listed = tests.map((t) => ({ name: t.name, part: t.part, title: t.title }));
  }
  registerListed(listed, file);
}

function registerListed(tests: readonly ListedTest[], file: string): void {
  if (tests.length === 0) return;
  // The file's tests run one after another in a worker the last one left clean (worker/pool.ts), which
  // the previous lab file of this jest process left on the environment's shelf (jest-environment.js).
  const shelf = (globalThis as { __labWorkerShelf?: () => ParkedWorker[] }).__labWorkerShelf?.();
  const pool = new WorkerPool({ shelf });
  afterAll(() => pool.close());
  for (const test of tests) {
    it(test.name, async () => {
      const place = {
        moduleFile: file,
        testPath: currentTestPath(),
        pool,
        write: (text: string) => void process.stderr.write(text),
      };
      const verdict = await judgeLabTest(test, place);
      if (!verdict.passed) throw verdict.error;
    });
  }
}
