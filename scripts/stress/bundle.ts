/**
 * How a worker loads TypeScript. Every run gets a fresh worker (no module state may leak between runs),
 * so loading cost is paid per run: through tsx's require hook it was ~250 ms per worker on the course
 * machine, through one prebuilt CommonJS bundle per test module ~50 ms. So by default the runner bundles
 * each test module once (esbuild, which tsx brings along) with the worker code, packages left external,
 * and every worker just requires that file. `--loader tsx` loads the sources directly instead.
 *
 * Either way the worker first loads tests/harness/random-setup.ts, before lodash or any test module.
 * Bundled modules see their own source folder in `__dirname` / `__filename` (a small plugin rewrites
 * them), so a module that reads a file beside itself still finds it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { build, type Plugin } from 'esbuild';

export type Loader = 'bundle' | 'tsx';

const WORKER_FILE = path.join(__dirname, 'worker.ts');
const RANDOM_SETUP_FILE = path.resolve(__dirname, '../../tests/harness/random-setup.ts');

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

async function bundle(entry: string, outfile: string): Promise<void> {
  await build({
    stdin: { contents: entry, resolveDir: process.cwd(), loader: 'ts', sourcefile: path.basename(outfile) },
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    packages: 'external',
    logLevel: 'silent',
    sourcemap: 'inline', // stack traces name the .ts sources, not the bundle (which is deleted after the run)
    plugins: [keepDirname],
  });
}

/**
 * Prepare the workers' code for these modules; returns the code that boots a worker for a module
 * (run with `new Worker(code, { eval: true })`).
 */
export async function prepareBoot(
  moduleFiles: readonly string[],
  loader: Loader,
  buildDir: string,
): Promise<(moduleFile: string) => string> {
  const q = JSON.stringify;
  if (loader === 'tsx') {
    return (moduleFile) =>
      `require('tsx/cjs'); require(${q(RANDOM_SETUP_FILE)});` +
      `require(${q(WORKER_FILE)}).runWorker(require(${q(moduleFile)}));`;
  }
  fs.mkdirSync(buildDir, { recursive: true });
  const randomSetup = path.join(buildDir, 'random-setup.js');
  await bundle(`import ${q(RANDOM_SETUP_FILE)};`, randomSetup);
  const outputs = new Map<string, string>();
  await Promise.all(
    moduleFiles.map(async (moduleFile, k) => {
      const outfile = path.join(buildDir, `${k}-${path.basename(moduleFile, '.ts')}.js`);
      const entry =
        `import * as mod from ${q(moduleFile)};\nimport { runWorker } from ${q(WORKER_FILE)};\n` +
        'export function main(): Promise<void> { return runWorker(mod); }\n';
      await bundle(entry, outfile);
      outputs.set(moduleFile, outfile);
    }),
  );
  return (moduleFile) =>
    `process.setSourceMapsEnabled(true); require(${q(randomSetup)}); require(${q(outputs.get(moduleFile))}).main();`;
}
