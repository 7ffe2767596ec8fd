/**
 * Which module defines a graded test, without loading any submission's code: a part's tests live in
 * `tests/raft/<part>.tests.ts` (2A–2D) or `tests/kvraft/<part>.tests.ts` (3A–3B), registered for jest by
 * the sibling `<part>.test.ts`. The rubric names the tests; `knownTests` lists the real ones by loading
 * the grader's own test modules with the reference in raft/ and kvraft/ (trusted code), to check a rubric
 * before anything runs. A packaged autograder has no reference, and was checked when it was packaged.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadTests } from '../stress/discover';
import type { LabPart } from './owned';

export interface TestHome {
  /** Relative to the project root. */
  readonly moduleFile: string;
  readonly jestFile: string;
}

export function homeOf(part: LabPart): TestHome {
  const folder = part.startsWith('2') ? 'raft' : 'kvraft';
  return {
    moduleFile: path.posix.join('tests', folder, `${part}.tests.ts`),
    jestFile: path.posix.join('tests', folder, `${part}.test.ts`),
  };
}

/** Every lab test of the grader's checkout, or undefined when it has no reference to load them with. */
export function knownTests(
  root: string,
  parts: readonly LabPart[],
): Array<{ name: string; part: string }> | undefined {
  if (!['raft', 'kvraft'].every((folder) => fs.existsSync(path.join(root, folder, 'index.ts'))))
    return undefined;
  const modules = [...new Set(parts.map((p) => path.join(root, homeOf(p).moduleFile)))];
  return loadTests(modules).map((t) => ({ name: t.name, part: t.part }));
}
