/**
 * The command line of `npm run mutants`, checked: commander parses, this module turns the strings into
 * values and says plainly what was wrong (a CliError: exit 2).
 */
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { newSeed } from '../../tests/harness/env';
import type { Part } from '../../tests/harness/lab-test';
import { CliError, positiveInt, seed } from '../stress/options';
import type { Catalog, Mutant } from './types';

export { CliError };

export interface MutantsOptions {
  readonly only: readonly string[] | undefined;
  readonly parts: readonly string[] | undefined;
  readonly k: number;
  readonly firstSeed: number;
  readonly parallel: number;
  readonly json: string | undefined;
  readonly hangMs: number;
  readonly keep: boolean;
  /** A module exporting `mutants` (and `baseEdits`); default: scripts/mutants/catalog.ts. */
  readonly catalog: string;
  readonly list: boolean;
  /** An explore-only mutant to check with explore instead of the tests (mutants/explore.ts). */
  readonly explore: string | undefined;
  /** How long explore searches, in minutes. */
  readonly minutes: number;
}

function list(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

export function mutantsCommand(): Command {
  return new Command('mutants')
    .description(
      'Apply each classic bug of the catalog to a fresh copy of the reference and run its part on k seeds; ' +
        'exit 0 only if the tests kill every mutant.',
    )
    .option('--only <ids>', 'comma-separated mutant ids', list)
    .option('--parts <parts>', 'comma-separated parts, e.g. 2A,2C', list)
    .option('-k, --seeds <k>', 'seeds per mutant (a survivor passed all of them)', positiveInt('-k'), 3)
    .option('--seed <s>', 'first seed; the others follow (default: random)', seed)
    .option('-p, --parallel <p>', 'mutants tested at once (default: the cores)', positiveInt('-p'))
    .option('--json <file>', 'write every result to this file')
    .option(
      '--hang <seconds>',
      'a run without a single event for this long is killed (and counts as a kill)',
      '10',
    )
    .option('--keep', 'keep each mutant’s copy of the project (its path is printed)', false)
    .option(
      '--catalog <module>',
      'a catalog module exporting `mutants`',
      path.join('scripts', 'mutants', 'catalog.ts'),
    )
    .option('--list', 'print the catalog (id, rule, part, bug) and exit', false)
    .option(
      '--explore <id>',
      'check an explore-only mutant with npm run explore on its part, in a patched copy',
    )
    .option('--minutes <m>', 'with --explore: how long to search', positiveInt('--minutes'), 10)
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
}

interface RawOptions {
  only?: string[];
  parts?: string[];
  seeds: number;
  seed?: number;
  parallel?: number;
  json?: string;
  hang: string;
  keep: boolean;
  catalog: string;
  list: boolean;
  explore?: string;
  minutes: number;
}

export function parseMutantsArgs(argv: readonly string[]): MutantsOptions {
  const command = mutantsCommand();
  command.parse([...argv], { from: 'user' });
  const raw = command.opts<RawOptions>();
  const hang = Number(raw.hang);
  if (!Number.isFinite(hang) || hang <= 0)
    throw new CliError(`Expected --hang seconds > 0, got \`${raw.hang}\`.`);
  return {
    only: raw.only,
    parts: raw.parts,
    k: raw.seeds,
    firstSeed: raw.seed ?? newSeed(),
    parallel: raw.parallel ?? Math.max(1, os.availableParallelism()),
    json: raw.json,
    hangMs: hang * 1000,
    keep: raw.keep,
    catalog: raw.catalog,
    list: raw.list,
    explore: raw.explore,
    minutes: raw.minutes,
  };
}

/** The mutants --only and --parts select, in catalog order; unknown ids or parts are a CliError. */
export function selectMutants(catalog: Catalog, options: Pick<MutantsOptions, 'only' | 'parts'>): Mutant[] {
  const ids = new Set(catalog.mutants.map((m) => m.id));
  const unknown = (options.only ?? []).filter((id) => !ids.has(id));
  if (unknown.length > 0) {
    throw new CliError(
      `--only: no mutant named ${unknown.join(', ')}. Run \`npm run mutants -- --list\` to see them.`,
    );
  }
  const parts = new Set<string>(catalog.mutants.map((m) => m.part));
  const badParts = (options.parts ?? []).filter((p) => !parts.has(p.toUpperCase()));
  if (badParts.length > 0) {
    throw new CliError(
      `--parts: no mutant of part ${badParts.join(', ')}; the catalog has ${[...parts].join(', ')}.`,
    );
  }
  const wantedParts = options.parts?.map((p) => p.toUpperCase() as Part);
  // An explore-only mutant passes its part's tests by design (`--explore <id>` checks it with explore):
  // run its tests here only when named, else it would be a survivor in every run.
  return catalog.mutants.filter(
    (m) =>
      (options.only === undefined ? m.killedBy !== 'explore' : options.only.includes(m.id)) &&
      (wantedParts === undefined || wantedParts.includes(m.part)),
  );
}
