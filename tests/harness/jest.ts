/**
 * Jest host for lab tests: `registerWithJest(tests)` in a `*.test.ts` file declares one jest test per
 * lab test, named by its printed title, so `npm test -- 2B -t "basic agreement"` selects as expected.
 * Each passing run prints its output lines and one line with its seed and trace hash; a failing run fails
 * the jest test once, with the seed, the virtual time, the trace file and the replay command.
 *
 * Why each jest test runs its lab test in an isolated worker (tests/harness/worker) rather than here:
 * jest's vm sandbox makes every global lookup slow (simulation code, the student's included, ran 1.5–2.4×
 * slower), and nothing inside the sandbox can stop a `while (true) {}`. A worker thread runs outside the
 * sandbox at full speed, starts from fresh module state for every run (so a replay of one test reproduces
 * it alone), and is watched from here: a hang, a heap past its cap or a process.exit ends as a failed
 * test with its own message. The tests of one file share a worker while they pass (each run evaluating
 * the code afresh; worker/pool.ts), which saves a thread start and keeps the compiled code warm. Keeping one jest `it` per lab test (instead of a custom jest runner) keeps
 * jest's selection, titles, reporters and watch mode exactly as they were. The test module is still
 * imported here, to learn the titles; the bundle the worker loads is built once per test file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseDebugTopics } from './debug-log';
import { readLabEnv, newSeed } from './env';
import { NondeterminismError } from './errors';
import type { LabTest } from './lab-test';
import { labTestsOf, runIsolated, WorkerPool, type IsolatedOutcome, type ParkedWorker } from './worker';
import { listLabTests, ListingError, type ListedTest } from './worker/listing';

/** Escape a title for jest's -t (a regular expression), and quote it for a POSIX shell. */
function titlePattern(name: string): string {
  const regex = `^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;
  return `'${regex.replace(/'/g, `'\\''`)}'`;
}

export function replayCommand(seed: number, testPath: string, name: string, env: string[] = []): string {
  const file = path.relative(process.cwd(), testPath) || testPath;
  return [...env, `LAB_SEED=${seed}`, 'npm test --', file, '-t', titlePattern(name)].join(' ');
}

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

/** A stack frame at the line of `moduleFile` that names the test: where a frameless failure points. */
/** What the jest host needs of a test: its printed name and its title as written. */
type Named = Pick<ListedTest, 'name' | 'title'>;

function definitionFrame(moduleFile: string, test: Named): string[] {
  const lines = fs.readFileSync(moduleFile, 'utf8').split('\n');
  const quoted = [`'${test.title}'`, `"${test.title}"`, `\`${test.title}\``];
  const index = lines.findIndex((line) => quoted.some((q) => line.includes(q)));
  if (index < 0) return [];
  const column = lines[index].indexOf(test.title);
  return [`    at ${test.name} (${moduleFile}:${index + 1}:${column})`];
}

/**
 * The error jest shows: the failure text once, then stack frames, the student's first (jest shows the code
 * of the first). A run that ended without frames (hung, out of memory) points at the test's definition,
 * which also keeps jest from splitting the text after its first line.
 */
function failureOf(outcome: IsolatedOutcome, test: Named, moduleFile: string): Error {
  const message = outcome.message ?? 'failed';
  const name = /^(\w+):/.exec(message)?.[1] ?? 'Error';
  const error = new Error(message.slice(name.length + 2));
  error.name = name;
  const frames = outcome.frames.length > 0 ? outcome.frames : definitionFrame(moduleFile, test);
  error.stack = [message, ...frames].join('\n');
  return error;
}

/**
 * Run the test once in a worker. Its printed lines go out as one block when it ends (two jest workers
 * print at once, and a test's title and its Passed line belong together), or line by line as they
 * come while LAB_DEBUG is on (someone is watching one test run).
 */
async function runOnce(
  test: Named,
  moduleFile: string,
  seed: number,
  extraEnv: string[],
  print: boolean,
  pool: WorkerPool | undefined,
): Promise<IsolatedOutcome> {
  const replay = replayCommand(seed, currentTestPath(), test.name, extraEnv);
  const live = print && parseDebugTopics(process.env.LAB_DEBUG) !== undefined;
  const outcome = await runIsolated(
    { moduleFile, testName: test.name, seed },
    {
      replay,
      realtime: readLabEnv().realtime,
      onLine: live ? (text) => void process.stdout.write(text) : undefined,
      pool,
    },
  );
  return { ...outcome, lines: live ? [] : outcome.lines }; // lines left to print
}

function printBlock(lines: readonly string[]): void {
  if (lines.length > 0) process.stdout.write(`${lines.join('\n')}\n`);
}

/**
 * Declare one jest test per lab test of a module:
 *
 *   registerWithJest(require.resolve('./2A.tests'));                          // every test of 2A.tests.ts
 *   registerWithJest(require.resolve('./3A.tests'), (_, i) => i % 2 === 0);   // a share of them
 *
 * The titles are listed without loading the module here (worker/listing.ts): the student's code never
 * runs inside jest's process, so a loop at the top of raft.ts fails the file with a message instead of
 * hanging `npm test`. An array of tests imported as before (`registerWithJest(tests)`) still works, for
 * modules that are cheap and trusted to load (fixtures).
 */
export function registerWithJest(
  tests: readonly LabTest[] | string,
  filter: (test: ListedTest, index: number) => boolean = () => true,
): void {
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
      it(`the tests of ${path.relative(process.cwd(), file)}`, () => {
        throw error;
      });
      return;
    }
  } else {
    if (tests.length === 0) return;
    file = moduleExporting(tests, currentTestPath());
    listed = tests.map((t) => ({ name: t.name, part: t.part, title: t.title }));
  }
  registerListed(listed.filter(filter), file);
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
      const env = readLabEnv();
      const seed = env.seed ?? newSeed();
      const first = await runOnce(test, file, seed, env.realtime ? ['LAB_REALTIME=1'] : [], true, pool);
      if (!first.passed) {
        printBlock(first.lines);
        throw failureOf(first, test, file);
      }
      if (env.checkDeterminism && !env.realtime) {
        // The second run prints nothing: its lines are the first run's, and each Passed line shows once.
        // It runs in a fresh worker, so it also checks that a reused worker changed nothing.
        const second = await runOnce(test, file, seed, ['LAB_CHECK_DETERMINISM=1'], false, undefined);
        if (!second.passed) throw failureOf(second, test, file);
        if (second.traceHash !== first.traceHash) {
          printBlock(first.lines);
          throw new NondeterminismError(
            `${test.name}: seed ${seed} gave two different traces (${first.traceHash.slice(0, 12)} then ` +
              `${second.traceHash.slice(0, 12)}). Something outside the seed and the virtual clock influences ` +
              `the run: real I/O, crypto randomness, a captured Math.random, or state kept between runs.\n` +
              `  replay: ${replayCommand(seed, currentTestPath(), test.name, ['LAB_CHECK_DETERMINISM=1'])}`,
          );
        }
      }
      const clock = env.realtime ? 'real' : 'virtual';
      const time = `${(first.virtualMs / 1000).toFixed(1)} s ${clock} · ${(first.cpuMs / 1000).toFixed(2)} s CPU`;
      printBlock([...first.lines, `  [seed ${seed} · ${time} · trace ${first.traceHash.slice(0, 16)}]`]);
    });
  }
}
