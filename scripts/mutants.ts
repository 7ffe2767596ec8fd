/**
 * The mutation catalog: `npm run mutants -- [--only id,…] [--parts 2A,…] [-k 3] [--seed s] [-p 2]
 * [--json file] [--list] [--keep] [--catalog module]`. An instructors' tool.
 *
 * Each mutant of the catalog (scripts/mutants/catalog.ts) is a classic bug, written as exact edits to
 * the reference. For each one: a fresh copy of the project in a temporary folder (the checkout is never
 * touched), the edits applied, and the mutant's part run on k seeds in isolated workers, stopping at the
 * first failure. Prints the kill table; exit 0 only if every mutant was killed, 1 if any survived,
 * 2 on bad input, an edit that no longer applies to the reference, or a run that never started (a
 * module that does not load: that is no kill).
 *
 * Modules: mutants/catalog (the data), rules (the rule ids), load (catalog shape), options (command
 * line), patch (edits), sandbox (the copy), run (orchestration), kill (the runs inside a copy),
 * report (the table, --json).
 */
import '../tests/harness/random-setup'; // first: before lodash or any test module loads
import path from 'node:path';
import { loadCatalog } from './mutants/load';
import { parseMutantsArgs, selectMutants } from './mutants/options';
import { runCli } from './stress/options';
import { MutantRunError } from './mutants/kill';
import { PatchError } from './mutants/patch';
import { killTable, progressLine, summary, writeJson } from './mutants/report';
import { runMutants } from './mutants/run';
import { exploreMutant } from './mutants/explore';
import type { Mutant } from './mutants/types';

function listing(mutants: readonly Mutant[]): string {
  return mutants.map((m) => `${m.id.padEnd(32)} ${m.rule.padEnd(8)} ${m.part}  ${m.bug}`).join('\n') + '\n';
}

export async function main(argv: readonly string[]): Promise<number> {
  const options = parseMutantsArgs(argv);
  const catalog = loadCatalog(options.catalog);
  if (options.explore !== undefined) {
    return exploreMutant(process.cwd(), catalog, options.explore, options);
  }
  const mutants = selectMutants(catalog, options);
  if (options.list) {
    process.stdout.write(listing(mutants));
    return 0;
  }
  const seeds =
    options.k === 1
      ? `seed ${options.firstSeed}`
      : `seeds ${options.firstSeed}..${options.firstSeed + options.k - 1}`;
  process.stderr.write(`mutants: ${mutants.length} mutants, ${seeds}, ${options.parallel} at a time\n`);
  const started = performance.now();
  const results = await runMutants({
    root: process.cwd(),
    catalog,
    mutants,
    firstSeed: options.firstSeed,
    k: options.k,
    parallel: options.parallel,
    hangMs: options.hangMs,
    keep: options.keep,
    onResult(result, copy) {
      const where = copy === undefined ? '' : `  (copy: ${copy})`;
      process.stderr.write(`  ${progressLine(result)}${where}\n`);
    },
  });
  const wallMs = performance.now() - started;
  process.stdout.write(`${killTable(results)}\n${summary(results, wallMs)}\n`);
  const survivors = results.filter((r) => r.kill === null);
  if (survivors.length > 0) {
    const replay = `npm run mutants -- --only ${survivors.map((r) => r.id).join(',')} -k ${options.k} --seed ${options.firstSeed}`;
    process.stdout.write(`replay: ${replay}\n`);
  }
  if (options.json !== undefined) {
    const command = ['npm run mutants --', ...argv].join(' ');
    writeJson(
      options.json,
      { command, firstSeed: options.firstSeed, k: options.k, wallMs: Math.round(wallMs) },
      results,
    );
    process.stderr.write(
      `mutants: results written to ${path.relative(process.cwd(), path.resolve(options.json))}\n`,
    );
  }
  return survivors.length === 0 ? 0 : 1;
}

if (require.main === module) {
  runCli('mutants', main, [PatchError, MutantRunError]);
}
