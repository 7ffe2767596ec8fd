/**
 * The rubric: points per test, and how a test's runs turn into credit. A rubric is a YAML or JSON file
 * (YAML is a superset of JSON; the `yaml` package parses both):
 *
 *   name: 6.824 Labs 2 and 3
 *   runs: 3                 # runs per test unless --runs says otherwise
 *   credit: all-runs        # all-runs: the points only if every run passes; pass-rate: points × passed/runs
 *   visibility: visible     # Gradescope: visible | hidden | after_due_date | after_published
 *   parts:
 *     2A:
 *       credit: pass-rate   # optional, per part
 *       tests:
 *         "Test (2A): initial election": 5
 *         "Test (2A): multiple elections": { points: 5, credit: all-runs, visibility: hidden }
 *
 * Every error names the place in the file and what is allowed there.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { parse } from 'yaml';
import { LAB_PARTS, type LabPart } from './owned';

export type Credit = 'all-runs' | 'pass-rate';
export type Visibility = 'visible' | 'hidden' | 'after_due_date' | 'after_published';

export interface RubricTest {
  readonly name: string;
  readonly part: LabPart;
  readonly points: number;
  readonly credit: Credit;
  readonly visibility: Visibility;
}

export interface Rubric {
  readonly name: string;
  readonly file: string;
  /** sha256 of the file's text: part of what a gradebook resume compares. */
  readonly hash: string;
  readonly runs: number;
  readonly tests: readonly RubricTest[];
}

export class RubricError extends Error {
  override name = 'RubricError';
}

const CREDITS: readonly Credit[] = ['all-runs', 'pass-rate'];
const VISIBILITIES: readonly Visibility[] = ['visible', 'hidden', 'after_due_date', 'after_published'];

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class Reader {
  constructor(private readonly file: string) {}

  fail(where: string, message: string): never {
    throw new RubricError(`${this.file}: ${where}: ${message}`);
  }

  keys(obj: Json, where: string, allowed: readonly string[]): void {
    for (const key of Object.keys(obj)) {
      if (!allowed.includes(key))
        this.fail(where, `unknown key \`${key}\` (expected one of ${allowed.join(', ')})`);
    }
  }

  oneOf<T extends string>(value: unknown, where: string, choices: readonly T[], fallback: T): T {
    if (value === undefined) return fallback;
    if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
      this.fail(where, `expected one of ${choices.join(', ')}, got \`${String(value)}\``);
    }
    return value as T;
  }

  points(value: unknown, where: string): number {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      this.fail(where, `expected a number of points >= 0, got \`${String(value)}\``);
    }
    return value;
  }
}

function readTest(
  r: Reader,
  name: string,
  value: unknown,
  part: LabPart,
  defaults: { credit: Credit; visibility: Visibility },
): RubricTest {
  const where = `parts.${part}.tests["${name}"]`;
  if (typeof value === 'number') return { name, part, points: r.points(value, where), ...defaults };
  if (!isObject(value)) return r.fail(where, 'expected points (a number) or { points, credit, visibility }');
  r.keys(value, where, ['points', 'credit', 'visibility']);
  return {
    name,
    part,
    points: r.points(value.points, `${where}.points`),
    credit: r.oneOf(value.credit, `${where}.credit`, CREDITS, defaults.credit),
    visibility: r.oneOf(value.visibility, `${where}.visibility`, VISIBILITIES, defaults.visibility),
  };
}

/** Parse a rubric's text (YAML or JSON). */
export function parseRubric(text: string, file: string): Rubric {
  const r: Reader = new Reader(file);
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (error) {
    r.fail('syntax', (error as Error).message.split('\n')[0]);
  }
  if (!isObject(doc)) r.fail('top level', 'expected a mapping with `parts`');
  r.keys(doc, 'top level', ['name', 'runs', 'credit', 'visibility', 'parts']);
  const runs = doc.runs ?? 1;
  if (typeof runs !== 'number' || !Number.isSafeInteger(runs) || runs < 1) {
    r.fail('runs', `expected a positive integer, got \`${String(runs)}\``);
  }
  const credit = r.oneOf(doc.credit, 'credit', CREDITS, 'all-runs');
  const visibility = r.oneOf(doc.visibility, 'visibility', VISIBILITIES, 'visible');
  if (!isObject(doc.parts) || Object.keys(doc.parts).length === 0)
    r.fail('parts', 'expected a mapping of parts (2A…3B)');
  const tests: RubricTest[] = [];
  for (const [partKey, body] of Object.entries(doc.parts)) {
    if (!(LAB_PARTS as readonly string[]).includes(partKey)) {
      r.fail(`parts.${partKey}`, `unknown part (expected ${LAB_PARTS.join(', ')})`);
    }
    const part = partKey as LabPart;
    if (!isObject(body) || !isObject(body.tests))
      r.fail(`parts.${part}`, 'expected { tests: { "<test title>": points } }');
    r.keys(body, `parts.${part}`, ['credit', 'visibility', 'tests']);
    const defaults = {
      credit: r.oneOf(body.credit, `parts.${part}.credit`, CREDITS, credit),
      visibility: r.oneOf(body.visibility, `parts.${part}.visibility`, VISIBILITIES, visibility),
    };
    for (const [name, value] of Object.entries(body.tests))
      tests.push(readTest(r, name, value, part, defaults));
  }
  const name = typeof doc.name === 'string' ? doc.name : file;
  return { name, file, hash: crypto.createHash('sha256').update(text).digest('hex'), runs, tests };
}

export function loadRubric(file: string): Rubric {
  if (!fs.existsSync(file))
    throw new RubricError(`${file}: no such rubric file (give --rubric FILE, YAML or JSON)`);
  return parseRubric(fs.readFileSync(file, 'utf8'), file);
}

/** The rubric's tests of these parts; an error if a part has none. */
export function selectParts(rubric: Rubric, parts: readonly LabPart[] | undefined): RubricTest[] {
  if (parts === undefined) return [...rubric.tests];
  for (const part of parts) {
    if (!rubric.tests.some((t) => t.part === part)) {
      const has = [...new Set(rubric.tests.map((t) => t.part))].join(', ');
      throw new RubricError(
        `${rubric.file}: --parts ${part}: the rubric has no tests for it (it has ${has})`,
      );
    }
  }
  return rubric.tests.filter((t) => parts.includes(t.part));
}

/** Check the rubric against the tests that exist: every name known, every known test of a graded part given points. */
export function checkAgainst(rubric: Rubric, known: ReadonlyArray<{ name: string; part: string }>): void {
  const names = new Set(known.map((t) => t.name));
  for (const t of rubric.tests) {
    if (!names.has(t.name)) {
      const same = known.filter((k) => k.part === t.part).map((k) => `  ${k.name}`);
      throw new RubricError(
        `${rubric.file}: parts.${t.part}: no test is called "${t.name}". ${t.part} has:\n${same.join('\n')}`,
      );
    }
  }
  const graded = new Set(rubric.tests.map((t) => t.part as string));
  const listed = new Set(rubric.tests.map((t) => t.name));
  const missing = known.filter((k) => graded.has(k.part) && !listed.has(k.name));
  if (missing.length > 0) {
    throw new RubricError(
      `${rubric.file}: these tests of graded parts have no points (give them 0 to skip them on purpose: a ` +
        '0-point test is not run):\n' +
        missing.map((k) => `  ${k.part}: "${k.name}"`).join('\n'),
    );
  }
}
