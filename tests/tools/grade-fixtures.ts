/**
 * Submissions for the grader's tests, made at test time from this checkout: the reference (raft/ and
 * kvraft/ as they are), a stripped copy (every solution region replaced by its SKELETON lines, as the
 * handout does), and planted bugs and cheats kept as small patch files in grade-patches/, applied
 * to a copy of the reference with `git apply`. Archives (zip, tar.gz) are built here too, including the
 * hostile kinds (zip-slip, absolute paths, symlinks) that intake must reject.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { Header } from 'tar';
import yazl from 'yazl';

export const ROOT = path.resolve(__dirname, '../..');

/**
 * Whether the grader must sandbox its runs here: root on Linux with bubblewrap installed, as in CI
 * (.ci/run installs it). Elsewhere a test of the sandbox is skipped, and says so.
 */
export function sandboxRequired(): boolean {
  return (
    process.platform === 'linux' && process.getuid?.() === 0 && spawnSync('bwrap', ['--version']).status === 0
  );
}
export const PATCHES = path.join(__dirname, 'grade-patches');
const OWNED = ['raft', 'kvraft'];

/** A copy of the reference's owned folders under `dir`. */
export function referenceCopy(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  for (const folder of OWNED) fs.cpSync(path.join(ROOT, folder), path.join(dir, folder), { recursive: true });
  return dir;
}

/** The reference with grade-patches/<name>.patch applied. */
export function patchedCopy(dir: string, name: string): string {
  referenceCopy(dir);
  execFileSync('git', ['apply', '-C1', '--whitespace=nowarn', path.join(PATCHES, `${name}.patch`)], {
    cwd: dir,
    stdio: 'pipe',
  });
  return dir;
}

export function patchNames(prefix: string): string[] {
  return fs
    .readdirSync(PATCHES)
    .filter((f) => f.startsWith(prefix) && f.endsWith('.patch'))
    .map((f) => f.replace(/\.patch$/, ''))
    .sort();
}

/** Replace each `// #region SOLUTION` … `// #endregion` by its `// SKELETON:` lines, uncommented. */
export function stripRegions(text: string): string {
  const out: string[] = [];
  let inRegion = false;
  for (const line of text.split('\n')) {
    if (/^\s*\/\/ #region SOLUTION/.test(line)) inRegion = true;
    else if (/^\s*\/\/ #endregion/.test(line)) inRegion = false;
    else if (!inRegion) out.push(line);
    else {
      const skeleton = /^(\s*)\/\/ SKELETON: (.*)$/.exec(line);
      if (skeleton !== null) out.push(`${skeleton[1]}${skeleton[2]}`);
    }
  }
  return out.join('\n');
}

/** The reference with every solution region stripped: what a student starts from. */
export function strippedCopy(dir: string): string {
  referenceCopy(dir);
  for (const folder of OWNED) {
    for (const name of fs.readdirSync(path.join(dir, folder))) {
      const file = path.join(dir, folder, name);
      fs.writeFileSync(file, stripRegions(fs.readFileSync(file, 'utf8')));
    }
  }
  return dir;
}

export interface ZipItem {
  readonly name: string;
  readonly data?: string;
  readonly symlinkTo?: string;
}

/** A zip of these items. A name with `..` or a leading `/` is written byte for byte (yazl refuses them). */
export async function makeZip(file: string, items: readonly ZipItem[]): Promise<string> {
  const zip = new yazl.ZipFile();
  const renames: Array<[string, string]> = [];
  for (const item of items) {
    let name = item.name;
    if (name.startsWith('/') || name.split('/').includes('..')) {
      const safe = name.replace(/^\//, 'Q').replace(/\.\./g, 'QQ');
      renames.push([safe, name]);
      name = safe;
    }
    if (item.symlinkTo !== undefined) zip.addBuffer(Buffer.from(item.symlinkTo), name, { mode: 0o120777 });
    else zip.addBuffer(Buffer.from(item.data ?? ''), name);
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  let bytes = Buffer.concat(chunks);
  for (const [safe, hostile] of renames) {
    // Same length, so every offset in the archive stays right; names are outside the CRC.
    bytes = Buffer.from(bytes.toString('latin1').split(safe).join(hostile), 'latin1');
  }
  fs.writeFileSync(file, bytes);
  return file;
}

/** A .tar.gz of these items; hostile names and symlinks are encoded as given. */
export function makeTarGz(file: string, items: readonly ZipItem[]): string {
  const blocks: Buffer[] = [];
  for (const item of items) {
    const data = Buffer.from(item.data ?? '');
    const header = new Header({
      path: item.name,
      mode: item.symlinkTo === undefined ? 0o644 : 0o777,
      size: item.symlinkTo === undefined ? data.length : 0,
      type: item.symlinkTo === undefined ? 'File' : 'SymbolicLink',
      linkpath: item.symlinkTo,
      mtime: new Date(0),
    });
    const block = Buffer.alloc(512);
    header.encode(block, 0);
    blocks.push(block);
    if (item.symlinkTo === undefined) {
      blocks.push(data, Buffer.alloc((512 - (data.length % 512)) % 512));
    }
  }
  blocks.push(Buffer.alloc(1024));
  fs.writeFileSync(file, zlib.gzipSync(Buffer.concat(blocks)));
  return file;
}

/** Every .ts file of the reference's owned folders as zip items, under `prefix`. */
export function referenceItems(prefix = ''): ZipItem[] {
  const items: ZipItem[] = [];
  for (const folder of OWNED) {
    for (const name of fs.readdirSync(path.join(ROOT, folder)).sort()) {
      items.push({
        name: `${prefix}${folder}/${name}`,
        data: fs.readFileSync(path.join(ROOT, folder, name), 'utf8'),
      });
    }
  }
  return items;
}
