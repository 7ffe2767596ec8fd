/**
 * The tester's process for graded runs behind the boundary (scripts/grade/boundary-run.ts starts it,
 * built into one bundle from the grader's own checkout): for each request, one JSON line on stdin, it
 * runs one test with the code under test in a child process (child.ts) that the grader's sandbox wraps,
 * and writes the run's report as one JSON line to fd 3. One run at a time; it exits when stdin ends.
 * Nothing of the submission runs here: the test, the network, the clock, the checks and the verdict are
 * the grader's.
 *
 * Request: { testName, seed, replay, traceDir, wallLimitMs, child: { command, env, batchLimitMs } }.
 */
import '../random-setup'; // first, as in every entry point: Math.random is locked before anything keeps it
import fs from 'node:fs';
import readline from 'node:readline';
import { boundaryTests } from '../../boundary-tests';
import { runLabTest } from '../run';
import { reportOf } from '../worker/in-worker';
import type { WorkerReport } from '../worker/types';
import { childStudentSide, type StudentProcessOptions } from './child';

const RESULT_FD = 3;

interface TesterRequest {
  testName: string;
  seed: number;
  replay: string;
  traceDir: string;
  wallLimitMs: number;
  child: StudentProcessOptions;
}

/** What the tester writes to fd 3: the run's report, as a worker sends it. */
export type TesterResult = WorkerReport;

async function runOne(request: TesterRequest): Promise<void> {
  const test = boundaryTests.find((t) => t.name === request.testName);
  if (test === undefined) throw new Error(`no test named ${request.testName}`);
  const result = await runLabTest(test, {
    seed: request.seed,
    replay: request.replay,
    traceDir: request.traceDir,
    wallLimitMs: request.wallLimitMs,
    write: () => {},
    studentSide: childStudentSide(request.child),
  });
  fs.writeSync(RESULT_FD, `${JSON.stringify(reportOf(result))}\n`);
}

async function main(): Promise<void> {
  const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() !== '') await runOne(JSON.parse(line) as TesterRequest);
  }
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`tester: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(70);
});
