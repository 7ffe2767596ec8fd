// A node test environment that exposes the host `process` to the sandbox as `__hostProcess`.
// Why: inside jest, `process` is a sandboxed copy, and jest-circus replaces the host's
// unhandledRejection listeners with its own. The virtual-time driver listens on the host process
// so that an unhandled rejection fails the test with the virtual time at which it happened.
const { TestEnvironment } = require('jest-environment-node');

module.exports = class LabEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.global.__hostProcess = process;
  }
};
