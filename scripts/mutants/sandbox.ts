/**
 * A fresh copy of the project for one mutant, in a temporary folder: every file except the heavy or
 * private ones (node_modules is symlinked, .git and .lab are left out), so that the mutant is patched
 * and tested there and nothing in the checkout is ever modified.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Top-level entries that are not copied. */
const SKIPPED = new Set(['node_modules', '.git', '.lab', 'out', 'coverage']);

/** Copy the project at `root` into a new temporary folder; returns the copy's root. */
export function makeSandbox(root: string, label: string): string {
  const modules = path.join(root, 'node_modules');
  if (!fs.existsSync(modules)) {
    throw new Error(`${root} has no node_modules: run \`npm ci\` there before \`npm run mutants\``);
  }
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), `raftlab-mutant-${label}-`));
  for (const entry of fs.readdirSync(root)) {
    if (SKIPPED.has(entry)) continue;
    fs.cpSync(path.join(root, entry), path.join(copy, entry), { recursive: true });
  }
  fs.symlinkSync(fs.realpathSync(modules), path.join(copy, 'node_modules'), 'dir');
  return copy;
}

export function removeSandbox(copy: string): void {
  fs.rmSync(copy, { recursive: true, force: true });
}
