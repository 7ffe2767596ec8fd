/**
 * Guards of the Raft and KV testers that a submission cannot get around: an applyCh call from inside
 * the constructor fails with a message (it deadlocks Go's tester), and the testers' classes cannot be
 * patched at run time.
 */
import type { ApplyMsg } from '../../raft';
import type { LabContext } from '../harness';
import { KvConfig } from '../kvraft/config';
import { applier, applierSnap, type ApplierHost } from './appliers';
import { Checks } from './checks';
import { ClusterWatch } from './cluster-watch';
import { CommittedLogs } from './committed-log';
import { ConfigHistory } from './config-history';
import { RaftConfig } from './config';

function host(failures: Error[]): ApplierHost {
  const ctx = {
    seed: 1,
    now: () => 0,
    print: () => {},
    fail: (error: Error) => void failures.push(error),
    defer: () => {},
    diagnose: () => {},
    trace: { record: () => {} },
  } as unknown as LabContext;
  return {
    ctx,
    committed: new CommittedLogs(3),
    configs: new ConfigHistory([0, 1, 2]),
    at: () => '0.000 s',
    scenario: '',
    snapshotsMustAdvance: false,
    watch: { monitor: { applied: () => {} } },
  };
}

describe('applyCh called from inside the Raft constructor', () => {
  const command: ApplyMsg = { kind: 'command', command: 7, commandIndex: 1 };
  const snapshot: ApplyMsg = {
    kind: 'snapshot',
    snapshot: new Uint8Array(),
    snapshotTerm: 1,
    snapshotIndex: 9,
  };

  test.each([
    ['applier', 'command index 1', applier, command],
    ['applierSnap', 'command index 1', applierSnap, command],
    ['applierSnap', 'snapshot index 9', applierSnap, snapshot],
  ])('%s fails the run, naming the server and the message (%s)', (_, what, make, msg) => {
    const failures: Error[] = [];
    const applyCh = make(host(failures), 2, () => undefined); // the constructor has not returned
    void applyCh(msg);
    void applyCh(msg);
    expect(failures).toHaveLength(1);
    expect(failures[0].message).toBe(
      `apply error: S2 called applyCh (${what}) from inside the Raft constructor, at 0.000 s. The ` +
        'constructor must return first (in Go this send deadlocks the test): deliver committed entries ' +
        'and a restored snapshot from the loop or timer the constructor starts, not from the constructor itself.',
    );
  });

  test('once the constructor has returned, the same message is applied', () => {
    const failures: Error[] = [];
    const h = host(failures);
    const applyCh = applierSnap(h, 0, () => ({ snapshot: () => {}, lastState: () => ({ term: 1 }) }));
    void applyCh(command);
    expect(failures).toHaveLength(0);
    expect(h.committed.lastApplied[0]).toBe(1);
  });
});

describe("the testers' classes cannot be patched at run time", () => {
  test.each([
    ['RaftConfig', 'checkOneLeader', RaftConfig.prototype],
    ['RaftConfig', 'crash1', RaftConfig.prototype],
    ['Checks', 'checkOneLeader', Checks.prototype],
    ['Checks', 'one', Checks.prototype],
    ['ClusterWatch', 'claim', ClusterWatch.prototype],
    ['CommittedLogs', 'record', CommittedLogs.prototype],
    ['KvConfig', 'partition', KvConfig.prototype],
  ])('assigning %s.prototype.%s throws a TypeError and changes nothing', (_, key: string, proto: object) => {
    const before: unknown = Reflect.get(proto, key);
    expect(() => {
      (proto as Record<string, unknown>)[key] = async () => 0;
    }).toThrow(TypeError);
    expect(Reflect.defineProperty(proto, key, { value: () => 0 })).toBe(false);
    expect(Reflect.get(proto, key)).toBe(before);
  });
});
