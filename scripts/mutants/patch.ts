/**
 * Applying a mutant's edits to a copy of the project. Each edit names exact text that must occur exactly
 * once in its file: the catalog is checked against the reference it patches, so when someone edits the
 * reference, a mutant whose text is gone fails loudly, naming itself and the missing text, instead of
 * silently testing an unmutated peer. Every mutant is checked this way before anything runs.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Edit } from './types';

/** An edit that does not apply: the text is missing, or ambiguous. */
export class PatchError extends Error {
  override name = 'PatchError';
}

function occurrences(text: string, search: string): number {
  let count = 0;
  for (let at = text.indexOf(search); at >= 0; at = text.indexOf(search, at + 1)) count += 1;
  return count;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `    | ${line}`)
    .join('\n');
}

/**
 * The new text of every file `edits` touch under `root`, edits applied in order (a later edit sees the
 * earlier ones); `owner` names the mutant in errors. Writes nothing.
 */
export function planEdits(root: string, edits: readonly Edit[], owner: string): Map<string, string> {
  const texts = new Map<string, string>();
  for (const edit of edits) {
    const file = path.join(root, edit.file);
    if (edit.search === '')
      throw new PatchError(`${owner}: an edit of ${edit.file} has an empty search text`);
    if (edit.search === edit.replace)
      throw new PatchError(`${owner}: an edit of ${edit.file} changes nothing`);
    if (!texts.has(file)) {
      if (!fs.existsSync(file)) throw new PatchError(`${owner}: ${edit.file} does not exist`);
      texts.set(file, fs.readFileSync(file, 'utf8'));
    }
    const text = texts.get(file) as string;
    const found = occurrences(text, edit.search);
    if (found !== 1) {
      const what = found === 0 ? 'no longer contains' : `contains ${found} times (make it unique)`;
      throw new PatchError(
        `${owner}: ${edit.file} ${what} the text to replace:\n${indent(edit.search)}\n` +
          'The reference changed under the catalog: update this edit (scripts/mutants/catalog.ts).',
      );
    }
    const at = text.indexOf(edit.search);
    // Sliced, not String.replace: a replacement containing `$&` or `$1` must stay literal.
    texts.set(file, text.slice(0, at) + edit.replace + text.slice(at + edit.search.length));
  }
  return texts;
}

/** Apply `edits` to the files under `root`. */
export function applyEdits(root: string, edits: readonly Edit[], owner: string): void {
  for (const [file, text] of planEdits(root, edits, owner)) fs.writeFileSync(file, text);
}
