/**
 * How an isolated worker loads TypeScript: one CommonJS bundle per test module (esbuild, which tsx brings
 * along), packages left external. A fresh worker per run means loading is paid per run: through tsx's
 * require hook it was ~250 ms per worker, from a prebuilt bundle ~50 ms.
 *
 * The bundle's modules, in order: prologue.ts (real timers captured, tripwires installed),
 * random-setup.ts (the locked Math.random wrapper), the test module with everything it imports, and
 * in-worker.ts, whose `runWorker` the bundle's `main` calls. Everything comes from the same project root
 * as the test module (`root`: the harness of that root, its packages through `<root>/.lab/build` →
 * `<root>/node_modules`), so a grader can run a submission copied into another checkout.
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

/** This checkout's root (tests/harness/worker → ../../..). */
export const FRAMEWORK_ROOT = path.resolve(__dirname, '../../..');

const HARNESS = path.join('tests', 'harness');
/** The name the generated entry module goes by in the bundle (see entryFor). */
const ENTRY = 'lab-entry.ts';

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

/** The bundle's entry: the order of these imports is the order the modules run in (see the header). */
function entryFor(moduleFile: string, root: string): string {
  const q = (file: string): string => JSON.stringify(file);
  const harness = path.join(root, HARNESS);
  return [
    `import ${q(path.join(harness, 'worker', 'prologue.ts'))};`,
    `import ${q(path.join(harness, 'random-setup.ts'))};`,
    `import * as mod from ${q(moduleFile)};`,
    `import { runWorker, type WorkerCapabilities } from ${q(path.join(harness, 'worker', 'in-worker.ts'))};`,
    'export function main(cap: WorkerCapabilities): Promise<void> { return runWorker(mod, cap); }',
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
  readonly bundle: string;
  readonly inputs: Record<string, string>;
}

function contentHash(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** Changes to how bundles are built (this file, esbuild) make every manifest stale. */
const BUILDER = createHash('sha256').update(fs.readFileSync(__filename)).update(version).digest('hex');

function manifestFile(moduleFile: string, root: string): string {
  const key = createHash('sha256').update(`${root}\0${moduleFile}`).digest('hex').slice(0, 16);
  return path.join(buildDir(root), `${path.basename(moduleFile, '.ts')}-${key}.manifest.json`);
}

/** The bundle a manifest names, if it is there and every source it was built from is unchanged. */
function unchangedBundle(moduleFile: string, root: string): string | undefined {
  try {
    const manifest = JSON.parse(fs.readFileSync(manifestFile(moduleFile, root), 'utf8')) as Manifest;
    if (manifest.builder !== BUILDER || !fs.existsSync(`${manifest.bundle}.map`)) return undefined;
    for (const [input, hash] of Object.entries(manifest.inputs)) {
      if (contentHash(path.resolve(root, input)) !== hash) return undefined;
    }
    const now = new Date();
    fs.utimesSync(manifest.bundle, now, now); // in use: not one for pruneOld
    return manifest.bundle;
  } catch {
    return undefined; // no manifest, a source gone, a bundle pruned: build
  }
}

function writeAtomically(file: string, text: string): void {
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, text);
  fs.renameSync(temp, file); // atomic: a concurrent reader sees the whole file or none
}

/** The bundle as a new process gets it: reused when its manifest shows every source unchanged, else built. */
export async function buildBundle(moduleFile: string, root: string): Promise<string> {
  const reusable = unchangedBundle(moduleFile, root);
  if (reusable !== undefined) return reusable;
  const result = await build({
    absWorkingDir: root, // the metafile's input paths are relative to it
    metafile: true,
    stdin: {
      contents: entryFor(moduleFile, root),
      resolveDir: root,
      loader: 'ts',
      sourcefile: ENTRY, // not a file: its text follows from (root, module), the manifest's key
    },
    write: false,
    outfile: path.join(buildDir(root), 'bundle.js'), // where it will live: source map paths are relative to it
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    packages: 'external',
    logLevel: 'silent',
    sourcemap: 'external', // a .map beside the bundle: the parent maps stack frames (source-map.ts)
    plugins: [keepDirname],
  });
  const text = result.outputFiles.find((f) => f.path.endsWith('.js'))?.text ?? '';
  const map = result.outputFiles.find((f) => f.path.endsWith('.map'))?.text ?? '';
  const key = createHash('sha256').update(text).update(map).digest('hex').slice(0, 20);
  const dir = buildDir(root);
  const file = path.join(dir, `${path.basename(moduleFile, '.ts')}-${key}.js`);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(`${file}.map`, map); // first: the bundle's presence says both are there
    writeAtomically(file, text);
    pruneOld(dir);
  }
  const inputs: Record<string, string> = {};
  for (const input of Object.keys(result.metafile.inputs)) {
    if (input !== ENTRY) inputs[input] = contentHash(path.resolve(root, input));
  }
  const manifest: Manifest = { builder: BUILDER, bundle: file, inputs };
  writeAtomically(manifestFile(moduleFile, root), JSON.stringify(manifest));
  return file;
}

const built = new Map<string, Promise<string>>();

/**
 * The bundle for `moduleFile` (absolute) in the project at `root` (absolute; default this checkout),
 * built once per process. Rejects with esbuild's message if the module does not compile.
 */
export function bundleFor(moduleFile: string, root: string = FRAMEWORK_ROOT): Promise<string> {
  const key = `${root}\0${moduleFile}`;
  let bundle = built.get(key);
  if (bundle === undefined) {
    bundle = buildBundle(moduleFile, root);
    built.set(key, bundle);
    bundle.catch(() => built.delete(key)); // let a fixed module build again
  }
  return bundle;
}
