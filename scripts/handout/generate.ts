/**
 * Build a handout: read the source tree, strip the solution regions of the chosen parts, remove the
 * imports left unused, format with Prettier, check that it type-checks, then write it to a new folder
 * and make it a fresh git repository with a single commit (no history from the source).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import * as prettier from 'prettier';
import { studentMarkdown } from './docs';
import { STUDENT_DOCS, isInstructorOnly, isStudentCode, listSourceFiles, studentPackageJson } from './files';
import { HandoutError, describeParts, type Part } from './parts';
import { checkOut } from './out-dir';
import { OverlayProject, dropDuplicateImports } from './project';
import { stripRegions } from './regions';

export interface HandoutOptions {
  /** The raftlab repository to read (its working tree). */
  readonly source: string;
  /** The folder to create; it must not exist, or be empty. */
  readonly out: string;
  readonly parts: ReadonlySet<Part>;
  /** Make the output a git repository with one commit (default true). */
  readonly git?: boolean;
  readonly log?: (line: string) => void;
}

export interface HandoutResult {
  /** Every file written, relative to the output folder. */
  readonly files: readonly string[];
  /** Files of raft/ and kvraft/ whose text differs from the source. */
  readonly rewritten: readonly string[];
  /** Instructor-only files left out. */
  readonly omitted: readonly string[];
}

export async function generateHandout(options: HandoutOptions): Promise<HandoutResult> {
  const log = options.log ?? (() => undefined);
  const source = path.resolve(options.source);
  const out = path.resolve(options.out);
  checkOut(source, out);

  const all = listSourceFiles(source);
  const omitted = all.filter(isInstructorOnly);
  const shipped = all.filter((f) => !isInstructorOnly(f));
  const read = (file: string): string => fs.readFileSync(path.join(source, file), 'utf8');

  // 1. Regions of the chosen parts → skeletons (every student file is parsed: malformed markers fail here).
  const code = new Map<string, string>();
  for (const file of shipped.filter(isStudentCode))
    code.set(file, dropDuplicateImports(file, stripRegions(file, read(file), options.parts)));
  const changed = [...code.keys()].filter((file) => code.get(file) !== read(file));

  // 2. Imports left unused, through TypeScript's organize imports; then Prettier.
  const project = new OverlayProject(source, code, isInstructorOnly);
  for (const file of changed) project.removeUnusedImports(file);
  for (const file of changed) project.update(file, await format(source, file, project.text(file)));

  // 3. The handout must type-check, with nothing in the student's files left unused.
  log(`type-checking the handout (${describeParts(options.parts)})…`);
  const problems = project.problems(new Set(changed));
  if (problems.length > 0) {
    throw new HandoutError(
      `the handout for ${describeParts(options.parts)} does not type-check:\n  ${problems.slice(0, 20).join('\n  ')}\n` +
        'Each skeleton line must be valid on its own, and code outside a region must not need code inside one ' +
        '(move it into the region, or hand out the part it depends on).',
    );
  }

  // 4. Write: student code and docs rewritten, package.json without the omitted tools, the rest byte for byte.
  fs.mkdirSync(out, { recursive: true });
  for (const file of shipped) {
    const from = path.join(source, file);
    const to = path.join(out, file);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    let text: string | undefined;
    if (code.has(file)) text = project.text(file);
    else if (STUDENT_DOCS.includes(file))
      text = await format(source, file, studentMarkdown(file, read(file)));
    else if (file === 'package.json') text = studentPackageJson(read(file));
    if (text === undefined) fs.copyFileSync(from, to);
    else {
      fs.writeFileSync(to, text);
      fs.chmodSync(to, fs.statSync(from).mode & 0o777);
    }
  }
  if (options.git !== false) commit(out, options.parts);
  log(
    `wrote ${shipped.length} files to ${out} (${changed.length} with skeletons; ${omitted.length} instructor-only files left out)`,
  );
  return { files: shipped, rewritten: changed, omitted };
}

async function format(source: string, file: string, text: string): Promise<string> {
  const abs = path.join(source, file);
  const config = (await prettier.resolveConfig(abs)) ?? {};
  return prettier.format(text, { ...config, filepath: abs });
}

function commit(out: string, parts: ReadonlySet<Part>): void {
  const git = (...args: string[]): void => {
    execFileSync('git', args, { cwd: out, stdio: ['ignore', 'ignore', 'pipe'] });
  };
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git(
    '-c',
    'user.name=raftlab handout',
    '-c',
    'user.email=handout@raftlab.invalid',
    '-c',
    'commit.gpgsign=false',
    'commit',
    '-q',
    '-m',
    `raftlab handout: parts ${describeParts(parts)}`,
  );
}
