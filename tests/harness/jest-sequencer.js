// Jest's own test sequencer (longest files first, failed ones first), plus one correction: jest matches a
// path pattern (`npm test -- 2B`) case-insensitively against each test file's ABSOLUTE path, so a checkout
// under a folder whose path contains "2b" (`~/lab2b/`, a commit hash) would run every file. Here a pattern
// that names no folder (no "/") must match the path relative to the project root. A pattern with a "/"
// (`tests/raft/2A.test.ts`, an absolute path) keeps jest's own matching.
// And one more: jest estimates a run's time from each file's runtime in the last run ("estimated 75 s").
// A test that a watchdog stopped (HungRun, OutOfMemory) took the watchdog's time, not its own, so its
// time is left out of what the estimate remembers.
const path = require('node:path');

// The sequencer jest itself uses, found the way jest finds it (it is jest's dependency, not ours).
const from = (id, file) => require.resolve(id, { paths: [path.dirname(file)] });
const jestConfig = from('jest-config', from('@jest/core', require.resolve('jest')));
const Sequencer = require(from('@jest/test-sequencer', jestConfig)).default;

class LabSequencer extends Sequencer {
  constructor(options) {
    super(options);
    const patterns = options.globalConfig.testPathPatterns;
    this.patterns = (patterns && patterns.patterns) || [];
  }

  keeps(test) {
    if (this.patterns.length === 0) return true;
    const relative = path.relative(test.context.config.rootDir, test.path).split(path.sep).join('/');
    return this.patterns.some((pattern) => {
      const regex = new RegExp(pattern, 'i');
      return pattern.includes('/') ? regex.test(test.path) || regex.test(relative) : regex.test(relative);
    });
  }

  sort(tests) {
    return super.sort(tests.filter((test) => this.keeps(test)));
  }

  cacheResults(tests, results) {
    // The runtime jest remembered for each file before this run (its cache, read by the base class).
    const previous = new Map();
    for (const test of tests) {
      const entry = this._getCache(test)[test.path];
      if (Array.isArray(entry) && typeof entry[1] === 'number') previous.set(test.path, entry[1]);
    }
    const testResults = results.testResults.map((file) =>
      withoutStoppedRuns(file, previous.get(file.testFilePath)),
    );
    super.cacheResults(tests, { ...results, testResults });
  }
}

/** A watchdog's verdict, as the first line of a failure: the run's time says nothing about the test. */
const STOPPED = /^(?:\S+: )?(?:HungRun|OutOfMemory)\b/;

/** A file's result whose runtime leaves out the runs a watchdog stopped (the time remembered before, if any). */
function withoutStoppedRuns(file, before) {
  const stopped = file.testResults.filter((r) => r.failureMessages.some((m) => STOPPED.test(m)));
  const { runtime } = file.perfStats;
  if (stopped.length === 0 || typeof runtime !== 'number') return file;
  const lost = stopped.reduce((sum, r) => sum + (r.duration ?? 0), 0);
  const kept = before ?? Math.max(0, runtime - lost);
  return { ...file, perfStats: { ...file.perfStats, runtime: kept } };
}

module.exports = LabSequencer;
