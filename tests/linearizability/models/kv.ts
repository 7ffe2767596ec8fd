/**
 * The 6.824 key/value model (Lab 3): get, put and append on string values, checked one key at a time.
 *
 * Semantics, as the kvraft tests expect: a missing key reads as "" (the state of each key starts as ""),
 * get must return the current value, put replaces it, append concatenates. Operations on different keys
 * never constrain each other, so `partition` splits the history by key (sorted by key) and each part is
 * checked against a single string. The output of put and append is ignored; record `{ value: '' }`.
 */
import type { Model, StepResult } from '../types';
import { partitionBy } from './resolve';

export type KvInput =
  | { readonly op: 'get'; readonly key: string }
  | { readonly op: 'put' | 'append'; readonly key: string; readonly value: string };

export interface KvOutput {
  /** What a get returned; ignored for put and append. */
  readonly value: string;
}

const REJECTED: StepResult<string> = { ok: false };

export const kvModel: Model<string, KvInput, KvOutput> = {
  name: 'kv',
  init: () => '',
  step(state, input, output) {
    switch (input.op) {
      case 'get':
        return output.value === state ? { ok: true, state } : REJECTED;
      case 'put':
        return { ok: true, state: input.value };
      case 'append':
        return { ok: true, state: state + input.value };
    }
  },
  partition: partitionBy((input: KvInput) => input.key),
  describePartition: (part) => `key ${JSON.stringify(part[0].input.key)}`,
  describeOperation(input, output) {
    const key = JSON.stringify(input.key);
    return input.op === 'get'
      ? `get(${key}) -> ${JSON.stringify(output.value)}`
      : `${input.op}(${key}, ${JSON.stringify(input.value)})`;
  },
  describeState: (state) => JSON.stringify(state),
};
