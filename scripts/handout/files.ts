/**
 * Which files of the source tree go into a handout, and which stay with the instructors.
 *
 * Everything git would commit (tracked files and untracked ones not ignored, read from the working tree)
 * is shipped, except the instructor-only material below: the tools that need the reference solution or
 * contain pieces of it (this generator, the grader and its planted-bug fixtures, the mutants tool), the
 * instructors' guide and CI. Shipped framework files are copied byte for byte.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { HandoutError } from './parts';

/**
 * Left out of every handout. A pattern ending in `/` is a folder; one ending in `*` a prefix; anything
 * else one file. Keep this the one list: the self-check and the docs read it from here.
 */
export const INSTRUCTOR_ONLY: readonly string[] = [
  '.ci/',
  'INSTRUCTORS.md',
  'scripts/handout.ts',
  'scripts/handout/',
  'scripts/handout-check.ts',
  'tests/tools/handout.test.ts',
  'scripts/grade*',
  'docs/grading.md', // the grader's threat model: what it stops and what it does not claim to stop
  'tests/grade*',
  'tests/tools/grade*',
  'tests/tools/boundary*', // the grader's boundary end to end (its fixture below)
  'tests/tools/fixtures/boundary*',
  'scripts/mutants*',
  'tests/mutants*',
  'tests/tools/mutants*',
  'tests/reference/', // tests of the reference's internals (a student's raft/ has other ones)
  // The checker's validation against porcupine's histories, read from ../shared (outside the repository,
  // never shipped): a handout must not run, skip or time anything by whether that folder happens to exist.
  'tests/linearizability/shared-histories.test.ts',
  'tests/linearizability/shared-data.ts',
  'scripts/bench-linearizability.ts',
];

/** The folders whose solution regions the generator strips; the student owns (and the grader copies) these. */
export const STUDENT_FOLDERS: readonly string[] = ['raft/', 'kvraft/', 'shardctrler/', 'shardkv/'];

/** The student-facing documents, rewritten for students (markdown regions, see docs.ts). */
export const STUDENT_DOCS: readonly string[] = ['README.md', 'GUIDE.md'];

export function isInstructorOnly(file: string): boolean {
  return INSTRUCTOR_ONLY.some((pattern) => matches(file, pattern));
}

export function isStudentCode(file: string): boolean {
  return STUDENT_FOLDERS.some((folder) => file.startsWith(folder)) && file.endsWith('.ts');
}

function matches(file: string, pattern: string): boolean {
  if (pattern.endsWith('/')) return file.startsWith(pattern);
  if (pattern.endsWith('*')) return file.startsWith(pattern.slice(0, -1));
  return file === pattern;
}

/** Every file git would commit in `root` (relative paths, '/' separated, sorted). */
export function listSourceFiles(root: string): string[] {
  let out: string;
  try {
    out = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
      cwd: root,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    throw new HandoutError(
      `cannot list the files of ${root} with git (${(error as Error).message.split('\n')[0]}): run the generator inside the raftlab repository`,
    );
  }
  // Regular files only: a deleted file is still listed by git, and a node_modules symlink is not ignored.
  const isFile = (f: string): boolean =>
    fs.lstatSync(path.join(root, f), { throwIfNoEntry: false })?.isFile() === true;
  const files = out.split('\0').filter((f) => f !== '' && isFile(f));
  return [...new Set(files)].sort();
}

/** Scripts that run only instructor-only files through a pattern (every `tests/tools/*.e2e.ts` is one). */
const INSTRUCTOR_SCRIPTS: readonly string[] = ['test:grade'];

/** package.json's `scripts` minus the ones that run an instructor-only file (the handout leaves that file out). */
export function studentPackageJson(text: string): string {
  const pkg = JSON.parse(text) as { scripts?: Record<string, string> };
  if (pkg.scripts !== undefined) {
    for (const name of INSTRUCTOR_SCRIPTS) delete pkg.scripts[name];
    for (const [name, command] of Object.entries(pkg.scripts)) {
      const runsOmitted = command
        .split(/\s+/)
        .some((word) => word.includes('/') && isInstructorOnly(word.replace(/^\.\//, '')));
      if (runsOmitted) delete pkg.scripts[name];
    }
  }
  return `${JSON.stringify(pkg, null, 2)}\n`;
}
