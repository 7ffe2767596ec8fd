/**
 * The data of the mutation catalog: a mutant is a classic bug, written as a few exact search/replace
 * edits on the reference sources, with the rule it breaks and the part whose tests must catch it.
 * Everything here is plain JSON, so a result crosses from the child process and lands in `--json`.
 */
import type { Part } from '../../tests/harness/lab-test';

/** Replace the one occurrence of `search` in `file` (relative to the project root) by `replace`. */
export interface Edit {
  readonly file: string;
  readonly search: string;
  readonly replace: string;
}

export interface Mutant {
  /** Short, unique, kebab-case: `vote-twice`. */
  readonly id: string;
  /** The rule it breaks: a Figure 2 / Figure 13 id named in raft/ ([RV.2]), or one of rules.ts. */
  readonly rule: string;
  /** The part whose tests must kill it. */
  readonly part: Part;
  /** The bug, in one line, as a student would describe what their code does. */
  readonly bug: string;
  readonly edits: readonly Edit[];
  /** Test modules to run instead of every `*.tests.ts` under tests/ (fixtures use this). */
  readonly tests?: readonly string[];
  /**
   * 'explore': a bug that only a rare schedule shows. It passes every test of its part (checked on 20
   * seeds); `npm run mutants -- --explore <id>` runs explore on it, which finds and shrinks it.
   * `npm run mutants` skips it unless --only names it (its tests would only report it as a survivor).
   */
  readonly killedBy?: 'explore';
}

/** A catalog module exports `mutants`, and optionally `baseEdits` applied to every mutant's copy. */
export interface Catalog {
  readonly mutants: readonly Mutant[];
  readonly baseEdits?: readonly Edit[];
}

/** The first failing run of a mutant. */
export interface Kill {
  readonly test: string;
  readonly seed: number;
  /** The failure's headline (its first line), e.g. "LabCheckFailure: expected one leader, got none (at 5.011 s)". */
  readonly error: string;
  /** The whole failure as the run printed it (headline, diagnosis, test, seed, replay): in --json, not the table. */
  readonly message: string;
  readonly hung: boolean;
}

export interface MutantResult {
  readonly id: string;
  readonly rule: string;
  readonly part: Part;
  readonly bug: string;
  /** The first failing run, in plan order (seed by seed, each seed through the part's tests); null: survived. */
  readonly kill: Kill | null;
  /** Runs made (a killed mutant stops at its first failure). */
  readonly runs: number;
  /** Runs a survivor had to pass: seeds × tests. */
  readonly planned: number;
  readonly wallMs: number;
}

/** What testing one mutant came to. */
export interface KillRunAnswer {
  readonly kill: Kill | null;
  readonly runs: number;
  readonly planned: number;
}
