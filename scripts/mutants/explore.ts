/**
 * `npm run mutants -- --explore <id> [--minutes M] [--seed S] [-p P] [--json FILE] [--keep]`: check an
 * explore-only mutant (catalog entries with `killedBy: 'explore'`): patch a fresh copy of the project
 * exactly as the kill runs do, then run `npm run explore` on the mutant's part there (`--root`). Exit
 * status is explore's: 1 when it found (and shrank) the bug, 0 when it did not within the time.
 *
 * Here rather than in explore, so that explore (a student's tool) knows nothing of the catalog, which
 * the handout leaves out (scripts/handout/files.ts).
 */
import { main as explore } from '../explore';
import { applyEdits } from './patch';
import { makeSandbox, removeSandbox } from './sandbox';
import type { Catalog } from './types';
import { CliError } from '../stress/options';

export interface ExploreMutantOptions {
  readonly minutes: number;
  readonly firstSeed: number;
  readonly parallel: number;
  readonly json: string | undefined;
  /** Keep the copy even when explore found nothing (it is kept anyway when it found: the replay needs it). */
  readonly keep: boolean;
}

export async function exploreMutant(
  root: string,
  catalog: Catalog,
  id: string,
  options: ExploreMutantOptions,
): Promise<number> {
  const mutant = catalog.mutants.find((m) => m.id === id);
  if (mutant === undefined)
    throw new CliError(`--explore: no mutant named ${id}. Run \`npm run mutants -- --list\`.`);
  const copy = makeSandbox(root, mutant.id);
  applyEdits(copy, [...(catalog.baseEdits ?? []), ...mutant.edits], `mutant "${mutant.id}"`);
  process.stderr.write(`mutants: ${mutant.id} (${mutant.rule}, ${mutant.part}) in ${copy}\n`);
  const args = [
    mutant.part,
    '--root',
    copy,
    '--minutes',
    String(options.minutes),
    '--seed',
    String(options.firstSeed),
  ];
  args.push('-p', String(options.parallel), ...(options.json === undefined ? [] : ['--json', options.json]));
  const status = await explore(args);
  if (status === 0 && !options.keep) removeSandbox(copy);
  else
    process.stderr.write(`mutants: the patched copy stays in ${copy} (the scripted test replays from it)\n`);
  return status;
}
