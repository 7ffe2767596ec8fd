/**
 * Parser for raftlab's own JSON history format, the one `scripts/check-history.ts` documents:
 *
 *   { "model": "kv" | "register",
 *     "operations": [{ "clientId": 0, "input": {...}, "output": {...}, "call": 10, "return": 12 }, ...],
 *     or "events": [{ "kind": "call" | "return", "clientId": 0, "id": 7, "value": {...} }, ...],
 *     "annotations": [{ "start": 5, "end": 9, "label": "partition {0,1} | {2}", "kind": "partition" }] }
 *
 * Inputs and outputs use the model's TypeScript shapes (`KvInput`/`KvOutput`, `RegisterInput`/
 * `RegisterOutput`). Guarantee: every field is checked and a mistake is a `HistoryFormatError` naming the
 * JSON path, so the checker never sees a malformed value.
 */
import { HistoryFormatError } from '../errors';
import type { KvInput, KvOutput } from '../models/kv';
import type { RegisterInput, RegisterOutput } from '../models/register';
import type { Annotation, HistoryEvent, Operation } from '../types';
import type { HistoryData, LoadedHistory, ModelName } from './loaded';
import { checkKvInput, checkKvOutput, checkRegisterInput, checkRegisterOutput, type Check } from './shapes';

type Json = unknown;

/** `defaultModel` applies when the document has no "model" field. */
export function parseJsonHistory(
  text: string,
  source = 'history.json',
  defaultModel?: ModelName,
): LoadedHistory {
  const fail = (location: string, problem: string): never => {
    throw new HistoryFormatError(source, location, problem);
  };
  let doc: Json;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    return fail('top level', `not valid JSON (${(error as Error).message})`);
  }
  const root = asRecord(doc, 'top level', fail);
  const annotations = parseAnnotations(root.annotations, fail);
  const model = root.model ?? defaultModel;
  if (model === 'kv') {
    return {
      model: 'kv',
      format: 'json',
      annotations,
      data: parseData<KvInput, KvOutput>(root, checkKvInput, checkKvOutput, fail),
    };
  }
  if (model === 'register') {
    const data = parseData<RegisterInput, RegisterOutput>(
      root,
      checkRegisterInput,
      checkRegisterOutput,
      fail,
    );
    return { model: 'register', format: 'json', annotations, data };
  }
  return fail(
    'model',
    `expected "kv" or "register", got ${JSON.stringify(model)}; name the model in the file or pass one`,
  );
}

type Fail = (location: string, problem: string) => never;

function asRecord(value: Json, location: string, fail: Fail): Record<string, Json> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return fail(location, 'expected an object');
  return value as Record<string, Json>;
}

function asNumber(value: Json, location: string, fail: Fail): number {
  if (typeof value !== 'number' || !Number.isFinite(value))
    return fail(location, `expected a number, got ${JSON.stringify(value)}`);
  return value;
}

function asArray(value: Json, location: string, fail: Fail): Json[] {
  if (!Array.isArray(value)) return fail(location, 'expected an array');
  return value;
}

function parseData<I, O>(
  root: Record<string, Json>,
  input: Check<I>,
  output: Check<O>,
  fail: Fail,
): HistoryData<I, O> {
  if (root.operations !== undefined && root.events !== undefined)
    fail('top level', 'give "operations" or "events", not both');
  if (root.events !== undefined) {
    const events = asArray(root.events, 'events', fail).map((raw, i): HistoryEvent<I, O> => {
      const at = `events[${i}]`;
      const e = asRecord(raw, at, fail);
      const common = {
        clientId: asNumber(e.clientId, `${at}.clientId`, fail),
        id: asNumber(e.id, `${at}.id`, fail),
      };
      if (e.kind === 'call') return { kind: 'call', ...common, value: input(e.value, `${at}.value`, fail) };
      if (e.kind === 'return')
        return { kind: 'return', ...common, value: output(e.value, `${at}.value`, fail) };
      return fail(`${at}.kind`, `expected "call" or "return", got ${JSON.stringify(e.kind)}`);
    });
    return { form: 'events', events };
  }
  const operations = asArray(root.operations, 'operations', fail).map((raw, i): Operation<I, O> => {
    const at = `operations[${i}]`;
    const o = asRecord(raw, at, fail);
    return {
      clientId: asNumber(o.clientId, `${at}.clientId`, fail),
      input: input(o.input, `${at}.input`, fail),
      output: output(o.output, `${at}.output`, fail),
      call: asNumber(o.call, `${at}.call`, fail),
      return: asNumber(o.return, `${at}.return`, fail),
    };
  });
  return { form: 'operations', operations };
}

function parseAnnotations(value: Json, fail: Fail): Annotation[] {
  if (value === undefined) return [];
  return asArray(value, 'annotations', fail).map((raw, i) => {
    const at = `annotations[${i}]`;
    const a = asRecord(raw, at, fail);
    if (typeof a.label !== 'string') fail(`${at}.label`, 'expected a string');
    if (a.kind !== undefined && typeof a.kind !== 'string') fail(`${at}.kind`, 'expected a string');
    return {
      start: asNumber(a.start, `${at}.start`, fail),
      ...(a.end === undefined ? {} : { end: asNumber(a.end, `${at}.end`, fail) }),
      label: a.label as string,
      ...(a.kind === undefined ? {} : { kind: a.kind as string }),
    };
  });
}
