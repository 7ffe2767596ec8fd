/** Which lab tests a module exports: every exported array whose items are all LabTest objects. */
import type { LabTest } from '../lab-test';

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
