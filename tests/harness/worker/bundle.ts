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
 * Bundles are cached twice: in this process per (root, module), and on disk under a name derived from
 * their content, so a second process building the same bundle reuses the file and stale ones never load.
 * Bundled modules see their own source folder in `__dirname` / `__filename` (a plugin rewrites them).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { build, type Plugin } from 'esbuild';

/** This checkout's root (tests/harness/worker → ../../..). */
export const FRAMEWORK_ROOT = path.resolve(__dirname, '../../..');

const HARNESS = path.join('tests', 'harness');

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

async function buildBundle(moduleFile: string, root: string): Promise<string> {
  const result = await build({
    stdin: {
      contents: entryFor(moduleFile, root),
      resolveDir: root,
      loader: 'ts',
      sourcefile: 'lab-entry.ts',
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
    const temp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(`${file}.map`, map); // first: the bundle's presence says both are there
    fs.writeFileSync(temp, text);
    fs.renameSync(temp, file); // atomic: a concurrent reader sees the whole file or none
    pruneOld(dir);
  }
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
