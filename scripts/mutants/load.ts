/**
 * Loading a catalog module and checking its shape: ids unique and kebab-case, a rule, a known part, a
 * one-line bug, at least one edit. (Whether the edits apply is checked against the sources: patch.ts.)
 */
import path from 'node:path';
import { CliError } from '../stress/options';
import type { Catalog, Mutant } from './types';

const PARTS = new Set(['2A', '2B', '2C', '2D', '2E', '3A', '3B', '3C', '4A', '4B']);

function problemsOf(mutant: Mutant, seen: Set<string>): string[] {
  const problems: string[] = [];
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(mutant.id)) problems.push(`id \`${mutant.id}\` is not kebab-case`);
  if (seen.has(mutant.id)) problems.push(`id \`${mutant.id}\` is used twice`);
  if (!/^\[[A-Za-z]+\.\d+[a-z]?\]$/.test(mutant.rule))
    problems.push(`rule \`${mutant.rule}\` is not like [RV.2]`);
  if (!PARTS.has(mutant.part) && mutant.tests === undefined)
    problems.push(`part \`${mutant.part}\` is not a lab part`);
  if (mutant.bug.trim() === '' || mutant.bug.includes('\n')) problems.push('the bug must be one line');
  if (mutant.edits.length === 0) problems.push('it has no edits');
  return problems;
}

/** Check a catalog's shape; a CliError listing every problem. */
export function checkShape(catalog: Catalog, source: string): void {
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const mutant of catalog.mutants) {
    problems.push(...problemsOf(mutant, seen).map((p) => `mutant "${mutant.id}": ${p}`));
    seen.add(mutant.id);
  }
  if (problems.length > 0) throw new CliError(`${source}:\n  ${problems.join('\n  ')}`);
}

/** Load the catalog module at `file` (relative to the working directory). */
export function loadCatalog(file: string): Catalog {
  const full = path.resolve(file);
  let mod: Partial<Catalog>;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the catalog is chosen at run time
    mod = require(full) as Partial<Catalog>;
  } catch (error) {
    throw new CliError(
      `--catalog: cannot load ${file}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (!Array.isArray(mod.mutants)) throw new CliError(`--catalog: ${file} exports no \`mutants\` array`);
  const catalog: Catalog = { mutants: mod.mutants, baseEdits: mod.baseEdits };
  checkShape(catalog, file);
  return catalog;
}
