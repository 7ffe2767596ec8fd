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

export interface TesterResult {
  passed: boolean;
  error?: string;
  virtualMs: number;
  wallMs: number;
  cpuMs: number;
  traceHash: string;
  traceFile?: string;
  logFile?: string;
}

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
  const out: TesterResult = {
    passed: result.passed,
    error: result.error?.message,
    virtualMs: result.virtualMs,
    wallMs: result.wallMs,
    cpuMs: result.cpuMs,
    traceHash: result.traceHash,
    traceFile: result.traceFile,
    logFile: result.logFile,
  };
  fs.writeSync(RESULT_FD, JSON.stringify(out));
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`tester: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(70);
});
