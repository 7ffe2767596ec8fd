/**
 * Part 3B: the key/value service with snapshots (6.824 kvraft/test_test.go, catalog §7.6): 9 Go test
 * functions. Each mirrors its Go original: same servers, clients, faults, sleeps, in virtual time; the
 * byte bounds are recalibrated to our msgpack codec where said.
 */
import { sleep } from '../../labrpc';
import { KvConfig } from './config';
import { ELECTION_TIMEOUT, genericTest, genericTestSpeed } from './generic';
import { kvTest } from './kv-test';
import { check, put } from './ops';

const F = false;
const T = true;

/**
 * Go's maxraftstate for 3B: 1000 bytes of raft state. Kept: our raft state is msgpack, about as compact
 * as gob for a log of small string commands (a Put of "x" is ~50 bytes in either), so 1000 bytes means
 * the same ~20 entries, and the 8 × maxraftstate bound on the log stays as in Go.
 */
const MAXRAFTSTATE = 1000;

/**
 * Go's bound on the snapshot in "snapshot size is reasonable": 500 bytes. Kept: the snapshot holds one
 * key and one client's duplicate entry, ~45 bytes of msgpack; a snapshot that also keeps the log or a
 * record of every request (800 of them) passes 500 bytes many times over, as it does in gob.
 */
const MAXSNAPSHOTSTATE = 500;

export const tests = [
  // Go: TestSnapshotRPC3B
  kvTest({
    part: '3B',
    title: 'InstallSnapshot RPC',
    async body(ctx, name) {
      const nservers = 3;
      const maxraftstate = MAXRAFTSTATE;
      const cfg = new KvConfig(ctx, nservers, false, maxraftstate);
      const ck = cfg.makeClient(cfg.all());
      cfg.begin(name);
      await put(cfg, ck, 'a', 'A', null, -1);
      await check(cfg, ck, 'a', 'A');

      // a bunch of puts into the majority partition.
      cfg.partition([0, 1], [2]);
      {
        const ck1 = cfg.makeClient([0, 1]);
        for (let i = 0; i < 50; i++) await put(cfg, ck1, String(i), String(i), null, -1);
        await sleep(ELECTION_TIMEOUT);
        await put(cfg, ck1, 'b', 'B', null, -1);
      }

      // check that the majority partition has thrown away most of its log entries.
      const sz = cfg.logSize();
      if (sz > 8 * maxraftstate) cfg.fail(`logs were not trimmed (${sz} > 8*${maxraftstate})`);

      // now make group that requires participation of lagging server, so that it has to catch up.
      cfg.partition([0, 2], [1]);
      {
        const ck1 = cfg.makeClient([0, 2]);
        await put(cfg, ck1, 'c', 'C', null, -1);
        await put(cfg, ck1, 'd', 'D', null, -1);
        await check(cfg, ck1, 'a', 'A');
        await check(cfg, ck1, 'b', 'B');
        await check(cfg, ck1, '1', '1');
        await check(cfg, ck1, '49', '49');
      }

      // now everybody
      cfg.partition([0, 1, 2], []);
      await put(cfg, ck, 'e', 'E', null, -1);
      await check(cfg, ck, 'c', 'C');
      await check(cfg, ck, 'e', 'E');
      await check(cfg, ck, '1', '1');
      cfg.end();
    },
  }),

  // Go: TestSnapshotSize3B
  // are the snapshots not too huge? 500 bytes is a generous bound for the operations we're doing.
  kvTest({
    part: '3B',
    title: 'snapshot size is reasonable',
    async body(ctx, name) {
      const nservers = 3;
      const maxraftstate = MAXRAFTSTATE;
      const maxsnapshotstate = MAXSNAPSHOTSTATE;
      const cfg = new KvConfig(ctx, nservers, false, maxraftstate);
      const ck = cfg.makeClient(cfg.all());
      cfg.begin(name);
      for (let i = 0; i < 200; i++) {
        await put(cfg, ck, 'x', '0', null, -1);
        await check(cfg, ck, 'x', '0');
        await put(cfg, ck, 'x', '1', null, -1);
        await check(cfg, ck, 'x', '1');
      }
      // check that servers have thrown away most of their log entries
      const sz = cfg.logSize();
      if (sz > 8 * maxraftstate) cfg.fail(`logs were not trimmed (${sz} > 8*${maxraftstate})`);
      // check that the snapshots are not unreasonably large
      const ssz = cfg.snapshotSize();
      if (ssz > maxsnapshotstate) cfg.fail(`snapshot too large (${ssz} > ${maxsnapshotstate})`);
      cfg.end();
    },
  }),

  // Go: TestSpeed3B
  genericTestSpeed('3B', MAXRAFTSTATE),

  // Go: TestSnapshotRecover3B
  genericTest({
    part: '3B',
    nclients: 1,
    nservers: 5,
    unreliable: F,
    crash: T,
    partitions: F,
    maxraftstate: MAXRAFTSTATE,
    randomkeys: F,
  }),

  // Go: TestSnapshotRecoverManyClients3B
  genericTest({
    part: '3B',
    nclients: 20,
    nservers: 5,
    unreliable: F,
    crash: T,
    partitions: F,
    maxraftstate: MAXRAFTSTATE,
    randomkeys: F,
  }),

  // Go: TestSnapshotUnreliable3B
  genericTest({
    part: '3B',
    nclients: 5,
    nservers: 5,
    unreliable: T,
    crash: F,
    partitions: F,
    maxraftstate: MAXRAFTSTATE,
    randomkeys: F,
  }),

  // Go: TestSnapshotUnreliableRecover3B
  genericTest({
    part: '3B',
    nclients: 5,
    nservers: 5,
    unreliable: T,
    crash: T,
    partitions: F,
    maxraftstate: MAXRAFTSTATE,
    randomkeys: F,
  }),

  // Go: TestSnapshotUnreliableRecoverConcurrentPartition3B
  genericTest({
    part: '3B',
    nclients: 5,
    nservers: 5,
    unreliable: T,
    crash: T,
    partitions: T,
    maxraftstate: MAXRAFTSTATE,
    randomkeys: F,
  }),

  // Go: TestSnapshotUnreliableRecoverConcurrentPartitionLinearizable3B
  genericTest({
    part: '3B',
    nclients: 15,
    nservers: 7,
    unreliable: T,
    crash: T,
    partitions: T,
    maxraftstate: MAXRAFTSTATE,
    randomkeys: T,
  }),
];
