/**
 * What a student owns, in one place. The grader copies exactly these files of a submission into a
 * pristine copy of the framework and ignores (and reports) everything else: a submission cannot change
 * the tests, the network, the harness or the package set it is graded with.
 *
 * - OWNED_FOLDERS: the folders a student edits. A `.ts` file anywhere under them is theirs.
 * - FRAMEWORK_ENTRIES: what the grader copies from its own checkout into every workspace.
 * - PARTS_OF_FOLDER: which parts depend on a folder, so a policy violation in `shardkv/` zeroes only
 *   4B while one in `raft/` zeroes every part (every service runs on the student's Raft).
 */
import type { Part } from '../../tests/harness';

export const OWNED_FOLDERS = ['raft', 'kvraft', 'shardctrler', 'shardkv'] as const;
export type OwnedFolder = (typeof OWNED_FOLDERS)[number];

export const FRAMEWORK_ENTRIES = ['labrpc', 'tests', 'scripts', 'package.json', 'tsconfig.json'] as const;

export type LabPart = Extract<Part, '2A' | '2B' | '2C' | '2D' | '2E' | '3A' | '3B' | '3C' | '4A' | '4B'>;
export const LAB_PARTS: readonly LabPart[] = ['2A', '2B', '2C', '2D', '2E', '3A', '3B', '3C', '4A', '4B'];

export const PARTS_OF_FOLDER: Readonly<Record<OwnedFolder, readonly LabPart[]>> = {
  raft: LAB_PARTS,
  // Lab 4's servers may build on the student's kvraft/ (a replicated state-machine layer, as ours does).
  kvraft: ['3A', '3B', '3C', '4A', '4B'],
  shardctrler: ['4A', '4B'],
  shardkv: ['4B'],
};

/** The owned folders each owned folder may import from (besides itself and labrpc/): the lab's layering. */
export const IMPORTS_OF_FOLDER: Readonly<Record<OwnedFolder, readonly OwnedFolder[]>> = {
  raft: [],
  kvraft: ['raft'],
  shardctrler: ['raft', 'kvraft'],
  shardkv: ['raft', 'kvraft', 'shardctrler'],
};

/** The owned folder of a submission-relative path (forward slashes), if the file is one the student owns. */
export function ownerOf(relPath: string): OwnedFolder | undefined {
  const [top, ...rest] = relPath.split('/');
  if (rest.length === 0 || !relPath.endsWith('.ts')) return undefined;
  return OWNED_FOLDERS.find((folder) => folder === top);
}
