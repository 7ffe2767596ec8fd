/**
 * The boundary section of `npm run bench`: what it costs to run the code under test in a child process,
 * as the grader does, against the same test and seed in this thread (`npm test`'s way), measured in the
 * same run. One heavy test per part where the cost shows: a Raft test with crashes, two KV tests whose
 * logs grow long (their persister saves cross the boundary as patches), and a Lab 4 test with restarts.
 *
 *   in-process   the test in this thread, after one warm-up run of it: the baseline
 *   child        the same test and seed with the code under test in a fresh child process (no sandbox),
 *                as one graded run: its start, its cold JIT and every exchange included, and the two
 *                main threads on one core where they can be, as the grader puts them (affinity.ts)
 *
 * Each row gives the exchanges (one per virtual instant that had anything for the child), the bytes that
 * crossed each way, and checks that both ways gave the same trace hash.
 */
import { runLabTest } from '../../tests/harness';
import { ChildTransport, type StudentProcessOptions } from '../../tests/harness/boundary/child';
import { canPin } from '../../tests/harness/boundary/affinity';
import type { StudentSideFactory } from '../../tests/harness/lab-test';
import { FRAMEWORK_ROOT, buildBoundaryChild } from '../../tests/harness/worker/bundle';
import { boundaryTests } from '../../tests/boundary-tests';

const TESTS = [
  'Test (2C): Figure 8 (unreliable)',
  'Test: many clients (3A)',
  'Test: restarts, snapshots, one client (3B)',
  'Test: concurrent configuration change and restart',
];
const SEED = 11;
const realNow = performance.now.bind(performance);

type Row = [string, string, string, string];

const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MB`;

export async function boundaryRows(): Promise<Row[]> {
  const options: StudentProcessOptions = {
    command: [process.execPath, await buildBoundaryChild(FRAMEWORK_ROOT)],
    batchLimitMs: 30_000,
    cpu: canPin() ? 0 : undefined,
  };
  const rows: Row[] = [];
  for (const name of TESTS) {
    const test = boundaryTests.find((t) => t.name === name);
    if (test === undefined) throw new Error(`bench: no test named ${name}`);
    const quiet = { seed: SEED, replay: 'bench', write: () => {} };
    await runLabTest(test, quiet); // warm-up: the baseline is this thread at its best
    let start = realNow();
    const here = await runLabTest(test, quiet);
    const hereMs = realNow() - start;
    let transport: ChildTransport | undefined;
    const studentSide: StudentSideFactory = (seed, fail) =>
      (transport = new ChildTransport(options, seed, fail));
    start = realNow();
    const child = await runLabTest(test, { ...quiet, studentSide });
    const childMs = realNow() - start;
    if (here.error || child.error) throw here.error ?? child.error;
    if (here.traceHash !== child.traceHash) {
      throw new Error(`bench: ${name} gave trace ${child.traceHash} in a child, ${here.traceHash} here`);
    }
    const traffic = transport?.traffic ?? { exchanges: 0, bytesIn: 0, bytesOut: 0 };
    rows.push([
      `${name} (${(child.virtualMs / 1000).toFixed(1)} virtual s)`,
      `child ${(childMs / 1000).toFixed(2)} s: ${traffic.exchanges.toLocaleString('en')} exchanges, ` +
        `${mb(traffic.bytesOut)} out, ${mb(traffic.bytesIn)} in`,
      `in-process ${(hereMs / 1000).toFixed(2)} s`,
      `${(childMs / hereMs).toFixed(1)}×`,
    ]);
  }
  return rows;
}
