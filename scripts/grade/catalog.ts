/**
 * Where each graded test is defined, without loading any submission's code. A part's tests live in the
 * `*.tests.ts` modules of tests/raft (Lab 2), tests/kvraft (Lab 3), tests/shardctrler (4A) or tests/shardkv (4B) whose names start with the part
 * (`2A.tests.ts`, `2A-scripted.tests.ts`), each registered for jest by its sibling `*.test.ts`. The
 * catalogue is made by loading those modules in the grader's own checkout, with the reference in raft/ and
 * kvraft/ (trusted code). A packaged autograder has no reference: it reads the catalogue written into the
 * package (CATALOG_FILE) when it was made.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadTests } from '../stress/discover';
import type { LabPart } from './owned';

export interface TestHome {
  readonly name: string;
  readonly part: string;
  /** Relative to the project root. */
  readonly moduleFile: string;
  readonly jestFile: string;
}

export const CATALOG_FILE = 'test-catalog.json';

/** The test folder of each lab's parts. */
const TEST_DIRS: Readonly<Record<string, string>> = {
  '2': 'raft',
  '3': 'kvraft',
  '4A': 'shardctrler',
  '4B': 'shardkv',
};

function modulesOf(root: string, part: LabPart): string[] {
  const dir = path.join(root, 'tests', TEST_DIRS[part] ?? TEST_DIRS[part[0]]);
  return fs
    .readdirSync(dir)
    .filter((f) => f.startsWith(part) && f.endsWith('.tests.ts'))
    .sort()
    .map((f) => path.join(dir, f));
}

/** Every lab test of these parts, by name; undefined when there is neither a reference nor a catalogue. */
export function testHomes(root: string, parts: readonly LabPart[]): Map<string, TestHome> | undefined {
  const hasReference = ['raft', 'kvraft'].every((folder) =>
    fs.existsSync(path.join(root, folder, 'index.ts')),
  );
  let homes: TestHome[];
  if (hasReference) {
    homes = loadTests(parts.flatMap((p) => modulesOf(root, p))).map((t) => {
      const moduleFile = path.relative(root, t.moduleFile).split(path.sep).join('/');
      return {
        name: t.name,
        part: t.part,
        moduleFile,
        jestFile: moduleFile.replace(/\.tests\.ts$/, '.test.ts'),
      };
    });
  } else if (fs.existsSync(path.join(root, CATALOG_FILE))) {
    const all = JSON.parse(fs.readFileSync(path.join(root, CATALOG_FILE), 'utf8')) as TestHome[];
    homes = all.filter((h) => (parts as readonly string[]).includes(h.part));
  } else {
    return undefined;
  }
  return new Map(homes.map((h) => [h.name, h]));
}
