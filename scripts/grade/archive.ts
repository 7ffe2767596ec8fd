/**
 * Reading a submission's files, whatever it came as: a folder on disk, a `.zip` (yauzl), a tar or
 * `.tar.gz` (node-tar's parser). Every reader yields the same flat list of entries, and applies the
 * same safety rules before anything is written or run:
 *
 * - a path that is absolute or climbs out with `..` (zip-slip) rejects the whole archive: ordinary
 *   tools never produce one, so it is either broken or hostile;
 * - symbolic and hard links, devices and FIFOs are never followed or created: each is listed as a
 *   rejected entry with its reason, and the rest of the submission is graded;
 * - contents are read only for `.ts` files outside skipped folders (node_modules, .git), with a cap per
 *   file and in total, so a zip bomb or a committed node_modules costs nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Parser, type ReadEntry } from 'tar';
import yauzl from 'yauzl';

/** One path of a submission; `data` is present for the files whose contents the grader reads. */
export interface ArchiveEntry {
  readonly path: string;
  readonly type: 'file' | 'directory' | 'rejected';
  readonly data?: Buffer;
  /** Why a rejected entry was not taken. */
  readonly reason?: string;
}

/** The submission cannot be graded at all: the message says what was wrong and what to do. */
export class SubmissionError extends Error {
  override name = 'SubmissionError';
}

export const MAX_FILE_BYTES = 2 * 1024 * 1024;
export const MAX_TOTAL_BYTES = 20 * 1024 * 1024;
export const MAX_ENTRIES = 50_000;
const SKIPPED_FOLDERS = new Set(['node_modules', '.git', '.lab', 'out']);

/** Whether the grader reads this path's contents (a `.ts` file outside the skipped folders). */
function wanted(relPath: string): boolean {
  return relPath.endsWith('.ts') && !relPath.split('/').some((part) => SKIPPED_FOLDERS.has(part));
}

/** A path from an archive, checked and normalised (forward slashes, no `./`, no trailing slash). */
export function safePath(raw: string, archive: string): string {
  const unixy = raw.replace(/\\/g, '/');
  if (unixy.startsWith('/') || /^[A-Za-z]:/.test(unixy)) {
    throw new SubmissionError(
      `${archive}: archive rejected: entry \`${raw}\` has an absolute path. Pack the project with paths ` +
        'relative to its folder (e.g. `zip -r sub.zip raft kvraft`).',
    );
  }
  const parts = unixy.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.includes('..')) {
    throw new SubmissionError(
      `${archive}: archive rejected: entry \`${raw}\` climbs out of the archive's folder with \`..\` ` +
        '(zip-slip). Pack the project with paths relative to its folder.',
    );
  }
  return parts.join('/');
}

/** Counts what has been read, and stops an archive that is too big. */
class Budget {
  private entries = 0;
  private bytes = 0;
  constructor(private readonly where: string) {}

  entry(): void {
    if (++this.entries > MAX_ENTRIES) {
      throw new SubmissionError(
        `${this.where}: more than ${MAX_ENTRIES} entries; submit the project without node_modules or build output.`,
      );
    }
  }

  /** Whether a file of `size` bytes may be read; throws when the total is past the cap. */
  file(relPath: string, size: number): ArchiveEntry | undefined {
    if (size > MAX_FILE_BYTES) {
      return { path: relPath, type: 'rejected', reason: `larger than ${MAX_FILE_BYTES / 1024 / 1024} MB` };
    }
    this.bytes += size;
    if (this.bytes > MAX_TOTAL_BYTES) {
      throw new SubmissionError(
        `${this.where}: more than ${MAX_TOTAL_BYTES / 1024 / 1024} MB of .ts files; is a build folder included?`,
      );
    }
    return undefined;
  }
}

/** Every entry under `dir`, without following links. Skipped folders are listed, not entered. */
export function readFolder(dir: string): ArchiveEntry[] {
  const out: ArchiveEntry[] = [];
  const budget = new Budget(dir);
  const walk = (rel: string): void => {
    for (const dirent of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      budget.entry();
      const relPath = rel === '' ? dirent.name : `${rel}/${dirent.name}`;
      if (dirent.isSymbolicLink()) {
        out.push({ path: relPath, type: 'rejected', reason: 'symbolic link (never followed)' });
      } else if (dirent.isDirectory()) {
        out.push({ path: relPath, type: 'directory' });
        if (!SKIPPED_FOLDERS.has(dirent.name)) walk(relPath);
      } else if (dirent.isFile()) {
        const full = path.join(dir, relPath);
        const tooBig = wanted(relPath) ? budget.file(relPath, fs.statSync(full).size) : undefined;
        if (tooBig !== undefined) out.push(tooBig);
        else
          out.push({
            path: relPath,
            type: 'file',
            data: wanted(relPath) ? fs.readFileSync(full) : undefined,
          });
      } else {
        out.push({ path: relPath, type: 'rejected', reason: 'not a regular file' });
      }
    }
  };
  walk('');
  return out;
}

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFREG = 0o100000;

function zipEntryKind(entry: yauzl.Entry, rawName: string): 'file' | 'directory' | 'link' | 'other' {
  if (rawName.endsWith('/')) return 'directory';
  const unixMode = (entry.externalFileAttributes >>> 16) & S_IFMT;
  if (unixMode === S_IFLNK) return 'link';
  return unixMode === 0 || unixMode === S_IFREG ? 'file' : 'other';
}

function readZipEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (error, stream) => {
      if (error !== null) return reject(error);
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', reject);
      stream.on('end', () => resolve(Buffer.concat(chunks)));
    });
  });
}

/** Every entry of a zip file. yauzl checks sizes against the headers (zip bombs) and names. */
export async function readZip(file: string): Promise<ArchiveEntry[]> {
  const budget = new Budget(file);
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(file, { validateEntrySizes: true, decodeStrings: false });
  } catch (error) {
    throw new SubmissionError(`${file}: not a readable zip file (${(error as Error).message})`);
  }
  const out: ArchiveEntry[] = [];
  try {
    for (;;) {
      const entry = await new Promise<yauzl.Entry | null>((resolve, reject) => {
        zip.once('entry', resolve);
        zip.once('end', () => resolve(null));
        zip.once('error', reject);
        zip.readEntry();
      });
      zip.removeAllListeners('entry').removeAllListeners('end').removeAllListeners('error');
      if (entry === null) break;
      budget.entry();
      const rawName = (entry.fileNameRaw as Buffer).toString('utf8');
      const relPath = safePath(rawName, file);
      const kind = zipEntryKind(entry, rawName);
      if (kind === 'directory') out.push({ path: relPath, type: 'directory' });
      else if (kind === 'link') out.push({ path: relPath, type: 'rejected', reason: 'symbolic link' });
      else if (kind === 'other') out.push({ path: relPath, type: 'rejected', reason: 'not a regular file' });
      else if (!wanted(relPath)) out.push({ path: relPath, type: 'file' });
      else {
        const tooBig = budget.file(relPath, entry.uncompressedSize);
        out.push(tooBig ?? { path: relPath, type: 'file', data: await readZipEntry(zip, entry) });
      }
    }
  } catch (error) {
    if (error instanceof SubmissionError) throw error;
    throw new SubmissionError(`${file}: the zip file is damaged (${(error as Error).message})`);
  } finally {
    zip.close();
  }
  return out;
}

const TAR_FILE_TYPES = new Set(['File', 'OldFile', 'ContiguousFile']);

/** Every entry of a tar stream (gzip-compressed or not: the parser detects it). */
export function readTar(data: Buffer, where: string): Promise<ArchiveEntry[]> {
  const budget = new Budget(where);
  const out: ArchiveEntry[] = [];
  let failure: Error | undefined;
  return new Promise((resolve, reject) => {
    const parser = new Parser({
      strict: true,
      onReadEntry(entry: ReadEntry) {
        try {
          takeTarEntry(entry, where, budget, out);
        } catch (error) {
          failure ??= error as Error;
          entry.resume();
        }
      },
    });
    parser.on('error', (error: Error) => (failure ??= error));
    parser.on('end', () => {
      if (failure instanceof SubmissionError) reject(failure);
      else if (failure !== undefined) {
        reject(new SubmissionError(`${where}: not a readable tar archive (${failure.message})`));
      } else resolve(out);
    });
    parser.end(data);
  });
}

function takeTarEntry(entry: ReadEntry, where: string, budget: Budget, out: ArchiveEntry[]): void {
  budget.entry();
  const relPath = safePath(entry.path, where);
  if (entry.type === 'Directory') {
    out.push({ path: relPath, type: 'directory' });
  } else if (!TAR_FILE_TYPES.has(entry.type)) {
    const reason =
      entry.type === 'SymbolicLink' ? 'symbolic link' : entry.type === 'Link' ? 'hard link' : entry.type;
    out.push({ path: relPath, type: 'rejected', reason });
  } else if (!wanted(relPath)) {
    out.push({ path: relPath, type: 'file' });
  } else {
    const tooBig = budget.file(relPath, entry.size);
    if (tooBig !== undefined) {
      out.push(tooBig);
    } else {
      const chunks: Buffer[] = [];
      entry.on('data', (chunk: Buffer) => chunks.push(chunk));
      entry.on('end', () => out.push({ path: relPath, type: 'file', data: Buffer.concat(chunks) }));
      return;
    }
  }
  entry.resume();
}
