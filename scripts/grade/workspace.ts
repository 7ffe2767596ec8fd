/**
 * A workspace: a pristine copy of this framework (FRAMEWORK_ENTRIES, byte for byte from the grader's
 * own checkout) with a submission's owned files written into it, and node_modules linked to the
 * grader's. Tests run there, so a submission is graded with the grader's tests, network and harness,
 * whatever its own copies of them say.
 *
 * The framework fingerprint (a hash of every framework file) is part of the grader version that the
 * gradebook's resume compares: change a test, and earlier grades no longer count as done.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { FRAMEWORK_ENTRIES } from './owned';

export interface Workspace {
  readonly dir: string;
  remove(): void;
}

const SKIP = new Set(['node_modules', '.lab', 'out']);

function frameworkFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    const full = path.join(root, rel);
    if (!fs.existsSync(full)) return;
    if (fs.statSync(full).isFile()) return void out.push(rel);
    for (const name of fs.readdirSync(full).sort()) {
      if (!SKIP.has(name) && !name.startsWith('.')) walk(path.join(rel, name));
    }
  };
  for (const entry of FRAMEWORK_ENTRIES) walk(entry);
  return out;
}

/** sha256 over the framework files' paths and contents, and the lock file (the packages tests run on). */
export function frameworkFingerprint(root: string): string {
  const hash = crypto.createHash('sha256');
  for (const rel of [...frameworkFiles(root), 'package-lock.json']) {
    const full = path.join(root, rel);
    if (!fs.existsSync(full)) continue;
    hash.update(`${rel}\0`);
    hash.update(fs.readFileSync(full));
  }
  return hash.digest('hex');
}

/** Make a workspace under `parent` for these owned files. */
export function makeWorkspace(
  graderRoot: string,
  files: ReadonlyMap<string, Buffer>,
  parent: string,
): Workspace {
  fs.mkdirSync(parent, { recursive: true });
  const dir = fs.mkdtempSync(path.join(parent, 'ws-'));
  for (const rel of frameworkFiles(graderRoot)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.copyFileSync(path.join(graderRoot, rel), path.join(dir, rel));
  }
  fs.symlinkSync(path.join(graderRoot, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  for (const [rel, data] of files) {
    const full = path.join(dir, rel);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, data);
  }
  // Readable by a run that is another user (sandbox.ts); written only by the grader.
  fs.chmodSync(dir, 0o755);
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
