/**
 * `npm run explore -- 2C --mutant <id>`: explore a catalog mutant rather than the checkout's own peer,
 * in a patched copy of the project made the way `npm run mutants` makes one (a temporary folder,
 * node_modules linked, the mutant's edits and the catalog's base edits applied). This is how an
 * "explore only" mutant is shown to be killed (INSTRUCTORS.md).
 */
import path from 'node:path';
import { baseEdits, mutants } from '../mutants/catalog';
import { applyEdits } from '../mutants/patch';
import { makeSandbox, removeSandbox } from '../mutants/sandbox';
import { CliError } from '../stress/options';
import type { FoundTest } from '../stress/types';

export interface MutantCopy {
  readonly root: string;
  /** The tests, their modules moved into the copy. */
  readonly tests: FoundTest[];
  remove(): void;
}

export function mutantCopy(id: string, checkout: string, tests: readonly FoundTest[]): MutantCopy {
  const mutant = mutants.find((m) => m.id === id);
  if (mutant === undefined) {
    throw new CliError(
      `--mutant: no mutant \`${id}\` in scripts/mutants/catalog.ts (npm run mutants -- --list?)`,
    );
  }
  const root = makeSandbox(checkout, mutant.id);
  applyEdits(root, [...baseEdits, ...mutant.edits], `mutant "${mutant.id}"`);
  return {
    root,
    tests: tests.map((t) => ({ ...t, moduleFile: path.join(root, path.relative(checkout, t.moduleFile)) })),
    remove: () => removeSandbox(root),
  };
}
