/**
 * Part 3A: the key/value service without snapshots (6.824 kvraft/test_test.go, catalog §7.6): 14 Go
 * test functions, 16 printed titles (TestOnePartition3A prints three). Each mirrors its Go original:
 * same servers, clients, faults, sleeps and bounds, in virtual time; the jest name is the printed title
 * (the first one for TestOnePartition3A).
 */
import { sleep } from '../../labrpc';
import { checkConcurrentAppends } from './appends';
import { KvConfig } from './config';
import { ELECTION_TIMEOUT, genericTest, genericTestSpeed, spawnClientsAndWait } from './generic';
import { kvTest, kvTitle } from './kv-test';
import { append, check, get, put } from './ops';

const F = false;
const T = true;

export const tests = [
  // Go: TestBasic3A
  // Test: one client (3A)
  genericTest({
    part: '3A',
    nclients: 1,
    nservers: 5,
    unreliable: F,
    crash: F,
    partitions: F,
    maxraftstate: -1,
    randomkeys: F,
  }),

  // Go: TestSpeed3A
  genericTestSpeed('3A', -1),

  // Go: TestConcurrent3A
  genericTest({
    part: '3A',
    nclients: 5,
    nservers: 5,
    unreliable: F,
    crash: F,
    partitions: F,
    maxraftstate: -1,
    randomkeys: F,
  }),

  // Go: TestUnreliable3A
  genericTest({
    part: '3A',
    nclients: 5,
    nservers: 5,
    unreliable: T,
    crash: F,
    partitions: F,
    maxraftstate: -1,
    randomkeys: F,
  }),

  // Go: TestUnreliableOneKey3A
  kvTest({
    part: '3A',
    title: 'concurrent append to same key, unreliable',
    async body(ctx, name) {
      const nservers = 3;
      const cfg = new KvConfig(ctx, nservers, true, -1);
      const ck = cfg.makeClient(cfg.all());
      cfg.begin(name);
      await put(cfg, ck, 'k', '', null, -1);
      const nclient = 5;
      const upto = 10;
      await spawnClientsAndWait(cfg, nclient, async (me, myck) => {
        for (let n = 0; n < upto; n++) await append(cfg, myck, 'k', `x ${me} ${n} y`, null, -1);
      });
      const counts = new Array<number>(nclient).fill(upto);
      const vx = await get(cfg, ck, 'k', null, -1);
      checkConcurrentAppends(vx, counts, `for key "k" (at ${cfg.at()})`);
      cfg.end();
    },
  }),

  // Go: TestOnePartition3A
  // Submit a request in the minority partition and check that the requests doesn't go through until
  // the partition heals. The leader in the original network ends up in the minority partition.
  kvTest({
    part: '3A',
    title: 'progress in majority',
    async body(ctx, name) {
      const nservers = 5;
      const cfg = new KvConfig(ctx, nservers, false, -1);
      const ck = cfg.makeClient(cfg.all());
      await put(cfg, ck, '1', '13', null, -1);

      cfg.begin(name);
      const [p1, p2] = await cfg.makePartition();
      cfg.partition(p1, p2);
      const ckp1 = cfg.makeClient(p1); // connect ckp1 to p1
      const ckp2a = cfg.makeClient(p2); // connect ckp2a to p2
      const ckp2b = cfg.makeClient(p2); // connect ckp2b to p2
      await put(cfg, ckp1, '1', '14', null, -1);
      await check(cfg, ckp1, '1', '14');
      cfg.end();

      cfg.begin(kvTitle('3A', 'no progress in minority'));
      const done0 = track(cfg, put(cfg, ckp2a, '1', '15', null, -1));
      const done1 = track(cfg, get(cfg, ckp2b, '1', null, -1)); // different clerk in p2
      await sleep(1000);
      const first = [
        { what: 'Put', at: done0.at },
        { what: 'Get', at: done1.at },
      ].filter((d) => d.at !== null);
      first.sort((a, b) => (a.at ?? 0) - (b.at ?? 0));
      if (first.length > 0) {
        cfg.fail(
          `${first[0].what} in minority completed (it returned at ${((first[0].at ?? 0) / 1000).toFixed(3)} s; ` +
            `servers [${p2.join(' ')}] are a minority of ${nservers} and must not commit anything)`,
        );
      }
      await check(cfg, ckp1, '1', '14');
      await put(cfg, ckp1, '1', '16', null, -1);
      await check(cfg, ckp1, '1', '16');
      cfg.end();

      cfg.begin(kvTitle('3A', 'completion after heal'));
      cfg.connectAll();
      cfg.connectClient(ckp2a, cfg.all());
      cfg.connectClient(ckp2b, cfg.all());
      await sleep(ELECTION_TIMEOUT);
      await Promise.race([done0.promise, sleep(30 * 100)]);
      if (done0.at === null) {
        cfg.fail(
          'Put did not complete: 4 s after the partition healed, the Put sent in the minority is still waiting',
        );
      }
      // Go checks done1 without waiting (select with default), so a Get still waiting is no failure.
      await check(cfg, ck, '1', '15');
      cfg.end();
    },
  }),

  // Go: TestManyPartitionsOneClient3A
  genericTest({
    part: '3A',
    nclients: 1,
    nservers: 5,
    unreliable: F,
    crash: F,
    partitions: T,
    maxraftstate: -1,
    randomkeys: F,
  }),

  // Go: TestManyPartitionsManyClients3A
  genericTest({
    part: '3A',
    nclients: 5,
    nservers: 5,
    unreliable: F,
    crash: F,
    partitions: T,
    maxraftstate: -1,
    randomkeys: F,
  }),

  // Go: TestPersistOneClient3A
  genericTest({
    part: '3A',
    nclients: 1,
    nservers: 5,
    unreliable: F,
    crash: T,
    partitions: F,
    maxraftstate: -1,
    randomkeys: F,
  }),

  // Go: TestPersistConcurrent3A
  genericTest({
    part: '3A',
    nclients: 5,
    nservers: 5,
    unreliable: F,
    crash: T,
    partitions: F,
    maxraftstate: -1,
    randomkeys: F,
  }),

  // Go: TestPersistConcurrentUnreliable3A
  genericTest({
    part: '3A',
    nclients: 5,
    nservers: 5,
    unreliable: T,
    crash: T,
    partitions: F,
    maxraftstate: -1,
    randomkeys: F,
  }),

  // Go: TestPersistPartition3A
  genericTest({
    part: '3A',
    nclients: 5,
    nservers: 5,
    unreliable: F,
    crash: T,
    partitions: T,
    maxraftstate: -1,
    randomkeys: F,
  }),

  // Go: TestPersistPartitionUnreliable3A
  genericTest({
    part: '3A',
    nclients: 5,
    nservers: 5,
    unreliable: T,
    crash: T,
    partitions: T,
    maxraftstate: -1,
    randomkeys: F,
  }),

  // Go: TestPersistPartitionUnreliableLinearizable3A
  genericTest({
    part: '3A',
    nclients: 15,
    nservers: 7,
    unreliable: T,
    crash: T,
    partitions: T,
    maxraftstate: -1,
    randomkeys: T,
  }),
];

/** A background operation, and the virtual time it completed at (null while it is still running). */
function track(cfg: KvConfig, op: Promise<unknown>): { promise: Promise<void>; at: number | null } {
  const tracked: { promise: Promise<void>; at: number | null } = { promise: Promise.resolve(), at: null };
  tracked.promise = op.then(() => {
    tracked.at = cfg.ctx.now();
  });
  return tracked;
}
