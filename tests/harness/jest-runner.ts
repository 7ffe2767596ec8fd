/**
 * Jest's test runner for this project (jest.config.js `runner`). Lab test files, the ones that only say
 * `registerWithJest(require.resolve('./2A.tests'))`, run here, in jest's own process, outside jest's
 * sandbox; every other file goes to jest's default runner, unchanged, at the same time.
 *
 * Why a runner: inside a jest file each lab test is one `it` that waits on a worker thread, so jest's
 * unit of parallelism was the file. `npm test -- 2C` ran ten tests one after another on one core, and the
 * suite waited on its heaviest file. Here every lab test of every selected file goes into one queue,
 * the ones that failed last time first, then the longest (run-history.ts), and
 * `maxWorkers` lanes take from it, all sharing warm workers (worker/pool.ts). Nothing else changes: the
 * same titles and printed lines (jest-lab-run.ts), `-t` selects by title as jest does, the reporters get
 * one result per file with jest's own failure format (code frame included), and the replay command
 * names the file.
 *
 * A file the runner does not recognise (anything besides that import and those calls, e.g. an imported
 * array) runs as before, through jest's sandbox, where registerWithJest declares one `it` per test.
 */
import path from 'node:path';
import v8 from 'node:v8';
import type { AssertionResult, Test, TestEvents, TestResult } from '@jest/test-result';
import type { Config } from '@jest/types';
import type { TestRunnerContext, TestRunnerOptions, UnsubscribeFn } from 'jest-runner';
import type { TestWatcher } from 'jest-watcher';
import { judgeLabTest, unlistedTestName } from './jest-lab-run';
import { labModulesOf } from './lab-files';
import { RunHistory } from './run-history';
import { WorkerPool, type ParkedWorker } from './worker';
import { listLabTestsOf, ListingError, type ListedTest } from './worker/listing';

// Jest's own packages, found the way jest finds them (they are jest's dependencies, not ours).
const from = (id: string, file: string): string => require.resolve(id, { paths: [path.dirname(file)] });
const jestCore = from('@jest/core', require.resolve('jest'));
const jestRunnerFile = from('jest-runner', jestCore);
/* eslint-disable @typescript-eslint/no-require-imports -- resolved at run time, typed by their own .d.ts */
const DefaultRunner = (require(jestRunnerFile) as typeof import('jest-runner')).default;
const { formatResultsErrors } = require(
  from('jest-message-util', jestRunnerFile),
) as typeof import('jest-message-util');
const Emittery = require(from('emittery', jestRunnerFile)) as typeof import('emittery');
/* eslint-enable @typescript-eslint/no-require-imports */

/**
 * Less inlining for the optimizing compiler (V8 flags, for this whole process: its lab worker threads are
 * where it counts). Each lab run evaluates its run bundle afresh (worker/bundle.ts), so every run brings
 * new classes and new closures, and code TurboFan optimised for the last run, with that run's functions
 * inlined into it, deoptimises and is compiled again, on V8's background threads, which on two cores take
 * their time from the other lane. Under the default limits that recompiling was ~30 % of a lab run's CPU
 * (perf, 2C + 3A); with these the compiler inlines only small functions and the whole jest process spent
 * ~15 % less CPU on 2C + 3B (median of 5 alternated runs each, same seeds, same trace hashes). The flags
 * change what V8 compiles, never what the code does. Set before the first worker starts.
 */
const INLINING_FLAGS = ['--max-inlined-bytecode-size=60', '--max-inlined-bytecode-size-cumulative=150'];
for (const flag of INLINING_FLAGS) v8.setFlagsFromString(flag);

type Events = TestEvents;
type Listener<Name extends keyof Events> = (eventData: Events[Name]) => void | Promise<void>;

function asError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(String(thrown));
}

/** One lab file of this run: its tests, their results as they come, and when it started. */
interface LabFile {
  readonly test: Test;
  readonly tests: { readonly listed: ListedTest; readonly moduleFile: string; readonly selected: boolean }[];
  readonly results: AssertionResult[];
  remaining: number;
  start: number;
}

function assertion(
  listed: ListedTest,
  status: AssertionResult['status'],
  duration: number | null,
  failures: string[],
): AssertionResult {
  return {
    ancestorTitles: [],
    duration,
    failureDetails: [],
    failureMessages: failures,
    fullName: listed.name,
    invocations: status === 'pending' ? 0 : 1,
    location: null,
    numPassingAsserts: 0,
    retryReasons: [],
    status,
    title: listed.name,
  };
}

/** Jest's result for a whole file, with jest's own failure text (the code frame of the first frame). */
function fileResult(file: LabFile, globalConfig: Config.GlobalConfig): TestResult {
  const { config } = file.test.context;
  const results = file.results;
  const count = (status: AssertionResult['status']): number =>
    results.filter((r) => r.status === status).length;
  const end = Date.now();
  return {
    console: undefined,
    displayName: config.displayName,
    failureMessage: formatResultsErrors(results, config, globalConfig, file.test.path),
    leaks: false,
    numFailingTests: count('failed'),
    numPassingTests: count('passed'),
    numPendingTests: count('pending'),
    numTodoTests: 0,
    openHandles: [],
    perfStats: {
      end,
      loadTestEnvironmentEnd: file.start,
      loadTestEnvironmentStart: file.start,
      // What the file's tests took, one after another: its tests share the lanes with other files' tests,
      // so end - start would count theirs too (jest shows this as the file's time and estimates from it).
      runtime: results.reduce((sum, r) => sum + (r.duration ?? 0), 0),
      setupAfterEnvEnd: file.start,
      setupAfterEnvStart: file.start,
      setupFilesEnd: file.start,
      setupFilesStart: file.start,
      slow: false,
      start: file.start,
    },
    skipped: results.length > 0 && count('pending') === results.length,
    snapshot: {
      added: 0,
      fileDeleted: false,
      matched: 0,
      unchecked: 0,
      uncheckedKeys: [],
      unmatched: 0,
      updated: 0,
    },
    testFilePath: file.test.path,
    testResults: results,
  };
}

/**
 * How many lab lanes may run: `maxWorkers`, one fewer (at least one) while jest's own workers run other
 * files. Lane i waits for its turn in `open(i)`; `widen()` lets every lane run.
 */
class LaneBudget {
  private wide: boolean;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly maxWorkers: number,
    sharing: boolean,
  ) {
    this.wide = !sharing;
  }

  open(index: number): Promise<void> {
    if (this.wide || index < Math.max(1, this.maxWorkers - 1)) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  widen(): void {
    this.wide = true;
    for (const resolve of this.waiting.splice(0)) resolve();
  }
}

/** Idle workers kept between runs of `jest --watch` (the process lives on); ended after a single run. */
const WATCH_SHELF: ParkedWorker[] = [];

export default class LabRunner {
  readonly isSerial = false;
  readonly supportsEventEmitters = true;
  private readonly events = new Emittery<Events>();
  private readonly others: InstanceType<typeof DefaultRunner>;

  constructor(
    private readonly globalConfig: Config.GlobalConfig,
    context: TestRunnerContext,
  ) {
    this.others = new DefaultRunner(globalConfig, context);
  }

  on<Name extends keyof Events>(eventName: Name, listener: Listener<Name>): UnsubscribeFn {
    return this.events.on(eventName, listener);
  }

  async runTests(tests: readonly Test[], watcher: TestWatcher, options: TestRunnerOptions): Promise<void> {
    const lab: [Test, string[]][] = [];
    const others: Test[] = [];
    for (const test of tests) {
      // `jest --collectTests` lists without running: the sandbox path declares each test as an `it`.
      const modules = this.globalConfig.collectTests ? undefined : labModulesOf(test.path);
      if (modules === undefined) others.push(test);
      else lab.push([test, modules]);
    }
    // While jest's own workers run the other files, the lab tests take one lane fewer (at least one), and
    // widen again once those files are done. Both at full width put four busy threads (and their compiler
    // threads) on two cores. Whole suite, four runs each way: on a busy machine 46.7–57.0 s against
    // 51.7–62.8 s at full width, with ~15 % less CPU; on a quiet one the same within noise (41.9–45.1 s
    // against 42.6–45.4 s).
    const othersDone = others.length > 0 ? this.runOthers(others, watcher, options) : Promise.resolve();
    const lanesNow = new LaneBudget(this.globalConfig.maxWorkers, others.length > 0);
    void othersDone.then(
      () => lanesNow.widen(),
      () => lanesNow.widen(),
    );
    await Promise.all([lab.length > 0 ? this.runLabFiles(lab, watcher, lanesNow) : undefined, othersDone]);
  }

  /** The other files, through jest's default runner, its events passed on. */
  private async runOthers(tests: Test[], watcher: TestWatcher, options: TestRunnerOptions): Promise<void> {
    const names: (keyof Events)[] = [
      'test-file-start',
      'test-file-success',
      'test-file-failure',
      'test-case-start',
      'test-case-result',
    ];
    const unsubscribe = names.map((name) => this.others.on(name, (data) => this.events.emit(name, data)));
    try {
      await this.others.runTests(tests, watcher, options);
    } finally {
      for (const stop of unsubscribe) stop();
    }
  }

  private async runLabFiles(
    entries: [Test, string[]][],
    watcher: TestWatcher,
    budget: LaneBudget,
  ): Promise<void> {
    const pattern = this.globalConfig.testNamePattern
      ? new RegExp(this.globalConfig.testNamePattern, 'i')
      : undefined;
    // Every module at once: a loop at the top of raft.ts stops them all, and costs one wait, not one each.
    const lists = listLabTestsOf(entries.flatMap(([, modules]) => modules));
    const files: LabFile[] = [];
    for (const [test, modules] of entries) {
      const file: LabFile = { test, tests: [], results: [], remaining: 0, start: 0 };
      const unlisted = modules.find((moduleFile) => lists.get(moduleFile) instanceof ListingError);
      if (unlisted !== undefined) {
        const error = lists.get(unlisted) as ListingError;
        await this.begin(file);
        // One failing test that says why; no frames: where the listing gave up says nothing about the module.
        const title = unlistedTestName(unlisted);
        file.results.push(
          assertion({ name: title, title, part: '' }, 'failed', 0, [`${error.name}: ${error.message}`]),
        );
        await this.events.emit('test-file-success', [test, fileResult(file, this.globalConfig)]);
        continue;
      }
      for (const moduleFile of modules) {
        for (const listed of lists.get(moduleFile) as ListedTest[]) {
          file.tests.push({
            listed,
            moduleFile,
            selected: pattern === undefined || pattern.test(listed.name),
          });
        }
      }
      files.push(file);
    }

    const history = RunHistory.load(this.globalConfig.rootDir);
    const selected = files.flatMap((file) =>
      file.tests.filter((t) => t.selected).map((entry) => ({ file, ...entry })),
    );
    const queue = history.order(selected, (job) => job.listed.name);
    for (const file of files) file.remaining = file.tests.filter((t) => t.selected).length;
    // A file none of whose tests -t selects is reported at once, every test skipped.
    for (const file of files.filter((f) => f.remaining === 0)) await this.finish(file);

    const lanes = Math.max(1, Math.min(this.globalConfig.maxWorkers, queue.length));
    const watching = this.globalConfig.watch || this.globalConfig.watchAll;
    const pool = new WorkerPool({ maxIdle: lanes, shelf: watching ? WATCH_SHELF : undefined });
    // stderr, as jest's own lines: the reporter writes stderr through at once (between its status lines), while
    // it holds stdout back up to 100 ms, so a test's lines could land after its file's PASS or the summary.
    const write = (text: string): void => void process.stderr.write(text);
    let next = 0;
    const lane = async (index: number): Promise<void> => {
      await budget.open(index);
      while (next < queue.length && !watcher.isInterrupted()) {
        const { file, listed, moduleFile } = queue[next++];
        await this.begin(file);
        const started = Date.now();
        // A run never rejects for what the test did; only for what the host could not do (its bundle did not
        // build, say): that fails this test with the reason, instead of the whole run.
        const verdict = await judgeLabTest(listed, {
          moduleFile,
          testPath: file.test.path,
          pool,
          write,
        }).catch((error: unknown) => ({ passed: false as const, cpuMs: 0, error: asError(error) }));
        history.record(listed.name, verdict.cpuMs, !verdict.passed);
        const result = verdict.passed
          ? assertion(listed, 'passed', Date.now() - started, [])
          : assertion(listed, 'failed', Date.now() - started, [verdict.error.stack ?? String(verdict.error)]);
        file.results.push(result);
        await this.events.emit('test-case-result', [file.test.path, result]);
        if (--file.remaining === 0) await this.finish(file);
      }
    };
    try {
      await Promise.all(Array.from({ length: lanes }, (_, index) => lane(index)));
    } finally {
      await pool.close();
      history.save();
    }
  }

  /** Tell the reporters a file has started, the first time one of its tests does (or it ends untested). */
  private async begin(file: LabFile): Promise<void> {
    if (file.start !== 0) return;
    file.start = Date.now();
    await this.events.emit('test-file-start', [file.test]);
  }

  /** Report a file whose selected tests have all ended: in the module's order, the unselected as skipped. */
  private async finish(file: LabFile): Promise<void> {
    await this.begin(file);
    const byName = new Map(file.results.map((r) => [r.title, r]));
    file.results.splice(
      0,
      file.results.length,
      ...file.tests.map(({ listed }) => byName.get(listed.name) ?? assertion(listed, 'pending', null, [])),
    );
    await this.events.emit('test-file-success', [file.test, fileResult(file, this.globalConfig)]);
  }
}
