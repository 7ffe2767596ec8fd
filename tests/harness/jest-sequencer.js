// Jest's own test sequencer (longest files first, failed ones first), plus one correction: jest matches a
// path pattern (`npm test -- 2B`) case-insensitively against each test file's ABSOLUTE path, so a checkout
// under a folder whose path contains "2b" (`~/lab2b/`, a commit hash) would run every file. Here a pattern
// that names no folder (no "/") must match the path relative to the project root. A pattern with a "/"
// (`tests/raft/2A.test.ts`, an absolute path) keeps jest's own matching.
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
}

module.exports = LabSequencer;
