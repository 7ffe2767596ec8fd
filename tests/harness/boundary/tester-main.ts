/**
 * The tester's process for a graded run behind the boundary (scripts/grade/execute.ts starts it, built
 * into one bundle from the grader's own checkout): it runs one test, with the code under test in a
 * child process (child.ts) that the grader's sandbox wraps, and writes the RunResult as JSON to fd 3.
 * Nothing of the submission runs here: the test, the network, the clock, the checks and the verdict are
 * the grader's.
 *
 * Request (stdin, JSON): { testName, seed, replay, traceDir, wallLimitMs, child: { command, env,
 * batchLimitMs } }.
 */
import '../random-setup'; // first, as in every entry point: Math.random is locked before anything keeps it
import fs from 'node:fs';
import { boundaryTests } from '../../raft/boundary-tests';
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

async function main(): Promise<void> {
  const request = JSON.parse(fs.readFileSync(0, 'utf8')) as TesterRequest;
  const test = boundaryTests.find((t) => t.name === request.testName);
  if (test === undefined) throw new Error(`no test named ${request.testName}`);
  const lines: string[] = [];
  const result = await runLabTest(test, {
    seed: request.seed,
    replay: request.replay,
    traceDir: request.traceDir,
    wallLimitMs: request.wallLimitMs,
    write: (text) => void lines.push(text),
    studentSide: childStudentSide(request.child),
  });
  fs.writeSync(RESULT_FD, JSON.stringify(reportOf(result)));
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`tester: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(70);
});
