/**
 * Running one graded test once, for one submission: `runIsolated` (tests/harness/worker) with the
 * submission's workspace as its root, so the test module, the harness and the student's code are all
 * bundled from the workspace's files, in a process of its own (inside the sandbox, sandbox.ts) holding a
 * fresh worker with a heap cap and a watchdog. Whatever the run does ends that process only.
 *
 * The parent decides the verdict: a pass needs a report carrying the run's nonce and a saved trace whose
 * lines hash to the reported hash (`verifyTrace`); everything else (fail, hung, out of memory, exited,
 * crashed, untrusted) is a failed run with its message. A run writes only to a scratch folder of its own;
 * the parent copies a failing run's trace and log from there into the out folder. A workspace whose code
 * does not compile, or whose bundle reaches outside the workspace and its packages, fails every run of
 * that module with the reason.
 */
import fs from 'node:fs';
import path from 'node:path';
import { replayCommand } from '../../tests/harness/jest-lab-run';
import { bundleFor, runIsolated, type Verdict } from '../../tests/harness/worker';
import { bundleInputs } from '../../tests/harness/worker/bundle';
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
  /** Where the runs' scratch folders are made (absolute; a folder nobody else can list). */
  readonly scratchDir: string;
}

export interface GradedTestRef {
  readonly name: string;
  /** Relative to the project root. */
  readonly moduleFile: string;
  readonly jestFile: string;
}

/**
 * Whether a test runs behind the boundary (boundary-run.ts): the Raft parts, 2A–2E, whose tester speaks
 * to the code under test only through messages. The KV and Lab 4 parts still run whole in the sandboxed
 * process, with their tester beside the code under test (docs/grading.md says what that leaves open).
 */
export function runsBehindBoundary(testName: string): boolean {
  return /^Test \(2[A-E]\)/.test(testName);
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

/** How much of a failing run's trace or log the out folder keeps. */
const KEPT_BYTES = 64 * 2 ** 20;
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

  /** Move a failing run's files from its scratch folder to the out folder; returns the new paths' mapping. */
  private keep(files: ReadonlyArray<string | undefined>, scratch: string): Map<string, string> {
    const moved = new Map<string, string>();
    fs.mkdirSync(this.options.traceDir, { recursive: true });
    for (const file of files) {
      if (file === undefined || path.dirname(path.resolve(file)) !== scratch || !fs.existsSync(file))
        continue;
      const target = path.join(this.options.traceDir, path.basename(file));
      // Read and write, not rename: the parent writes the out folder's files itself, as its own user; and
      // at most KEPT_BYTES of each, so that a run logging without end cannot fill the out folder.
      const size = fs.statSync(file).size;
      const fd = fs.openSync(file, 'r');
      try {
        const bytes = Buffer.alloc(Math.min(size, KEPT_BYTES));
        fs.readSync(fd, bytes, 0, bytes.length, 0);
        fs.writeFileSync(target, bytes);
        if (size > KEPT_BYTES) fs.appendFileSync(target, `\n[cut by the grader: ${size} bytes in all]\n`);
      } finally {
        fs.closeSync(fd);
      }
      moved.set(file, target);
    }
    return moved;
  }

  async run(test: GradedTestRef, seed: number): Promise<RunVerdict> {
    const replay = replayFor(test.name, test.jestFile, seed);
    const base = { test: test.name, seed, replay };
    const { sandbox, memoryMb, hangMs } = this.options;
    let scratch: string | undefined;
    try {
      if (runsBehindBoundary(test.name)) {
        scratch = this.scratch();
        const outcome = await runBehindBoundary({
          testName: test.name,
          seed,
          replay,
          workspace: this.ws.dir,
          traceDir: this.options.traceDir,
          scratch,
          sandbox,
          memoryMb,
          marginMb: PROCESS_MEMORY_MARGIN_MB,
          hangMs,
        });
        return {
          ...base,
          ...outcome,
          error: outcome.error === undefined ? undefined : this.projectPaths(outcome.error),
        };
      }
      const bundle = await bundleFor(path.resolve(this.ws.dir, test.moduleFile), this.ws.dir);
      if (!this.outside.has(bundle.run))
        this.outside.set(bundle.run, outsideWorkspace(this.ws.dir, bundle.run));
      const outside = this.outside.get(bundle.run);
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
      const writable = scratch;
      const readOnly = [this.ws.dir, fs.realpathSync(path.join(this.ws.dir, 'node_modules'))];
      const outcome = await runIsolated(
        { moduleFile: test.moduleFile, testName: test.name, seed },
        {
          replay,
          root: this.ws.dir,
          hangMs,
          memoryMb,
          traceDir: scratch,
          verifyTrace: true,
          streamDebug: false,
          ownProcess: {
            wrap: (command) =>
              sandbox.wrap(
                command,
                { readOnly, writable, cwd: this.ws.dir },
                { memoryMb: memoryMb + PROCESS_MEMORY_MARGIN_MB, cpuSeconds: 600 },
              ),
          },
        },
      );
      let error = outcome.message;
      let traceFile: string | undefined;
      if (!outcome.passed) {
        const journal = outcome.traceFile?.replace(/\.jsonl$/, '.journal');
        const moved = this.keep([outcome.traceFile, outcome.logFile, journal], scratch);
        for (const [from, to] of moved) error = error?.split(from).join(to);
        traceFile = outcome.traceFile === undefined ? undefined : moved.get(outcome.traceFile);
      }
      return {
        ...base,
        kind: outcome.verdict,
        error: error === undefined ? undefined : this.projectPaths(error),
        virtualMs: outcome.virtualMs,
        wallMs: outcome.wallMs,
        traceHash: outcome.traceHash,
        traceFile,
      };
    } catch (error) {
      const error_ =
        `BuildError: the submission does not compile, so ${test.moduleFile} cannot load:\n` +
        buildMessage(error, this.ws.dir);
      return { ...base, kind: 'not-built', error: error_, virtualMs: 0, wallMs: 0, traceHash: '' };
    } finally {
      if (scratch !== undefined) fs.rmSync(scratch, { recursive: true, force: true });
    }
  }
}
