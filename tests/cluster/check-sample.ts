/**
 * A small check report as runCheck would make it, for the check page's tests (check.test.ts, and the
 * page in Chromium in tests/tools/browser.tools.ts): two clients, a kill and a partition, the history
 * checked for real.
 */
import type { CheckReport } from '../../cluster/check/run';
import { bucketize, summarize } from '../../cluster/check/stats';
import type { KvOperation } from '../../cluster/check/workload';
import { checkOperations, kvModel, type KvInput } from '../linearizability';

export function op(clientId: number, input: KvInput, call: number, ret: number, value = ''): KvOperation {
  return { clientId, input, output: { value }, call, return: ret };
}

export function sampleReport(): CheckReport {
  const ops: KvOperation[] = [];
  let value = '';
  for (let n = 0; n < 40; n++) {
    const t = n * 150;
    const token = `[c${n % 2}.${n}]`;
    if (n % 3 === 0) ops.push(op(n % 2, { op: 'get', key: 'k0' }, t, t + 60 + (n % 5) * 20, value));
    else {
      value += token;
      ops.push(op(n % 2, { op: 'append', key: 'k0', value: token }, t, t + 80));
    }
  }
  ops.push(op(2, { op: 'get', key: 'k0' }, 6100, 6150, value));
  const { result, info } = checkOperations(kvModel, ops, { verbose: true });
  const events = [
    { start: 1500, end: 2600, kind: 'crash' as const, label: 'S1 (leader) killed, restarted', leader: true },
    { start: 3000, end: 4500, kind: 'partition' as const, label: 'partition {S0 S2} | {S1}' },
  ];
  const loadOps = ops.filter((o) => o.clientId < 2);
  return {
    options: { servers: 3, clients: 2, seconds: 6, dir: '/tmp/x', killEvery: 3, partitionEvery: 3 },
    ops,
    stuck: [],
    finalValues: new Map([['k0', value]]),
    verdict: result,
    info,
    checkMs: 3,
    lost: [],
    events,
    loadMs: 6000,
    latency: summarize(loadOps.map((o) => o.return - o.call)),
    buckets: bucketize(loadOps, 6000),
    faultCounts: { partitioned: 12, delayed: 0, droppedRequests: 0, droppedReplies: 0 },
    leaderChanges: 1,
    pids: [],
    loadAverage: [1.5, 2],
  };
}
