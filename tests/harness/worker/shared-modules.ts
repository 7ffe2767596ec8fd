/**
 * The framework modules a worker loads once, with its host bundle, and every run in it shares
 * (bundle.ts); everything else a run imports is evaluated afresh for each run, as before.
 *
 * Why: a run bundle is evaluated anew for every run (fresh module state), so each run brings new classes,
 * hence new hidden classes (maps) for their objects, and the code V8 optimised for the previous run no
 * longer fits them: it deoptimises and compiles again. A worker reused from test to test ran the lab
 * tests at about 1.2× the thread CPU of the same tests run one after another in one process, and its
 * background compiler threads doubled that gap. The framework — the simulated network and the codec, the
 * driver and the trace, the invariant monitor and the cluster watch, the linearizability checker, and the
 * packages only they import (msgpackr, @sinonjs/fake-timers, pure-rand) — keeps no state from one run to
 * the next that a run could see: what it holds per run lives in the objects a run creates (a Network, a
 * Trace, a clock), and the rest each run resets or sets itself (the codec's warnings, the debug and codec
 * sinks, the random source). So it stays loaded and warm. The student's code (raft/, kvraft/, shardctrler/,
 * shardkv/), the test modules and the configs that construct it stay fresh for every run.
 *
 * A shared module must import only shared modules (and packages): bundle.ts refuses a host bundle that
 * pulls in anything else, since that module would then exist twice, once shared and once per run.
 */
import fs from 'node:fs';
import path from 'node:path';

/** Folders whose modules are all shared (their tests and fixtures aside). */
const SHARED_FOLDERS = ['labrpc', path.join('tests', 'linearizability')];

/** Single shared modules, relative to the project root. */
const SHARED_FILES = [
  ...[
    'check',
    'cpu-time',
    'debug-log',
    'driver',
    'env',
    'errors',
    'failure',
    'hang-probe',
    'index',
    'lab-test',
    'random-setup',
    'real-timers',
    'rpc-window',
    'run',
    'seeded-random',
    'trace-network',
    'trace',
  ].map((name) => path.join('tests', 'harness', `${name}.ts`)),
  ...[
    'cluster-watch',
    'invariant-monitor',
    'log-knowledge',
    'monitor-commits',
    'monitor-messages',
    'monitor-rpc',
    'stall-patterns',
    'wire',
  ].map((name) => path.join('tests', 'raft', `${name}.ts`)),
];

/** Test modules and fixtures live beside the shared ones but are not part of the framework. */
function isFrameworkModule(file: string): boolean {
  return (
    file.endsWith('.ts') &&
    !file.endsWith('.d.ts') &&
    !file.endsWith('.test.ts') &&
    !file.endsWith('.tests.ts') &&
    path.basename(file) !== 'fixtures.ts'
  );
}

function modulesUnder(folder: string): string[] {
  if (!fs.existsSync(folder)) return [];
  return fs.readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) return modulesUnder(full);
    return isFrameworkModule(full) ? [full] : [];
  });
}

/** The shared modules of the project at `root` (absolute paths, sorted: the host bundle's order). */
export function sharedModuleFiles(root: string): string[] {
  const files = [
    ...SHARED_FOLDERS.flatMap((folder) => modulesUnder(path.join(root, folder))),
    ...SHARED_FILES.map((file) => path.join(root, file)).filter((file) => fs.existsSync(file)),
  ];
  return [...new Set(files)].sort();
}

/** The request a run bundle makes for a shared module, answered by boot.js from the host bundle. */
export function sharedRequest(root: string, file: string): string {
  return `lab-shared:${path.relative(root, file).split(path.sep).join('/')}`;
}
