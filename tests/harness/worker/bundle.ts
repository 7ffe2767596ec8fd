/**
 * How an isolated worker loads TypeScript: two CommonJS bundles built by esbuild (which tsx brings along).
 *
 * - The host bundle, one per project root, loads once per worker (boot.js): prologue.ts (real timers
 *   captured, tripwires installed), random-setup.ts (the locked Math.random wrapper), leftovers.ts (what
 *   a run left in the realm), and the framework modules every run shares (shared-modules.ts: the network
 *   and codec, the driver and trace, the invariant monitor, the linearizability checker, with the packages
 *   they import). The first three hold the realm's one-of-a-kind state, so they must never load twice in
 *   one worker; the framework stays loaded so that the code V8 optimised for one run still fits the next.
 * - The run bundle, one per test module: the test module with everything else it imports (the student's
 *   code, the configs), the packages too, and in-worker.ts, whose `runWorker` the bundle's `main` calls.
 *   boot.js compiles it once and evaluates it again for every run, which is what gives each run fresh
 *   module state in a reused worker; its imports of shared modules are left as `lab-shared:` requests
 *   that boot.js answers with the host bundle's instances. Packages are bundled so that their module
 *   state is fresh per run as well (lodash's uniqueId counter, say); only native ones (NATIVE_PACKAGES)
 *   stay external. Evaluating a compiled function again keeps V8's compiled code and type feedback
 *   warm, but not its hidden classes: each evaluation makes new classes (hence shared-modules.ts).
 *
 * Everything comes from the same project root as the test module (`root`: the harness of that root, its
 * packages from `<root>/node_modules`), so a grader can run a submission copied into another checkout.
 *
 * Bundles are cached three times: in this process per (root, module); on disk under a name derived from
 * their content, so stale ones never load; and by a manifest per (root, module) listing the content hash
 * of every source file the bundle was built from, so a later process (each jest worker, each `npm test`)
 * whose sources are unchanged loads the bundle without building it again (a build of the KV tests' bundle
 * costs about half a second of CPU; checking the manifest, a few milliseconds). The hashes are of
 * contents, not modification times: a grader unpacking two submissions whose files have the same size and
 * time must never run the first one's bundle for the second.
 * Bundled modules see their own source folder in `__dirname` / `__filename` (a plugin rewrites them).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { build, version, type Plugin } from 'esbuild';
import { findLabModules } from './discover';
import { sharedModuleFiles, sharedRequest } from './shared-modules';
import { STUDENT_CLASS } from '../boundary/protocol';

/** This checkout's root (tests/harness/worker → ../../..). */
export const FRAMEWORK_ROOT = path.resolve(__dirname, '../../..');

const HARNESS = path.join('tests', 'harness');
/** The name of the bundle that holds every lab test module of a project. */
const LAB_BUNDLE = 'lab-tests';
/** The name the generated entry module goes by in the bundle (see entryFor). */
const ENTRY = 'lab-entry.ts';
/** Packages with compiled parts, which cannot be bundled (msgpackr loads msgpackr-extract if present). */
const NATIVE_PACKAGES = ['msgpackr-extract', 'esbuild'];
/** Rewrite __dirname/__filename in each bundled source to its original location. */
const keepDirname: Plugin = {
  name: 'keep-dirname',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, (args) => {
      const text = fs.readFileSync(args.path, 'utf8');
      const contents = text
        .replace(/\b__dirname\b/g, JSON.stringify(path.dirname(args.path)))
        .replace(/\b__filename\b/g, JSON.stringify(args.path));
      return { contents, loader: 'ts' };
    });
  },
};

/**
 * Leave the host bundle's modules out of a run bundle: an import that resolves to a shared module
 * (shared-modules.ts) becomes an external `lab-shared:` request, which boot.js answers with the host
 * bundle's instance.
 */
function sharedModules(root: string): Plugin {
  const shared = new Set(sharedModuleFiles(root));
  return {
    name: 'lab-shared',
    setup(b) {
      // Project modules are imported by relative path; packages are not shared this way.
      b.onResolve({ filter: /^\.\.?\// }, async (args) => {
        if (args.pluginData === 'lab-shared') return undefined;
        const resolved = await b.resolve(args.path, {
          kind: args.kind,
          importer: args.importer,
          resolveDir: args.resolveDir,
          pluginData: 'lab-shared',
        });
        if (resolved.errors.length > 0 || !shared.has(resolved.path)) return resolved;
        return { path: sharedRequest(root, resolved.path), external: true };
      });
    },
  };
}

const q = (file: string): string => JSON.stringify(file);

/**
 * A run bundle's entry: the worker's side of a run, and the test modules it can run, each behind a
 * `require` so that esbuild initialises it only when a run asks for it (a 2A run does not evaluate the KV
 * tests; a half-written kvraft/ does not stop 2A). `main` picks the module named in the run's input.
 */
function entryFor(moduleFiles: readonly string[], root: string): string {
  const harness = path.join(root, HARNESS);
  return [
    `import { runWorker, type WorkerCapabilities } from ${q(path.join(harness, 'worker', 'in-worker.ts'))};`,
    'const modules: Record<string, () => Record<string, unknown>> = {',
    ...moduleFiles.map((file) => `  ${q(file)}: () => require(${q(file)}) as Record<string, unknown>,`),
    '};',
    'export function main(cap: WorkerCapabilities): Promise<void> {',
    '  const load = modules[cap.input.moduleFile];',
    '  if (load === undefined) throw new Error(`${cap.input.moduleFile} is not in this bundle`);',
    '  return runWorker(load(), cap);',
    '}',
  ].join('\n');
}

const labModulesByRoot = new Map<string, string[]>();

/** Every lab test module of the project at `root`: each `*.tests.ts` under tests/ (looked up once). */
function labModules(root: string): string[] {
  let found = labModulesByRoot.get(root);
  if (found === undefined) {
    const tests = path.join(root, 'tests');
    found = fs.existsSync(tests) ? findLabModules(tests) : [];
    labModulesByRoot.set(root, found);
  }
  return found;
}

/**
 * The host bundle's entry: the order of these imports is the order the modules run in (see the header):
 * the prologue, the random wrapper and the real-timer tripwires first, then the other shared modules.
 */
function hostEntry(root: string): string {
  const harness = path.join(root, HARNESS);
  const first = [path.join(harness, 'random-setup.ts'), path.join(harness, 'real-timers.ts')];
  const files = [...first, ...sharedModuleFiles(root).filter((file) => !first.includes(file))];
  return [
    `import ${q(path.join(harness, 'worker', 'prologue.ts'))};`,
    ...files.map((file, k) => `import * as shared${k} from ${q(file)};`),
    `export { snapshotRealm, leftoversSince } from ${q(path.join(harness, 'worker', 'leftovers.ts'))};`,
    `export const shared: Record<string, unknown> = {`,
    ...files.map((file, k) => `  ${q(sharedRequest(root, file))}: shared${k},`),
    `};`,
  ].join('\n');
}

function buildDir(root: string): string {
  return path.join(root, '.lab', 'build');
}

/** Bundles untouched for a day belong to sources long edited: remove them (a new one was just written). */
function pruneOld(dir: string): void {
  const dayAgo = Date.now() - 24 * 3600 * 1000;
  for (const name of fs.readdirSync(dir)) {
    const file = path.join(dir, name);
    try {
      if (fs.statSync(file).mtimeMs < dayAgo) fs.rmSync(file, { force: true });
    } catch {
      // another process pruned it first
    }
  }
}

/** What a bundle was built from: its file, and the content hash of each source (paths relative to root). */
interface Manifest {
  readonly builder: string;
  /** The hash of the entry's text: which modules the bundle offers (a new test module changes it). */
  readonly entry: string;
  readonly bundle: string;
  readonly inputs: Record<string, string>;
}

function entryHash(entry: string): string {
  return createHash('sha256').update(entry).digest('hex');
}

/** The sha256 of a file's content, as hex. */
export function contentHash(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** Changes to how bundles are built (this file, esbuild) make every manifest stale. */
const BUILDER = createHash('sha256')
  .update(fs.readFileSync(__filename))
  .update(fs.readFileSync(path.join(__dirname, 'shared-modules.ts'))) // which modules a run bundle leaves out
  .update(version)
  .digest('hex');

function manifestFile(name: string, root: string): string {
  const key = createHash('sha256').update(`${root}\0${name}`).digest('hex').slice(0, 16);
  return path.join(buildDir(root), `${path.basename(name, '.ts')}-${key}.manifest.json`);
}

/** The bundle a manifest names, if it is there and every source it was built from is unchanged. */
function unchangedBundle(name: string, entry: string, root: string): string | undefined {
  try {
    const manifest = JSON.parse(fs.readFileSync(manifestFile(name, root), 'utf8')) as Manifest;
    if (manifest.builder !== BUILDER || manifest.entry !== entryHash(entry)) return undefined;
    if (!fs.existsSync(`${manifest.bundle}.map`)) return undefined;
    for (const [input, hash] of Object.entries(manifest.inputs)) {
      if (contentHash(path.resolve(root, input)) !== hash) return undefined;
    }
    const now = new Date();
    fs.utimesSync(manifest.bundle, now, now); // in use: not one for pruneOld
    inputsByBundle.set(manifest.bundle, Object.keys(manifest.inputs));
    return manifest.bundle;
  } catch {
    return undefined; // no manifest, a source gone, a bundle pruned: build
  }
}

/** Each bundle this process built or reused: the sources (relative to its root) it was built from. */
const inputsByBundle = new Map<string, readonly string[]>();

/**
 * The sources (relative to its root) the bundle `bundleFile` was built from, as its manifest lists them,
 * or undefined if this process did not build or reuse it (bundleFor first).
 */
export function bundleInputs(bundleFile: string): readonly string[] | undefined {
  return inputsByBundle.get(bundleFile);
}

/** Write `text` to `file` so that a concurrent reader sees the whole file or none. */
export function writeAtomically(file: string, text: string): void {
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, text);
  fs.renameSync(temp, file); // atomic: a concurrent reader sees the whole file or none
}

/** What one bundle is built from: its cache name, its entry module's text, how packages are treated. */
interface BundleSpec {
  /** Names the manifest (with the root) and the bundle file: the test module, or "host". */
  readonly name: string;
  readonly entry: string;
  readonly packages: 'bundle' | 'external';
  /** The grader's tester: the lab folders a student owns are left out (withoutStudentCode). */
  readonly withoutStudentCode?: boolean;
}

/** The esbuild namespace of the stand-ins for the student-owned folders in the tester's bundle. */
const STUDENT_CODE = 'student-code';
/** The folders of the code under test: those the classes of the boundary's student side come from. */
const STUDENT_FOLDERS = [...new Set(Object.values(STUDENT_CLASS).map(({ folder }) => folder))];

/**
 * Leave the code under test out of the grader's tester bundle: an import of a lab folder a student owns
 * becomes an empty module. The tester builds every student object across the boundary, in the child,
 * and never calls the constructors its configs import for `npm test`'s in-process path; this way the
 * trusted process holds no student-owned code at all (not even the grader's reference, which the
 * autograder package does not ship).
 */
function withoutStudentCode(root: string): Plugin {
  const owned = STUDENT_FOLDERS.map((folder) => path.join(root, folder));
  return {
    name: 'without-student-code',
    setup(b) {
      b.onResolve({ filter: /^\.\.?\// }, (args) => {
        const target = path.resolve(args.resolveDir, args.path);
        const inOwned = owned.some((dir) => target === dir || target.startsWith(`${dir}${path.sep}`));
        return inOwned ? { path: target, namespace: STUDENT_CODE } : undefined;
      });
      b.onLoad({ filter: /.*/, namespace: STUDENT_CODE }, () => ({
        contents: 'module.exports = {}; // the code under test runs in its own process, not here',
        loader: 'js',
      }));
    },
  };
}

/** The bundle as a new process gets it: reused when its manifest shows every source unchanged, else built. */
async function buildCached(spec: BundleSpec, root: string): Promise<string> {
  const reusable = unchangedBundle(spec.name, spec.entry, root);
  if (reusable !== undefined) return reusable;
  const result = await build({
    absWorkingDir: root, // the metafile's input paths are relative to it
    metafile: true,
    stdin: {
      contents: spec.entry,
      resolveDir: root,
      loader: 'ts',
      sourcefile: ENTRY, // not a file: its text follows from (root, name), the manifest's key
    },
    write: false,
    outfile: path.join(buildDir(root), 'bundle.js'), // where it will live: source map paths are relative to it
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    ...(spec.packages === 'external' ? { packages: 'external' as const } : { external: NATIVE_PACKAGES }),
    logLevel: 'silent',
    // Every module of a run runs in strict mode, as the ES modules they are written as: a submission's
    // module-level `Math.random = …` or `Network.prototype.reliable = …` then throws where it is made
    // instead of failing silently. (esbuild marks only some lazily initialised modules strict by itself.)
    banner: { js: '"use strict";' },
    sourcemap: 'external', // a .map beside the bundle: the parent maps stack frames (source-map.ts)
    plugins: [
      ...(spec.withoutStudentCode === true ? [withoutStudentCode(root)] : []),
      keepDirname,
      ...(spec.packages === 'external' ? [] : [sharedModules(root)]),
    ],
  });
  const text = result.outputFiles.find((f) => f.path.endsWith('.js'))?.text ?? '';
  const map = result.outputFiles.find((f) => f.path.endsWith('.map'))?.text ?? '';
  const key = createHash('sha256').update(text).update(map).digest('hex').slice(0, 20);
  const dir = buildDir(root);
  const file = path.join(dir, `${path.basename(spec.name, '.ts')}-${key}.js`);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(`${file}.map`, map); // first: the bundle's presence says both are there
    writeAtomically(file, text);
    pruneOld(dir);
  }
  const inputs: Record<string, string> = {};
  for (const input of Object.keys(result.metafile.inputs)) {
    // Not a file: the entry, and the stand-ins for the student-owned folders (withoutStudentCode).
    if (input !== ENTRY && !input.startsWith(`${STUDENT_CODE}:`))
      inputs[input] = contentHash(path.resolve(root, input));
  }
  const manifest: Manifest = { builder: BUILDER, entry: entryHash(spec.entry), bundle: file, inputs };
  writeAtomically(manifestFile(spec.name, root), JSON.stringify(manifest));
  inputsByBundle.set(file, Object.keys(inputs));
  return file;
}

/** The run bundle of `moduleFile` (absolute) alone, as a new process gets it (see buildCached). */
export function buildBundle(moduleFile: string, root: string): Promise<string> {
  return buildCached({ name: moduleFile, entry: entryFor([moduleFile], root), packages: 'bundle' }, root);
}

/** The run bundle of every lab test module of the project (see bundleFor). */
export function buildLabBundle(root: string): Promise<string> {
  return buildCached({ name: LAB_BUNDLE, entry: entryFor(labModules(root), root), packages: 'bundle' }, root);
}

/** The host bundle of the project at `root` (see the header). */
export function buildHostBundle(root: string): Promise<string> {
  return buildCached({ name: 'host', entry: hostEntry(root), packages: 'external' }, root);
}

/** The two bundles a worker loads for one test module (see the header). */
export interface Bundle {
  readonly host: string;
  readonly run: string;
}

const built = new Map<string, Promise<string>>();

function once(key: string, make: () => Promise<string>): Promise<string> {
  let bundle = built.get(key);
  if (bundle === undefined) {
    bundle = make();
    built.set(key, bundle);
    bundle.catch(() => built.delete(key)); // let a fixed module build again
  }
  return bundle;
}

/**
 * The bundles for `moduleFile` (absolute) in the project at `root` (absolute; default this checkout),
 * built once per process. A lab test module (`*.tests.ts` under tests/) runs from the bundle of all of
 * them, so one worker can run the tests of every part and the code they share stays compiled and
 * optimised from one file's tests to the next; if that bundle does not build (a syntax error in a file
 * only another part's tests import), the module's own bundle serves. Anything else (a fixture) has its
 * own. Rejects with esbuild's message if the module does not compile.
 */
export async function bundleFor(moduleFile: string, root: string = FRAMEWORK_ROOT): Promise<Bundle> {
  const host = once(`${root}\0host`, () => buildHostBundle(root));
  const own = (): Promise<string> => once(`${root}\0${moduleFile}`, () => buildBundle(moduleFile, root));
  let run: Promise<string>;
  if (labModules(root).includes(moduleFile)) {
    const lab = once(`${root}\0${LAB_BUNDLE}`, () => buildLabBundle(root));
    run = lab.catch(own);
  } else {
    run = own();
  }
  const [hostFile, runFile] = await Promise.all([host, run]);
  return { host: hostFile, run: runFile };
}

/**
 * The boundary's two processes (tests/harness/boundary), as plain CommonJS with the packages of `root`
 * left external: the tester (the grader's own checkout) and the child that holds the code under test
 * (the submission's workspace: its lab folders with the framework's student side).
 */
export function buildBoundaryTester(root: string): Promise<string> {
  const entry = `import ${q(path.join(root, HARNESS, 'boundary', 'tester-main.ts'))};`;
  return once(`${root}\0boundary-tester`, () =>
    buildCached({ name: 'boundary-tester', entry, packages: 'external', withoutStudentCode: true }, root),
  );
}

/**
 * The child's bundle: its host (boundary/child-main.ts) and the submission's lab folders, those it has,
 * each behind a getter that loads it on first use (esbuild turns a require() into a function that runs
 * the module then). A folder the submission lacks is simply not there: a test that needs it fails,
 * naming the class, and the others run.
 */
export function buildBoundaryChild(root: string): Promise<string> {
  const getters = Object.values(STUDENT_CLASS)
    .filter(({ folder }) => fs.existsSync(path.join(root, folder)))
    .map(
      ({ module, folder, exported }) =>
        `  get ${module}() { return require(${q(path.join(root, folder))}).${exported}; },`,
    );
  const entry = [
    `import { startChild } from ${q(path.join(root, HARNESS, 'boundary', 'child-main.ts'))};`,
    'startChild({',
    ...getters,
    '} as never);',
  ].join('\n');
  return buildCached({ name: 'boundary-child', entry, packages: 'external' }, root);
}
