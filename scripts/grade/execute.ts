/**
 * Running one graded test once, for one submission: `runIsolated` (tests/harness/worker) with the
 * submission's workspace as its root, so the test module, the harness and the student's code are all
 * bundled from the workspace's files, in a fresh worker with a heap cap and a watchdog. The parent
 * decides the verdict: a pass needs a report carrying the run's nonce and a saved trace whose lines hash
 * to the reported hash (`verifyTrace`); everything else (fail, hung, out of memory, exited, crashed,
 * untrusted) is a failed run with its message. A workspace whose code does not compile fails every run
 * of that module with the compiler's message.
 */
import fs from 'node:fs';
import { replayCommand } from '../../tests/harness/jest-lab-run';
import { runIsolated, type Verdict } from '../../tests/harness/worker';
import type { Workspace } from './workspace';

export type VerdictKind = Verdict | 'not-built';

export interface RunVerdict {
  readonly test: string;
  readonly seed: number;
  readonly kind: VerdictKind;
  /** The failure as the harness or the parent tells it (first line: the headline). */
  readonly error?: string;
  readonly virtualMs: number;
  readonly wallMs: number;
  readonly traceHash: string;
  readonly traceFile?: string;
  /** `LAB_SEED=… npm test -- <file> -t '<title>'`, to run in the student's own checkout. */
  readonly replay: string;
}

export interface ExecuteOptions {
  readonly hangMs: number;
  /** Heap cap of a run's worker. */
  readonly memoryMb: number;
  /** Where runs' traces and logs go (absolute). */
  readonly traceDir: string;
}

export interface GradedTestRef {
  readonly name: string;
  /** Relative to the project root. */
  readonly moduleFile: string;
  readonly jestFile: string;
}

export function replayFor(test: string, jestFile: string, seed: number): string {
  return replayCommand(seed, jestFile, test);
}

/** The compiler's complaint, with the workspace's paths made relative to the project. */
function buildMessage(error: unknown, root: string): string {
  type EsbuildMessage = { text: string; location?: { file: string; line: number; column: number } | null };
  const errors = (error as { errors?: EsbuildMessage[] }).errors;
  const text =
    errors === undefined || errors.length === 0
      ? String((error as Error).message ?? error)
      : errors
          .slice(0, 5)
          .map((e) =>
            e.location ? `${e.location.file}:${e.location.line}:${e.location.column + 1}: ${e.text}` : e.text,
          )
          .join('\n');
  return text.split(`${root}/`).join('');
}

/** Runs the tests of one workspace. */
export class WorkspaceRunner {
  constructor(
    private readonly ws: Workspace,
    private readonly options: ExecuteOptions,
  ) {}

  /** Workspace paths as the student knows them: `raft/raft.ts:12:5`, not the temporary folder's. */
  private projectPaths(text: string): string {
    const dir = `${this.ws.dir}/`;
    return text.split(dir).join('').split(dir.slice(1)).join('');
  }

  async run(test: GradedTestRef, seed: number): Promise<RunVerdict> {
    const replay = replayFor(test.name, test.jestFile, seed);
    const base = { test: test.name, seed, replay };
    try {
      const outcome = await runIsolated(
        { moduleFile: test.moduleFile, testName: test.name, seed },
        {
          replay,
          root: this.ws.dir,
          hangMs: this.options.hangMs,
          memoryMb: this.options.memoryMb,
          traceDir: this.options.traceDir,
          verifyTrace: true,
          streamDebug: false,
        },
      );
      if (outcome.passed) {
        // Kept only to be verified: a passing run's trace is not worth the disk of a batch.
        const journal = outcome.traceFile?.replace(/\.jsonl$/, '.journal');
        for (const file of [outcome.traceFile, outcome.logFile, journal]) {
          if (file !== undefined) fs.rmSync(file, { force: true });
        }
      }
      return {
        ...base,
        kind: outcome.verdict,
        error: outcome.message === undefined ? undefined : this.projectPaths(outcome.message),
        virtualMs: outcome.virtualMs,
        wallMs: outcome.wallMs,
        traceHash: outcome.traceHash,
        traceFile: outcome.passed ? undefined : outcome.traceFile,
      };
    } catch (error) {
      const error_ =
        `BuildError: the submission does not compile, so ${test.moduleFile} cannot load:\n` +
        buildMessage(error, this.ws.dir);
      return { ...base, kind: 'not-built', error: error_, virtualMs: 0, wallMs: 0, traceHash: '' };
    }
  }
}
