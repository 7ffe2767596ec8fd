/**
 * A small illegal kv history with test annotations, shared by the visualization tests: key "a" is
 * linearizable; key "b" has a stale read after a crash. One value contains `</script>` to prove the
 * page's embedded data cannot break out of its script element.
 */
import type { Annotation, KvInput, KvOutput, Operation } from './index';

type KvOp = Operation<KvInput, KvOutput>;

const op = (clientId: number, input: KvInput, value: string, call: number, ret: number): KvOp => ({
  clientId,
  input,
  output: { value },
  call,
  return: ret,
});

export const staleReadHistory: KvOp[] = [
  op(0, { op: 'put', key: 'a', value: '1' }, '', 0, 10),
  op(1, { op: 'get', key: 'a' }, '1', 12, 20),
  op(0, { op: 'append', key: 'a', value: '</script>' }, '', 22, 30),
  op(2, { op: 'get', key: 'a' }, '1</script>', 31, 40),
  op(0, { op: 'put', key: 'b', value: 'x' }, '', 0, 8),
  op(1, { op: 'append', key: 'b', value: 'y' }, '', 9, 15),
  op(2, { op: 'get', key: 'b' }, 'xy', 16, 25),
  op(0, { op: 'get', key: 'b' }, 'x', 30, 38),
  op(1, { op: 'put', key: 'b', value: 'z' }, '', 26, 45),
];

export const staleReadAnnotations: Annotation[] = [
  { start: 5, end: 28, label: 'partition {0} | {1,2}', kind: 'partition' },
  { start: 18, label: 'crash S1', kind: 'crash' },
  { start: 33, label: 'restart S1', kind: 'restart' },
];
