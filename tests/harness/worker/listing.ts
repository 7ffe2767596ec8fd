/**
 * `listLabTests(moduleFile)`: the lab tests a module exports (name, part, title), learned without loading
 * the module, or anything it imports, in this process.
 *
 * Why: a host must know the titles before it runs anything (jest declares one `it` per test as the file
 * loads; the stress runner selects and plans). Importing the test module for that runs the student's code
 * at load in the host itself, and a loop at the top of raft.ts then hung `npm test` for ever, with no
 * output. Here the module is bundled (esbuild, synchronously) and evaluated in a throwaway worker thread
 * that writes the list into shared memory; the host waits for it at most LIST_LIMIT_MS and then reports a
 * module that never finished loading, or the error it threw, as a ListingError naming the file.
 * `listLabTestsOf(modules)` lists several at once, side by side: when raft.ts loops at load, every module
 * that imports it does, and the host waits LIST_LIMIT_MS once for all of them (`npm test`: ~30 s, where
 * one module after another took 30 s each, six minutes for the whole suite).
 *
 * The list is cached beside the bundles (`.lab/build/*.tests.json`) with the content hash of every source
 * the module was built from, so a later process whose sources are unchanged reads it in a few
 * milliseconds instead of bundling and evaluating (~0.2 s).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { buildSync, version } from 'esbuild';
import { contentHash, FRAMEWORK_ROOT, writeAtomically } from './bundle';

/** One lab test as a host needs it before running anything. */
export interface ListedTest {
  /** The printed title, e.g. "Test (2A): initial election". */
  readonly name: string;
  readonly part: string;
  /** The title as the test module writes it (where a frameless failure points). */
  readonly title: string;
}

/** A test module that could not be listed: it does not compile, it threw at load, or it never finished. */
export class ListingError extends Error {
  override name = 'ListingError';
}

/** How long a module may take to load before the listing gives up on it. */
export const LIST_LIMIT_MS = 30_000;
/** The name the generated entry goes by in the bundle (not a file). */
const LISTING_ENTRY = 'lab-listing.ts';
/** Room for the answer (the JSON of the list, or an error's text). */
const ANSWER_BYTES = 1 << 20;

interface Cached {
  readonly builder: string;
  readonly inputs: Record<string, string>;
  readonly tests: ListedTest[];
}

/** Changes to this file or to esbuild make every cached list stale. */
const BUILDER = createHash('sha256').update(fs.readFileSync(__filename)).update(version).digest('hex');

function cacheFile(moduleFile: string, root: string): string {
  const key = createHash('sha256').update(`${root}\0${moduleFile}`).digest('hex').slice(0, 16);
  return path.join(root, '.lab', 'build', `${path.basename(moduleFile, '.ts')}-${key}.tests.json`);
}

function fromCache(file: string, root: string): ListedTest[] | undefined {
  try {
    const cached = JSON.parse(fs.readFileSync(file, 'utf8')) as Cached;
    if (cached.builder !== BUILDER) return undefined;
    for (const [input, hash] of Object.entries(cached.inputs)) {
      if (contentHash(path.resolve(root, input)) !== hash) return undefined;
    }
    return cached.tests;
  } catch {
    return undefined; // none yet, or a source gone
  }
}

// The worker's code: evaluate the bundle (its entry lists the module's tests with labTestsOf), answer
// with the list (status 1) or the error (status 2).
const WORKER_CODE = `
const { workerData } = require('node:worker_threads');
const path = require('node:path');
const vm = require('node:vm');
const { createRequire } = require('node:module');
const state = new Int32Array(workerData.shared, 0, 2);
const bytes = new Uint8Array(workerData.shared, 8);
function answer(status, value) {
  const data = Buffer.from(JSON.stringify(value));
  const n = Math.min(data.length, bytes.length);
  bytes.set(data.subarray(0, n));
  state[1] = n;
  Atomics.store(state, 0, status);
  Atomics.notify(state, 0);
}
try {
  const file = workerData.file;
  const run = vm.compileFunction(workerData.text, ['exports', 'require', 'module', '__filename', '__dirname'], { filename: file });
  const module = { exports: {} };
  run(module.exports, createRequire(file), module, file, path.dirname(file));
  answer(1, module.exports.listed);
} catch (error) {
  answer(2, error instanceof Error ? error.name + ': ' + error.message : String(error));
}
`;

/** A module's listing under way: its bundle evaluating in a throwaway worker that answers in `shared`. */
interface Evaluation {
  readonly rel: string;
  readonly cache: string;
  readonly inputs: Record<string, string>;
  readonly state: Int32Array;
  readonly shared: SharedArrayBuffer;
  readonly worker: Worker;
}

/** What listing a module takes: its list from the cache, an error already, or an evaluation to wait for. */
type Listing = { readonly tests: ListedTest[] } | { readonly error: ListingError } | Evaluation;

/** Bundle `moduleFile`'s listing entry and start evaluating it, unless the cache has its list. */
function startListing(moduleFile: string, root: string): Listing {
  const rel = path.relative(process.cwd(), moduleFile) || moduleFile;
  const cache = cacheFile(moduleFile, root);
  const cached = fromCache(cache, root);
  if (cached !== undefined) return { tests: cached };
  // The entry lists the tests as every host does (discover.ts), so "what is a lab test" is said once.
  const entry = [
    `import * as mod from ${JSON.stringify(moduleFile)};`,
    `import { labTestsOf } from ${JSON.stringify(path.join(root, 'tests', 'harness', 'worker', 'discover.ts'))};`,
    'export const listed = labTestsOf(mod).map(({ name, part, title }) => ({ name, part, title }));',
  ].join('\n');
  let built;
  try {
    built = buildSync({
      absWorkingDir: root,
      stdin: { contents: entry, resolveDir: root, loader: 'ts', sourcefile: LISTING_ENTRY },
      bundle: true,
      write: false,
      metafile: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      packages: 'external',
      logLevel: 'silent',
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { error: new ListingError(`${rel} does not compile, so its tests cannot be listed: ${message}`) };
  }
  const inputs: Record<string, string> = {};
  for (const input of Object.keys(built.metafile.inputs)) {
    if (input !== LISTING_ENTRY) inputs[input] = contentHash(path.resolve(root, input));
  }
  const shared = new SharedArrayBuffer(8 + ANSWER_BYTES);
  const worker = new Worker(WORKER_CODE, {
    eval: true,
    workerData: { text: built.outputFiles[0].text, file: moduleFile, shared },
    execArgv: [],
    stdout: true, // what the module prints at load is not the host's output
    stderr: true,
  });
  return { rel, cache, inputs, state: new Int32Array(shared, 0, 2), shared, worker };
}

/** Wait for an evaluation until `deadline` (performance.now()), end its worker, and cache a list. */
function settle(evaluation: Evaluation, deadline: number, limitMs: number): ListedTest[] | ListingError {
  const { rel, state, shared } = evaluation;
  const waited = Atomics.wait(state, 0, 0, Math.max(0, deadline - performance.now()));
  void evaluation.worker.terminate();
  if (waited === 'timed-out' && Atomics.load(state, 0) === 0) {
    return new ListingError(
      `${rel} was still loading after ${limitMs / 1000} s (a loop at the top level of a module it ` +
        'imports, raft/ or kvraft/ included?), so its tests cannot be listed.',
    );
  }
  const answer = JSON.parse(Buffer.from(new Uint8Array(shared, 8, state[1])).toString('utf8')) as unknown;
  if (Atomics.load(state, 0) === 2) {
    return new ListingError(`${rel} threw while loading, so its tests cannot be listed: ${String(answer)}`);
  }
  const tests = answer as ListedTest[];
  const cached: Cached = { builder: BUILDER, inputs: evaluation.inputs, tests };
  fs.mkdirSync(path.dirname(evaluation.cache), { recursive: true });
  writeAtomically(evaluation.cache, JSON.stringify(cached));
  return tests;
}

/**
 * The lab tests of each module in `moduleFiles` (absolute), in order, or the ListingError that says why a
 * module has none (see the header). The modules load side by side, so several that never finish loading
 * (a loop at the top of raft.ts stops every module that imports it) cost one `limitMs`, not one each.
 */
export function listLabTestsOf(
  moduleFiles: readonly string[],
  root: string = FRAMEWORK_ROOT,
  limitMs: number = LIST_LIMIT_MS,
): Map<string, ListedTest[] | ListingError> {
  const started = new Map([...new Set(moduleFiles)].map((file) => [file, startListing(file, root)]));
  const deadline = performance.now() + limitMs;
  const lists = new Map<string, ListedTest[] | ListingError>();
  try {
    for (const [file, listing] of started) {
      if ('tests' in listing) lists.set(file, listing.tests);
      else if ('error' in listing) lists.set(file, listing.error);
      else lists.set(file, settle(listing, deadline, limitMs));
    }
  } finally {
    // Should anything throw half-way, no module is left looping in a thread of this process.
    for (const listing of started.values()) if ('worker' in listing) void listing.worker.terminate();
  }
  return lists;
}

/**
 * The lab tests `moduleFile` (absolute) exports, in order (see the header). Throws a ListingError.
 * `limitMs`: how long the module may take to load (default LIST_LIMIT_MS).
 */
export function listLabTests(
  moduleFile: string,
  root: string = FRAMEWORK_ROOT,
  limitMs: number = LIST_LIMIT_MS,
): ListedTest[] {
  const listed = listLabTestsOf([moduleFile], root, limitMs).get(moduleFile);
  if (listed instanceof ListingError) throw listed;
  return listed ?? [];
}
