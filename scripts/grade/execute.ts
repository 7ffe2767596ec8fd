/**
 * Running one graded test once, for one submission, in a fresh worker (scripts/stress/pool.ts): the
 * worker loads the test module from the submission's workspace (bundled there, so the harness, the
 * tests and the student's code are one module graph of the workspace's files) and the trusted parent
 * turns whatever happens into a RunVerdict: passed, failed (with the harness's message), hung (the
 * watchdog's), crashed (the worker died or exited), or not built (the code does not compile).
 */
import fs from 'node:fs';
import path from 'node:path';
import { replayCommand } from '../../tests/harness/jest';
import { hungMessage, runInWorker, type PoolResult } from '../stress/pool';
import type { RunSpec } from '../stress/types';
import type { Workspace } from './workspace';

export type VerdictKind = 'passed' | 'failed' | 'hung' | 'crashed' | 'not-built';

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
  /** Where failing runs' traces and logs go. */
  readonly traceDir: string;
}

type Boot = (moduleFile: string) => string;
type PrepareBoot = (moduleFiles: readonly string[], loader: 'bundle', buildDir: string) => Promise<Boot>;

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

export function replayFor(test: string, jestFile: string, seed: number): string {
  return replayCommand(seed, jestFile, test);
}

export function stressReplayFor(test: string, seed: number): string {
  return `npm run stress -- ${shellQuote(test)} -n 1 --seed ${seed}`;
}

/** Runs tests of one workspace. `prepare` first: it bundles each test module (a syntax error shows here). */
export class WorkspaceRunner {
  private readonly boots = new Map<string, Boot>();
  private readonly buildErrors = new Map<string, string>();
  private readonly buildDir: string;

  constructor(
    private readonly ws: Workspace,
    private readonly options: ExecuteOptions,
  ) {
    this.buildDir = path.join(ws.dir, '.lab', 'grade-build');
  }

  /** Bundle these modules (paths relative to the workspace); returns the build error of each that failed. */
  async prepare(moduleFiles: readonly string[]): Promise<ReadonlyMap<string, string>> {
    // The workspace's own copy of the stress runner's bundler: its worker and harness are the workspace's.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a framework file of the workspace
    const bundler = require(path.join(this.ws.dir, 'scripts', 'stress', 'bundle.ts')) as {
      prepareBoot: PrepareBoot;
    };
    for (const [k, rel] of moduleFiles.entries()) {
      try {
        const boot = await bundler.prepareBoot(
          [path.join(this.ws.dir, rel)],
          'bundle',
          path.join(this.buildDir, String(k)),
        );
        this.boots.set(rel, boot);
      } catch (error) {
        this.buildErrors.set(rel, buildMessage(error));
      }
    }
    return this.buildErrors;
  }

  async run(
    test: { name: string; moduleFile: string; jestFile: string; part: string },
    seed: number,
  ): Promise<RunVerdict> {
    const replay = replayFor(test.name, test.jestFile, seed);
    const base = { test: test.name, seed, replay };
    const boot = this.boots.get(test.moduleFile);
    if (boot === undefined) {
      const error = `BuildError: the submission does not compile, so ${test.moduleFile} cannot load:\n${this.buildErrors.get(test.moduleFile) ?? 'not prepared'}`;
      return { ...base, kind: 'not-built', error, virtualMs: 0, wallMs: 0, traceHash: '' };
    }
    const moduleFile = path.join(this.ws.dir, test.moduleFile);
    const spec: RunSpec = {
      test: { name: test.name, part: test.part, moduleFile, jestFile: undefined },
      seed,
    };
    fs.mkdirSync(this.options.traceDir, { recursive: true });
    const result = await runInWorker(spec, {
      hangMs: this.options.hangMs,
      boot,
      input: () => ({
        testName: test.name,
        seed,
        replay,
        realtime: false,
        traceDir: this.options.traceDir,
        keepTrace: false,
      }),
    });
    return { ...base, ...this.verdictOf(result) };
  }

  private verdictOf(result: PoolResult): Omit<RunVerdict, 'test' | 'seed' | 'replay'> {
    switch (result.kind) {
      case 'report': {
        const r = result.report;
        const kind: VerdictKind = r.passed ? 'passed' : 'failed';
        return {
          kind,
          error: r.error,
          virtualMs: r.virtualMs,
          wallMs: r.wallMs,
          traceHash: r.traceHash,
          traceFile: r.traceFile,
        };
      }
      case 'hung':
        return {
          kind: 'hung',
          error: hungMessage(result.virtualMs, this.options.hangMs),
          virtualMs: result.virtualMs,
          wallMs: result.wallMs,
          traceHash: '',
        };
      case 'crashed':
        return {
          kind: 'crashed',
          error: result.error,
          virtualMs: result.virtualMs,
          wallMs: result.wallMs,
          traceHash: '',
        };
    }
  }
}

function buildMessage(error: unknown): string {
  const errors = (
    error as { errors?: Array<{ text: string; location?: { file: string; line: number; column: number } }> }
  ).errors;
  if (errors === undefined || errors.length === 0) return String((error as Error).message ?? error);
  return errors
    .slice(0, 5)
    .map((e) =>
      e.location ? `${e.location.file}:${e.location.line}:${e.location.column + 1}: ${e.text}` : e.text,
    )
    .join('\n');
}
