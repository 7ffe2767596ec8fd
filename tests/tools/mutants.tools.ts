/**
 * The mutants tool (npm run mutants): end to end on a tiny fixture catalog (mutants-fixture/), a mutant
 * the fixture test kills and one it cannot, and a catalog whose edit no longer applies; the edits' rules;
 * and the real catalog's coverage of the rule ids the reference names. Each CLI case runs
 * scripts/mutants.ts in a process of its own (script-process.ts), one of them through the `tsx` command
 * exactly as `npm run mutants` does.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { baseEdits, mutants } from '../../scripts/mutants/catalog';
import { selectMutants } from '../../scripts/mutants/options';
import { headline } from '../../scripts/mutants/kill';
import { PatchError, planEdits } from '../../scripts/mutants/patch';
import { checkCatalog } from '../../scripts/mutants/run';
import { NOT_APPLICABLE, RULES } from '../../scripts/mutants/rules';
import type { MutantResult } from '../../scripts/mutants/types';
import { runScript } from './script-process';

const ROOT = path.resolve(__dirname, '../..');
const FIXTURES = 'tests/tools/mutants-fixture';
const SUBJECT = path.join(ROOT, FIXTURES, 'subject.ts');

let tmp = '';
beforeAll(() => void (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mutants-test-'))));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

interface MutantsRun {
  status: number | null;
  stdout: string;
  stderr: string;
  results: MutantResult[];
}

function mutantsCli(args: string[]): MutantsRun {
  const json = path.join(tmp, `run-${Math.random().toString(36).slice(2)}.json`);
  const child = runScript('scripts/mutants.ts', [...args, '--json', json]);
  const results = fs.existsSync(json)
    ? (JSON.parse(fs.readFileSync(json, 'utf8')) as { mutants: MutantResult[] }).mutants
    : [];
  return { ...child, results };
}

test('a killed mutant names its test, seed and failure; a survivor passes every run; exit 1', () => {
  const before = fs.readFileSync(SUBJECT, 'utf8');
  const run = mutantsCli([
    '--catalog',
    `${FIXTURES}/catalog.fixture.ts`,
    '-k',
    '2',
    '--seed',
    '7',
    '-p',
    '2',
  ]);
  expect(run.status).toBe(1);
  const [killed, survivor] = run.results;
  expect(killed.id).toBe('add-subtracts');
  expect(killed.kill).toMatchObject({ test: 'Test (harness): mutants fixture: add and double', seed: 7 });
  // The kill keeps the headline for the table and the whole failure (detail, seed, replay) for --json.
  expect(killed.kill?.error).toBe('Error: add(2, 3) is -1, not 5');
  expect(killed.kill?.message).toContain('add(2, 3) is -1, not 5\n  add returns the sum of a and b');
  expect(killed.kill?.message).toMatch(/seed: +7 /);
  expect(killed.runs).toBe(1); // stopped at the first failure
  expect(survivor.id).toBe('double-by-adding');
  expect(survivor.kill).toBeNull();
  expect([survivor.runs, survivor.planned]).toEqual([2, 2]); // both seeds passed
  expect(run.stdout).toMatch(
    /killed by "mutants fixture: add and double", seed 7:[\s\S]*?add\(2, 3\) is -1, not 5/,
  );
  expect(run.stdout).not.toContain('add returns the sum'); // the table keeps one line per failure
  expect(run.stderr).toContain(
    'add-subtracts: killed by "mutants fixture: add and double", seed 7: Error: add(2, 3) is -1, not 5',
  );
  expect(run.stdout).toContain('SURVIVED 2 runs');
  expect(run.stdout).toContain('survivors: double-by-adding');
  expect(fs.readFileSync(SUBJECT, 'utf8')).toBe(before); // the checkout is never modified
});

test('exit 0 when every selected mutant is killed', () => {
  const run = mutantsCli([
    '--catalog',
    `${FIXTURES}/catalog.fixture.ts`,
    '--only',
    'add-subtracts',
    '-k',
    '1',
  ]);
  expect(run.status).toBe(0);
  expect(run.stdout).toContain('1 mutants: 1 killed, 0 survived');
});

test('an edit that no longer applies stops everything, naming the mutant and the missing text (exit 2)', () => {
  const stale = ['--catalog', `${FIXTURES}/catalog-stale.fixture.ts`, '-k', '1'];
  const run = mutantsCli(stale);
  expect(run.status).toBe(2);
  expect(run.stderr).toContain(
    'mutant "stale-edit": tests/tools/mutants-fixture/subject.ts no longer contains',
  );
  expect(run.stderr).toContain('return a + b + 0;');
  expect(run.results).toEqual([]);
});

test('an unknown mutant id or part is bad input, named', () => {
  const catalog = { mutants };
  expect(() => selectMutants(catalog, { only: ['no-such-bug'], parts: undefined })).toThrow(
    '--only: no mutant named no-such-bug',
  );
  expect(() => selectMutants(catalog, { only: undefined, parts: ['2F'] })).toThrow(
    '--parts: no mutant of part 2F',
  );
  const picked = selectMutants(catalog, { only: undefined, parts: ['2c'] });
  expect(picked.length).toBeGreaterThan(0);
  expect(picked.every((m) => m.part === '2C')).toBe(true);
});

test('explore-only mutants are left out unless --only names them (CI would count them as survivors)', () => {
  const catalog = { mutants };
  const exploreOnly = mutants.filter((m) => m.killedBy === 'explore');
  expect(exploreOnly.length).toBeGreaterThan(0);
  const all = selectMutants(catalog, { only: undefined, parts: undefined });
  expect(all.some((m) => m.killedBy === 'explore')).toBe(false);
  expect(all.length).toBe(mutants.length - exploreOnly.length);
  const named = selectMutants(catalog, { only: [exploreOnly[0].id], parts: undefined });
  expect(named.map((m) => m.id)).toEqual([exploreOnly[0].id]);
});

test("a failure's headline is its first non-blank line", () => {
  expect(headline('LabCheckFailure: no leader (at 5.011 s)\n  diagnosis:\n    S0 follower')).toBe(
    'LabCheckFailure: no leader (at 5.011 s)',
  );
  expect(headline('\n  \nHungRun: no progress\n  test: x')).toBe('HungRun: no progress');
});

describe('edits', () => {
  const file = (text: string): string => {
    const dir = fs.mkdtempSync(path.join(tmp, 'edit-'));
    fs.writeFileSync(path.join(dir, 'f.ts'), text);
    return dir;
  };

  test('replace exactly one occurrence, literally ($& stays $&)', () => {
    const dir = file('const a = 1;\nconst b = 2;\n');
    const out = planEdits(dir, [{ file: 'f.ts', search: 'const b = 2;', replace: "const b = '$&';" }], 'm');
    expect([...out.values()][0]).toBe("const a = 1;\nconst b = '$&';\n");
  });

  test('missing or ambiguous text is a PatchError naming the owner', () => {
    const dir = file('x;\nx;\n');
    expect(() => planEdits(dir, [{ file: 'f.ts', search: 'y;', replace: 'z;' }], 'mutant "m"')).toThrow(
      /mutant "m": f.ts no longer contains/,
    );
    expect(() => planEdits(dir, [{ file: 'f.ts', search: 'x;', replace: 'z;' }], 'm')).toThrow(PatchError);
    expect(() => planEdits(dir, [{ file: 'f.ts', search: 'x;', replace: 'z;' }], 'm')).toThrow(/2 times/);
  });
});

describe('the catalog', () => {
  /** Every rule id raft/ names beside its code, e.g. [RV.2]. */
  function namedRules(): Set<string> {
    const ids = new Set<string>();
    for (const name of fs.readdirSync(path.join(ROOT, 'raft'))) {
      const text = fs.readFileSync(path.join(ROOT, 'raft', name), 'utf8');
      for (const [id] of text.matchAll(/\[(?:All|F|C|L|RV|AE|IS)\.\d+\]/g)) ids.add(id);
    }
    return ids;
  }

  test('has a mutant for every rule id the reference names (Figure 13 chunking aside)', () => {
    const covered = new Set(mutants.map((m) => m.rule));
    const missing = [...namedRules()].filter((id) => !covered.has(id) && !(id in NOT_APPLICABLE));
    expect(missing).toEqual([]);
  });

  test('every edit still applies to the reference, exactly once (else the whole run stops, exit 2)', () => {
    expect(() => checkCatalog(ROOT, { mutants, baseEdits }, mutants)).not.toThrow();
  });

  test('every mutant names a documented rule, and the KV and persistence rules are covered', () => {
    expect(mutants.filter((m) => !(m.rule in RULES)).map((m) => m.id)).toEqual([]);
    const covered = new Set(mutants.map((m) => m.rule));
    expect(Object.keys(RULES).filter((id) => /^\[(KV|P)\./.test(id) && !covered.has(id))).toEqual([]);
  });
});
