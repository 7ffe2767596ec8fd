// The node test environment for every jest file, with two additions:
// - It exposes the host `process` to the sandbox as `__hostProcess`. Why: inside jest, `process` is a
//   sandboxed copy, and jest-circus replaces the host's unhandledRejection listeners with its own. The
//   virtual-time driver listens on the host process so that an unhandled rejection fails the test with
//   the virtual time at which it happened.
// - Real timers started while the file's modules load (a student's `setInterval` at the top of raft.ts:
//   a lab test file imports the tests, and through them raft/, to learn the titles) are cleared when the
//   file is done. Left running, such a timer kept `npm test -- 2A` alive after its last test, forever.
//   Timers a test starts are the test's own business, as before.
// - It keeps a shelf of idle lab worker threads for the whole jest worker process (`__labWorkerShelf()`,
//   a function so that jest's cleanup of the sandbox's globals never walks into it): the next lab test
//   file's pool takes its worker from there, with the simulation already compiled and warm
//   (tests/harness/worker/pool.ts). This module loads once per process; each file's sandbox does not.
const { TestEnvironment } = require('jest-environment-node');

const WORKER_SHELF = [];

const KINDS = [
  ['setTimeout', 'clearTimeout'],
  ['setInterval', 'clearInterval'],
  ['setImmediate', 'clearImmediate'],
];

module.exports = class LabEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.global.__hostProcess = process;
    this.global.__labWorkerShelf = () => WORKER_SHELF;
    this.loading = true;
    this.startedAtLoad = [];
    for (const [start, clear] of KINDS) {
      const real = this.global[start];
      const env = this;
      this.global[start] = function (...args) {
        const timer = real.apply(this, args);
        if (env.loading) env.startedAtLoad.push(() => env.global[clear](timer));
        return timer;
      };
    }
  }

  async handleTestEvent(event) {
    if (event.name === 'run_start') this.loading = false;
  }

  async teardown() {
    for (const clear of this.startedAtLoad) clear();
    this.startedAtLoad = [];
    await super.teardown();
  }
};
