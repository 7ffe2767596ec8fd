/**
 * Runtime shape checks for model inputs and outputs read from JSON: each turns an unknown value into
 * the model's type or reports the JSON path and what was expected.
 */
import type { KvInput, KvOutput } from '../models/kv';
import type { RegisterInput, RegisterOutput, RegisterValue } from '../models/register';

export type Check<T> = (
  value: unknown,
  location: string,
  fail: (location: string, problem: string) => never,
) => T;

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

export const checkKvInput: Check<KvInput> = (value, at, fail) => {
  const v = record(value);
  if (!v || typeof v.key !== 'string')
    return fail(at, 'expected { "op": "get"|"put"|"append", "key": string, ... }');
  if (v.op === 'get') return { op: 'get', key: v.key };
  if ((v.op === 'put' || v.op === 'append') && typeof v.value === 'string')
    return { op: v.op, key: v.key, value: v.value };
  return fail(at, `expected op "get", or "put"/"append" with a string value; got ${JSON.stringify(value)}`);
};

export const checkKvOutput: Check<KvOutput> = (value, at, fail) => {
  const v = record(value);
  if (!v || typeof v.value !== 'string')
    return fail(at, `expected { "value": string }, got ${JSON.stringify(value)}`);
  return { value: v.value };
};

function isValue(value: unknown): value is RegisterValue {
  return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
}

export const checkRegisterInput: Check<RegisterInput> = (value, at, fail) => {
  const v = record(value);
  if (v?.op === 'read') return { op: 'read' };
  if (v?.op === 'write' && isValue(v.value)) return { op: 'write', value: v.value };
  if (v?.op === 'cas' && isValue(v.from) && isValue(v.to)) return { op: 'cas', from: v.from, to: v.to };
  return fail(
    at,
    `expected {"op":"read"}, {"op":"write","value":v} or {"op":"cas","from":v,"to":v}; got ${JSON.stringify(value)}`,
  );
};

export const checkRegisterOutput: Check<RegisterOutput> = (value, at, fail) => {
  const v = record(value);
  if (v?.kind === 'unknown' || v?.kind === 'written') return { kind: v.kind };
  if (v?.kind === 'read' && (v.value === null || isValue(v.value))) return { kind: 'read', value: v.value };
  if (v?.kind === 'cas' && typeof v.swapped === 'boolean') return { kind: 'cas', swapped: v.swapped };
  return fail(
    at,
    `expected {"kind":"unknown"|"written"}, {"kind":"read","value":v|null} or {"kind":"cas","swapped":bool}; got ${JSON.stringify(value)}`,
  );
};
