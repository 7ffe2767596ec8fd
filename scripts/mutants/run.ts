/**
 * Testing a catalog: every selected mutant in its own copy of the project (sandbox.ts), patched
 * (patch.ts), its part's tests run inside the copy until the first failure (kill.ts), a few mutants at
 * a time. Each mutant's result depends only on the catalog, the sources and the seeds.
 */
import path from 'node:path';
import { findTestModules, loadTests } from '../stress/discover';
import { runPool } from '../stress/pool';
import type { FoundTest } from '../stress/types';
import { MutantRunError, killRun } from './kill';
import { PatchError, applyEdits, planEdits } from './patch';
import { makeSandbox, removeSandbox } from './sandbox';
import type { Catalog, Mutant, MutantResult } from './types';

export interface MutantsRun {
  /** The project to copy (the checkout). */
  readonly root: string;
  readonly catalog: Catalog;
  readonly mutants: readonly Mutant[];
  /** Seeds firstSeed, firstSeed + 1, … (k of them). */
  readonly firstSeed: number;
  readonly k: number;
  /** Mutants tested at once (each one run at a time). */
  readonly parallel: number;
  readonly hangMs: number;
  /** Keep each mutant's copy (its path is printed) instead of deleting it. */
  readonly keep: boolean;
  readonly onResult?: (result: MutantResult, copy: string | undefined) => void;
}

/** Check that every mutant's edits apply to `root`; one PatchError naming every mutant that does not. */
export function checkCatalog(root: string, catalog: Catalog, mutants: readonly Mutant[]): void {
  const problems: string[] = [];
  for (const mutant of mutants) {
    try {
      planEdits(root, [...(catalog.baseEdits ?? []), ...mutant.edits], `mutant "${mutant.id}"`);
    } catch (error) {
      if (!(error instanceof PatchError)) throw error;
      problems.push(error.message);
    }
  }
  if (problems.length > 0) throw new PatchError(problems.join('\n\n'));
}

/** The lab tests each mutant runs: its part's, from its own test roots (default tests/). */
function testsFor(root: string, mutants: readonly Mutant[]): Map<Mutant, FoundTest[]> {
  const byRoots = new Map<string, FoundTest[]>();
  const found = new Map<Mutant, FoundTest[]>();
  for (const mutant of mutants) {
    const roots = (mutant.tests ?? ['tests']).map((r) => path.resolve(root, r));
    const key = roots.join('\n');
    if (!byRoots.has(key)) byRoots.set(key, loadTests(findTestModules(roots)));
    const tests = (byRoots.get(key) as FoundTest[]).filter((t) => t.part === mutant.part);
    if (tests.length === 0)
      throw new PatchError(`mutant "${mutant.id}": no lab test of part ${mutant.part} to run`);
    found.set(mutant, tests);
  }
  return found;
}

/** Test one mutant in a fresh copy of the project. */
async function testMutant(
  run: MutantsRun,
  mutant: Mutant,
  tests: readonly FoundTest[],
): Promise<MutantResult> {
  const started = performance.now();
  const copy = makeSandbox(run.root, mutant.id);
  try {
    applyEdits(copy, [...(run.catalog.baseEdits ?? []), ...mutant.edits], `mutant "${mutant.id}"`);
    const seeds = Array.from({ length: run.k }, (_, i) => run.firstSeed + i);
    const answer = await killRun(run.root, copy, tests, seeds, run.hangMs).catch((error: unknown) => {
      const why = error instanceof Error ? error.message : String(error);
      throw new MutantRunError(`mutant "${mutant.id}": ${why}`);
    });
    const { id, rule, part, bug } = mutant;
    const result = { id, rule, part, bug, ...answer, wallMs: Math.round(performance.now() - started) };
    run.onResult?.(result, run.keep ? copy : undefined);
    return result;
  } finally {
    if (!run.keep) removeSandbox(copy);
  }
}

/** Test every mutant of the run; results in catalog order. */
export async function runMutants(run: MutantsRun): Promise<MutantResult[]> {
  checkCatalog(run.root, run.catalog, run.mutants);
  const tests = testsFor(run.root, run.mutants);
  const results = new Map<string, MutantResult>();
  await runPool(
    run.mutants,
    run.parallel,
    (mutant) => testMutant(run, mutant, tests.get(mutant) as FoundTest[]),
    (mutant, result) => results.set(mutant.id, result),
  );
  return run.mutants.map((mutant) => results.get(mutant.id) as MutantResult);
}
