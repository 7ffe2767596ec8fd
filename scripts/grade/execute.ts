/**
 * Running one graded test once, for one submission, behind the boundary (boundary-run.ts): the tester —
 * the grader's own test, network, clock, checks and verdict — runs in a process built from the grader's
 * checkout, and only the submission's code runs, in a child of its own inside the sandbox (sandbox.ts),
 * bundled from the workspace. Whatever that code does ends its own run only, with the reason.
 *
 * A workspace whose code does not compile, or whose bundle reaches outside the workspace and its
 * packages, fails every run with the reason. The child writes only to a scratch folder of its own, which
 * goes when the run ends; the tester writes the run's trace into the out folder itself.
 */
import fs from 'node:fs';
import path from 'node:path';
import { replayCommand } from '../../tests/harness/jest-lab-run';
import type { Verdict } from '../../tests/harness/worker';
import { buildBoundaryChild, bundleInputs } from '../../tests/harness/worker/bundle';
import { runBehindBoundary } from './boundary-run';
import type { Sandbox } from './sandbox';
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
  /** The sandbox each run's process starts in. */
  readonly sandbox: Sandbox;
  /** Pin each run's tester and child main threads to the lane's core (boundary-run.ts). */
  readonly pin: boolean;
  /** Where the runs' scratch folders are made (absolute; a folder nobody else can list). */
  readonly scratchDir: string;
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

/** Whether `error` is esbuild's: the submission's code did not build. */
function isBuildFailure(error: unknown): boolean {
  return Array.isArray((error as { errors?: unknown } | null)?.errors);
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

/** Memory a run's process may use beyond its worker's heap cap: the main thread, code, buffers. */
const PROCESS_MEMORY_MARGIN_MB = 2048;

/**
 * The first source a bundle was built from that lies outside the workspace and its packages, if any:
 * a specifier like `some-package/../../raft/raft` resolves through the node_modules link to the grader's
 * own checkout, where the reference solution is.
 */
function outsideWorkspace(root: string, bundleFile: string): string | undefined {
  const realRoot = fs.realpathSync(root);
  const modules = fs.realpathSync(path.join(root, 'node_modules'));
  const inside = (file: string, dir: string): boolean => file === dir || file.startsWith(`${dir}${path.sep}`);
  const inputs = bundleInputs(bundleFile);
  if (inputs === undefined) return `(the sources of ${bundleFile}: its manifest is missing)`;
  for (const input of inputs) {
    let real: string;
    try {
      real = fs.realpathSync(path.resolve(root, input));
    } catch {
      return input;
    }
    const inModules = inside(real, modules);
    if (!inModules && !inside(real, realRoot)) return input;
    if (!inModules && inside(real, path.join(realRoot, 'node_modules'))) return input;
  }
  return undefined;
}

/** Runs the tests of one workspace. */
export class WorkspaceRunner {
  private scratchCount = 0;
  /** outsideWorkspace of each bundle, checked once: every run of a module runs the same bundle. */
  private readonly outside = new Map<string, string | undefined>();

  constructor(
    private readonly ws: Workspace,
    private readonly options: ExecuteOptions,
  ) {}

  /** Workspace paths as the student knows them: `raft/raft.ts:12:5`, not the temporary folder's. */
  private projectPaths(text: string): string {
    // The workspace as an absolute path, or relative to some folder (`../../tmp/grade-…/ws-…/`).
    const dir = this.ws.dir.replace(/^\//, '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return text.replace(new RegExp(`(?:\\.\\./)*/?${dir}/`, 'g'), '');
  }

  /** A folder only this run may write, and only the parent reads. */
  private scratch(): string {
    const dir = path.join(this.options.scratchDir, `${path.basename(this.ws.dir)}-${++this.scratchCount}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.chmodSync(dir, 0o777); // the run may be another user (sandbox.ts)
    return dir;
  }

  async run(test: GradedTestRef, seed: number): Promise<RunVerdict> {
    const replay = replayFor(test.name, test.jestFile, seed);
    const base = { test: test.name, seed, replay };
    const { sandbox, memoryMb, hangMs, pin } = this.options;
    let scratch: string | undefined;
    try {
      const childBundle = await buildBoundaryChild(this.ws.dir);
      if (!this.outside.has(childBundle))
        this.outside.set(childBundle, outsideWorkspace(this.ws.dir, childBundle));
      const outside = this.outside.get(childBundle);
      if (outside !== undefined) {
        return {
          ...base,
          kind: 'not-built',
          error:
            `BuildError: the submission's code imports ${outside}, outside its own folders and the packages: ` +
            'only the lab folders (raft/, kvraft/, shardctrler/, shardkv/) and the packages in package.json can be imported.',
          virtualMs: 0,
          wallMs: 0,
          traceHash: '',
        };
      }
      scratch = this.scratch();
      const outcome = await runBehindBoundary({
        testName: test.name,
        seed,
        replay,
        workspace: this.ws.dir,
        childBundle,
        traceDir: this.options.traceDir,
        scratch,
        sandbox,
        memoryMb,
        marginMb: PROCESS_MEMORY_MARGIN_MB,
        hangMs,
        pin,
      });
      return {
        ...base,
        ...outcome,
        error: outcome.error === undefined ? undefined : this.projectPaths(outcome.error),
      };
    } catch (error) {
      const none = { virtualMs: 0, wallMs: 0, traceHash: '' };
      if (!isBuildFailure(error)) {
        // The grader's own fault, not the submission's: say so rather than blame its code.
        const why = error instanceof Error ? (error.stack ?? error.message) : String(error);
        return {
          ...base,
          kind: 'crashed',
          error: `HarnessError: the grader failed to run this test: ${why}`,
          ...none,
        };
      }
      const error_ =
        `BuildError: the submission does not compile, so no test can run it:\n` +
        buildMessage(error, this.ws.dir);
      return { ...base, kind: 'not-built', error: error_, ...none };
    } finally {
      if (scratch !== undefined) fs.rmSync(scratch, { recursive: true, force: true });
    }
  }
}
