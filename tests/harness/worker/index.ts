/**
 * Isolated runs: ONE lab test, ONE seed, in a worker thread, judged by the parent. Used by jest
 * (registerWithJest), the stress runner, the grader and the mutants tool.
 *
 *   import { runIsolated } from '../tests/harness/worker';
 *   const outcome = await runIsolated(
 *     { moduleFile: '/abs/tests/raft/2A.tests.ts', testName: 'Test (2A): initial election', seed: 81 },
 *     { replay: 'LAB_SEED=81 npm test -- 2A', root: '/abs/checkout', onLine: (t) => process.stdout.write(t) },
 *   );
 *   outcome.verdict  // 'pass' | 'fail' | 'hung' | 'out-of-memory' | 'exited' | 'crashed' | 'untrusted'
 *   outcome.message  // the failure text (headline, diagnosis, seed and time, trace, replay)
 *
 * Guarantees:
 * - Never rejects for a misbehaving run (only for a bad spec: a module that does not compile). Every
 *   ending is a verdict with its own message naming the seed, the virtual time and the replay command.
 * - Fresh module state per run: a fresh worker, or with `pool` a worker that earlier runs left clean,
 *   which evaluates the bundle again (pool.ts, leftovers.ts); a failure there is judged by a rerun in a
 *   fresh worker. The test, the harness and the packages all load from `root` (default: this checkout),
 *   bundled once per process (bundle.ts).
 * - Full speed: the worker runs outside any jest sandbox.
 * - Guard rails: a watchdog for loops that never yield (`hangMs`), a hard wall limit, a heap cap
 *   (`memoryMb`), process.exit/abort reported with its call site, real timers used during a virtual run
 *   fail the run with their call site, Math.random locked to the seeded source.
 * - A verdict the code under test cannot fake: the parent takes only messages that carry a per-run nonce
 *   held by the worker's boot code (parentPort and workerData are nulled before any test module loads);
 *   with `verifyTrace`, a pass also needs a saved trace whose lines hash to the reported hash.
 *   Not claimed: code in the worker that patches the harness's own modules or builtins it uses while the
 *   test runs can still lie about the test's outcome; the grader's policy check keeps such code out.
 * - Same module + test + seed ⇒ the same trace hash as an in-process runLabTest run.
 */
export { runIsolated, hungMessage, DEFAULT_HANG_MS, DEFAULT_MEMORY_MB } from './isolated';
export type { IsolatedOptions, IsolatedOutcome, IsolatedSpec, Verdict } from './api';
export { bundleFor, FRAMEWORK_ROOT, type Bundle } from './bundle';
export { WorkerPool, type ParkedWorker } from './pool';
export { labTestsOf, isLabTest } from './discover';
