/**
 * Where the lab tests are: the `*.tests.ts` modules under a folder, and which lab tests a module exports
 * (every exported array whose items are all LabTest objects).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { LabTest } from '../lab-test';

/** How a lab test module's name ends. */
export const LAB_MODULE_SUFFIX = '.tests.ts';

/** Every lab test module under `dir` (node_modules and dot folders skipped), sorted. */
export function findLabModules(dir: string): string[] {
  const found: string[] = [];
  const walk = (folder: string): void => {
    for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith(LAB_MODULE_SUFFIX)) found.push(full);
    }
  };
  walk(dir);
  return found.sort();
}

export function isLabTest(value: unknown): value is LabTest {
  if (typeof value !== 'object' || value === null) return false;
  const t = value as Partial<Record<keyof LabTest, unknown>>;
  return typeof t.name === 'string' && typeof t.part === 'string' && typeof t.body === 'function';
}

/** The lab tests a module exports: every exported array whose items are all LabTests, in order. */
export function labTestsOf(mod: Record<string, unknown>): LabTest[] {
  const arrays = Object.values(mod).filter(
    (value): value is LabTest[] => Array.isArray(value) && value.length > 0 && value.every(isLabTest),
  );
  return arrays.flat();
}
