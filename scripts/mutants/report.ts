/**
 * What `npm run mutants` prints: the kill table (one row per mutant: the rule it breaks, its part, and
 * which test killed it on which seed with the failure's headline, or SURVIVED), a summary line, and
 * with --json every result for machines, each kill with its whole failure message (diagnosis, replay).
 */
import fs from 'node:fs';
import path from 'node:path';
import Table from 'cli-table3';
import pc from 'picocolors';
import type { MutantResult } from './types';

/** The test's title without the "Test (2A): " prefix (the part has its own column). */
function shortTitle(name: string): string {
  return name.replace(/^Test \(\w+\): /, '').replace(/^Test: (.*) \(\w+\)$/, '$1');
}

/**
 * The verdict cell: who killed it, on which seed, and the failure's headline (never the rest of the
 * message: that is in --json); or SURVIVED with how much it passed. `separator` goes between the two.
 */
export function verdict(result: MutantResult, separator = '\n'): string {
  const kill = result.kill;
  if (kill === null) return pc.red(pc.bold(`SURVIVED ${result.planned} runs`));
  const how = kill.hung ? ' (hung)' : '';
  return `${pc.green('killed')} by "${shortTitle(kill.test)}", seed ${kill.seed}${how}:${separator}${kill.error}`;
}

/** One line of progress for a finished mutant (stderr, as results come in). */
export function progressLine(result: MutantResult): string {
  return `${result.id}: ${verdict(result, ' ')}`;
}

export function killTable(results: readonly MutantResult[], width = process.stdout.columns ?? 160): string {
  const verdictWidth = Math.max(50, Math.min(120, width - 50));
  const table = new Table({
    head: ['mutant', 'rule', 'part', 'verdict'],
    colWidths: [30, 9, 6, verdictWidth],
    wordWrap: true,
    wrapOnWordBoundary: false,
    style: pc.isColorSupported ? { head: ['cyan'] } : { head: [], border: [] },
  });
  for (const r of results) table.push([r.id, r.rule, r.part, verdict(r)]);
  return table.toString();
}

export function summary(results: readonly MutantResult[], wallMs: number): string {
  const survived = results.filter((r) => r.kill === null);
  const killed = results.length - survived.length;
  const runs = results.reduce((sum, r) => sum + r.runs, 0);
  const text =
    `${results.length} mutants: ${killed} killed, ` +
    (survived.length === 0 ? pc.green('0 survived') : pc.red(`${survived.length} survived`)) +
    ` (${runs} runs in ${(wallMs / 1000).toFixed(1)} s)`;
  if (survived.length === 0) return text;
  return `${text}\nsurvivors: ${survived.map((r) => r.id).join(', ')}`;
}

export interface JsonHeader {
  readonly command: string;
  readonly firstSeed: number;
  readonly k: number;
  readonly wallMs: number;
}

export function writeJson(file: string, header: JsonHeader, results: readonly MutantResult[]): void {
  const survived = results.filter((r) => r.kill === null).map((r) => r.id);
  const body = { ...header, total: results.length, survived, mutants: results };
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(body, null, 2) + '\n');
}
