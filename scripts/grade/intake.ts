/**
 * From what an instructor points the grader at to the files it grades. A submission is
 *
 * - a folder: its files as they are on disk;
 * - a git repository (a folder with `.git`): the committed HEAD tree, as `git archive HEAD` gives it,
 *   read from a bare clone (so no hook, filter or fsmonitor of the submitted repository's config
 *   runs); uncommitted changes to owned files are named in the notes;
 * - a `.zip`, or a `.tar.gz` / `.tgz` / `.tar`.
 *
 * The project may sit at the top or one folder deep (what "Compress" on a folder makes). Only the owned
 * files (owned.ts) are taken; everything else is counted and listed as ignored.
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readFolder, readTar, readZip, SubmissionError, type ArchiveEntry } from './archive';
import { OWNED_FOLDERS, ownerOf } from './owned';

export type SubmissionKind = 'folder' | 'git' | 'zip' | 'tar';

export interface Intake {
  /** A display name: the file or folder name without its extension. */
  readonly name: string;
  readonly source: string;
  readonly kind: SubmissionKind;
  /** What the grader did that the student should know (HEAD commit, nesting, uncommitted changes). */
  readonly notes: string[];
  /** The owned files, by path relative to the project root (e.g. `raft/raft.ts`). */
  readonly files: ReadonlyMap<string, Buffer>;
  /** Files outside the owned set: not graded. */
  readonly ignored: readonly string[];
  /** Entries never taken (links, oversized files), with why. */
  readonly rejected: ReadonlyArray<{ path: string; reason: string }>;
  /** sha256 over the owned files' paths and contents: the submission's identity for seeds and resume. */
  readonly contentHash: string;
}

export function submissionKind(source: string): SubmissionKind | undefined {
  const lower = source.toLowerCase();
  if (lower.endsWith('.zip')) return 'zip';
  if (lower.endsWith('.tar.gz') || lower.endsWith('.tgz') || lower.endsWith('.tar')) return 'tar';
  if (!fs.existsSync(source) || !fs.statSync(source).isDirectory()) return undefined;
  // Only a real .git folder makes a repository: a `.git` *file* (`gitdir: …`) would have git read whatever
  // repository it names (the grader's own, say), so it is an ordinary file of an ordinary folder.
  const dotGit = path.join(source, '.git');
  return fs.existsSync(dotGit) && fs.lstatSync(dotGit).isDirectory() ? 'git' : 'folder';
}

export function displayName(source: string): string {
  return path.basename(path.resolve(source)).replace(/\.(zip|tar\.gz|tgz|tar)$/i, '');
}

const JUNK = /^(__MACOSX|\.DS_Store|\._.*|Thumbs\.db)$/;

/** Where the project starts in these entries: '' or `<folder>/` one level down. */
export function findRoot(entries: readonly ArchiveEntry[], where: string): string {
  const hasOwned = (prefix: string): boolean =>
    entries.some((e) => OWNED_FOLDERS.some((folder) => e.path.startsWith(`${prefix}${folder}/`)));
  if (hasOwned('')) return '';
  const tops = new Set(entries.map((e) => e.path.split('/')[0]).filter((top) => !JUNK.test(top)));
  const candidates = [...tops].filter((top) => hasOwned(`${top}/`));
  if (candidates.length === 1) return `${candidates[0]}/`;
  const wantedText = OWNED_FOLDERS.map((f) => `${f}/`).join(' or ');
  if (candidates.length > 1) {
    throw new SubmissionError(
      `${where}: ${candidates.length} folders (${candidates.join(', ')}) each hold a project; submit one.`,
    );
  }
  throw new SubmissionError(
    `${where}: no ${wantedText} folder at the top or one folder deep; found ${[...tops].slice(0, 8).join(', ') || 'nothing'}.`,
  );
}

function gitRead(repo: string, args: readonly string[]): Buffer {
  return execFileSync('git', ['-c', 'safe.directory=*', '-c', 'core.fsmonitor=false', ...args], {
    cwd: repo,
    maxBuffer: 256 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0' },
  });
}

/** HEAD's tree of a repository, through a bare clone (whose config is git's default, not theirs). */
async function readGitHead(source: string, notes: string[]): Promise<ArchiveEntry[]> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'grade-git-'));
  try {
    const bare = path.join(tmp, 'repo.git');
    try {
      gitRead(tmp, ['clone', '--quiet', '--bare', '--no-hardlinks', path.resolve(source), bare]);
      const head = gitRead(bare, ['rev-parse', '--short=12', 'HEAD']).toString().trim();
      notes.push(`git repository: graded the committed HEAD tree (${head}, via git archive HEAD)`);
    } catch (error) {
      const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim() ?? String(error);
      throw new SubmissionError(
        `${source}: cannot read the git repository's HEAD commit (${stderr.split('\n').pop()}). ` +
          'Commit your work: the grader takes the committed tree.',
      );
    }
    return await readTar(gitRead(bare, ['archive', '--format=tar', 'HEAD']), `${source} (HEAD)`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

async function readEntries(source: string, kind: SubmissionKind, notes: string[]): Promise<ArchiveEntry[]> {
  switch (kind) {
    case 'folder':
      return readFolder(source);
    case 'git':
      return readGitHead(source, notes);
    case 'zip':
      return readZip(source);
    case 'tar':
      return readTar(fs.readFileSync(source), source);
  }
}

/** Uncommitted changes: owned files whose working copy differs from the graded HEAD version. */
function uncommitted(source: string, files: ReadonlyMap<string, Buffer>): string[] {
  const onDisk = new Map<string, Buffer>();
  for (const e of readFolder(source)) if (e.data !== undefined && ownerOf(e.path)) onDisk.set(e.path, e.data);
  const changed = new Set<string>();
  for (const [p, data] of onDisk) if (!files.get(p)?.equals(data)) changed.add(p);
  for (const p of files.keys()) if (!onDisk.has(p)) changed.add(p);
  return [...changed].sort();
}

export function contentHash(files: ReadonlyMap<string, Buffer>): string {
  const hash = crypto.createHash('sha256');
  for (const p of [...files.keys()].sort()) {
    hash.update(`${p}\0${files.get(p)?.length}\0`);
    hash.update(files.get(p) as Buffer);
  }
  return hash.digest('hex');
}

/** Read a submission and pick out its owned files. Throws SubmissionError when it cannot be graded. */
export async function takeSubmission(source: string): Promise<Intake> {
  const kind = submissionKind(source);
  if (kind === undefined) {
    throw new SubmissionError(
      `${source}: not a folder, git repository, .zip or .tar.gz${fs.existsSync(source) ? '' : ' (it does not exist)'}.`,
    );
  }
  const notes: string[] = [];
  const entries = await readEntries(source, kind, notes);
  const root = findRoot(entries, source);
  if (root !== '') notes.push(`found the project one folder deep, in \`${root}\``);
  const files = new Map<string, Buffer>();
  const ignored: string[] = [];
  const rejected: Array<{ path: string; reason: string }> = [];
  for (const entry of entries) {
    if (!entry.path.startsWith(root) || entry.type === 'directory') continue;
    const rel = entry.path.slice(root.length);
    if (entry.type === 'rejected') rejected.push({ path: rel, reason: entry.reason ?? 'rejected' });
    else if (ownerOf(rel) !== undefined && entry.data !== undefined) files.set(rel, entry.data);
    else ignored.push(rel);
  }
  if (files.size === 0) {
    throw new SubmissionError(
      `${source}: no .ts file under ${OWNED_FOLDERS.map((f) => `${f}/`).join(' or ')}.`,
    );
  }
  if (kind === 'git') {
    const changed = uncommitted(source, files);
    if (changed.length > 0) {
      notes.push(`uncommitted changes NOT graded (commit them): ${changed.slice(0, 10).join(', ')}`);
    }
  }
  return {
    name: displayName(source),
    source: path.resolve(source),
    kind,
    notes,
    files,
    ignored: ignored.sort(),
    rejected,
    contentHash: contentHash(files),
  };
}
