/**
 * Part 4B: the sharded key/value service (6.824 shardkv/test_test.go, catalog §3.5): the ten regular
 * tests, in file order, with Go's titles, groups, faults, sleeps and bounds, in virtual time. Every test
 * uses 3 controllers and 3 groups of 3 servers; join(g)/leave(g) take group indices (0 is gid 100).
 * Beyond Go: every history is checked for linearizability at the end (shard-test.ts).
 */
import { randomInt, sleep } from '../../labrpc';
import { randString } from '../raft/config';
import type { ShardConfig } from './config';
import { get, mismatch, put, append } from './ops';
import { appenders, checkAll, load, shardTest, verifyAppend } from './shard-test';

export const tests = [
  // Go: TestStaticShards
  shardTest({
    printed: 'Test: static shards ...',
    unreliable: false,
    maxraftstate: -1,
    async body(t) {
      const { cfg } = t;
      await cfg.join(0);
      await cfg.join(1);
      await load(t, 10, 20);
      await checkAll(t);
      // make sure that the data really is sharded by shutting down one shard and checking that some
      // Get()s don't succeed.
      cfg.shutdownGroup(1);
      cfg.checklogs(); // forbid snapshots
      const results: string[] = [];
      let wake: (() => void) | null = null;
      for (let i = 0; i < t.ka.length; i++) {
        const ck1 = cfg.makeClient(); // only one call allowed per client
        void get(cfg, t.h, ck1, t.ka[i]).then((v) => {
          results.push(v === t.va[i] ? '' : mismatch(t.ka[i], t.va[i], v));
          wake?.();
        });
      }
      // wait a bit, only about half the Gets should succeed.
      let ndone = 0;
      for (;;) {
        if (results.length === 0) {
          const quiet = await Promise.race([
            new Promise<false>((resolve) => (wake = () => resolve(false))),
            sleep(2000).then(() => true),
          ]);
          wake = null;
          if (quiet) break;
        }
        const msg = results.shift() as string;
        if (msg !== '') cfg.fail(msg);
        ndone += 1;
      }
      if (ndone !== 5) cfg.fail(`expected 5 completions with one shard dead; got ${ndone}`);
      // bring the crashed shard/group back to life.
      cfg.startGroup(1);
      await checkAll(t);
    },
  }),

  // Go: TestJoinLeave
  shardTest({
    printed: 'Test: join then leave ...',
    unreliable: false,
    maxraftstate: -1,
    async body(t) {
      const { cfg } = t;
      await cfg.join(0);
      await load(t, 10, 5);
      await checkAll(t);
      await cfg.join(1);
      await verifyAppend(t, 5);
      await cfg.leave(0);
      await verifyAppend(t, 5);
      await sleep(1000); // allow time for shards to transfer.
      cfg.checklogs();
      cfg.shutdownGroup(0);
      await checkAll(t);
    },
  }),

  // Go: TestSnapshot
  shardTest({
    printed: 'Test: snapshots, join, and leave ...',
    unreliable: false,
    maxraftstate: 1000,
    async body(t) {
      const { cfg } = t;
      await cfg.join(0);
      await load(t, 30, 20);
      await checkAll(t);
      await cfg.join(1);
      await cfg.join(2);
      await cfg.leave(0);
      await verifyAppend(t, 20);
      await cfg.leave(1);
      await cfg.join(0);
      await verifyAppend(t, 20);
      await sleep(1000);
      await checkAll(t);
      await sleep(1000);
      cfg.checklogs();
      for (const gi of [0, 1, 2]) cfg.shutdownGroup(gi);
      for (const gi of [0, 1, 2]) cfg.startGroup(gi);
      await checkAll(t);
    },
  }),

  // Go: TestMissChange
  shardTest({
    printed: 'Test: servers miss configuration changes...',
    unreliable: false,
    maxraftstate: 1000,
    async body(t) {
      const { cfg } = t;
      await cfg.join(0);
      await load(t, 10, 20);
      await checkAll(t);
      await cfg.join(1);
      for (const gi of [0, 1, 2]) cfg.shutdownServer(gi, 0);
      await cfg.join(2);
      await cfg.leave(1);
      await cfg.leave(0);
      await verifyAppend(t, 20);
      await cfg.join(1);
      await verifyAppend(t, 20);
      for (const gi of [0, 1, 2]) cfg.startServer(gi, 0);
      await verifyAppend(t, 20);
      await sleep(2000);
      for (const gi of [0, 1, 2]) cfg.shutdownServer(gi, 1);
      await cfg.join(0);
      await cfg.leave(2);
      await verifyAppend(t, 20);
      for (const gi of [0, 1, 2]) cfg.startServer(gi, 1);
      await checkAll(t);
    },
  }),

  // Go: TestConcurrent1
  shardTest({
    printed: 'Test: concurrent puts and configuration changes...',
    unreliable: false,
    maxraftstate: 100,
    async body(t) {
      const { cfg } = t;
      await cfg.join(0);
      await load(t, 10, 5);
      const clients = appenders(t, 5, 10);
      await sleep(150);
      await cfg.join(1);
      await sleep(500);
      await cfg.join(2);
      await sleep(500);
      await cfg.leave(0);
      cfg.shutdownGroup(0);
      await sleep(100);
      cfg.shutdownGroup(1);
      await sleep(100);
      cfg.shutdownGroup(2);
      await cfg.leave(2);
      await sleep(100);
      for (const gi of [0, 1, 2]) cfg.startGroup(gi);
      await sleep(100);
      await cfg.join(0);
      await cfg.leave(1);
      await sleep(500);
      await cfg.join(1);
      await sleep(1000);
      await clients.stop();
      await checkAll(t);
    },
  }),

  // Go: TestConcurrent2
  // this tests the various sources from which a re-starting group might need to fetch shard contents.
  shardTest({
    printed: 'Test: more concurrent puts and configuration changes...',
    unreliable: false,
    maxraftstate: -1,
    async body(t) {
      const { cfg } = t;
      await cfg.join(1);
      await cfg.join(0);
      await cfg.join(2);
      await load(t, 10, 1);
      const clients = appenders(t, 1, 50);
      await cfg.leave(0);
      await cfg.leave(2);
      await sleep(3000);
      await cfg.join(0);
      await cfg.join(2);
      await cfg.leave(1);
      await sleep(3000);
      await cfg.join(1);
      await cfg.leave(0);
      await cfg.leave(2);
      await sleep(3000);
      cfg.shutdownGroup(1);
      cfg.shutdownGroup(2);
      await sleep(1000);
      cfg.startGroup(1);
      cfg.startGroup(2);
      await sleep(2000);
      await clients.stop();
      await checkAll(t);
    },
  }),

  // Go: TestConcurrent3
  shardTest({
    printed: 'Test: concurrent configuration change and restart...',
    unreliable: false,
    maxraftstate: 300,
    async body(t) {
      const { cfg } = t;
      await cfg.join(0);
      await load(t, 10, 1);
      const clients = appenders(t, 1, 0);
      const t0 = cfg.ctx.now();
      while (cfg.ctx.now() - t0 < 12_000) {
        await cfg.join(2);
        await cfg.join(1);
        await sleep(randomInt(900));
        for (const gi of [0, 1, 2]) cfg.shutdownGroup(gi);
        for (const gi of [0, 1, 2]) cfg.startGroup(gi);
        await sleep(randomInt(900));
        await cfg.leave(1);
        await cfg.leave(2);
        await sleep(randomInt(900));
      }
      await sleep(2000);
      await clients.stop();
      await checkAll(t);
    },
  }),

  // Go: TestUnreliable1
  shardTest({
    printed: 'Test: unreliable 1...',
    unreliable: true,
    maxraftstate: 100,
    async body(t) {
      const { cfg } = t;
      await cfg.join(0);
      await load(t, 10, 5);
      await cfg.join(1);
      await cfg.join(2);
      await cfg.leave(0);
      await verifyAppend(t, 5, 2);
      await cfg.join(0);
      await cfg.leave(1);
      for (let ii = 0; ii < t.ka.length * 2; ii++) {
        const i = ii % t.ka.length;
        const v = await get(cfg, t.h, t.ck, t.ka[i]);
        if (v !== t.va[i]) cfg.fail(mismatch(t.ka[i], t.va[i], v));
      }
    },
  }),

  // Go: TestUnreliable2
  shardTest({
    printed: 'Test: unreliable 2...',
    unreliable: true,
    maxraftstate: 100,
    async body(t) {
      const { cfg } = t;
      await cfg.join(0);
      await load(t, 10, 5);
      const clients = appenders(t, 5, 0);
      await unreliableSchedule(t.cfg);
      cfg.net.reliable(true); // so in-flight operations finish
      await clients.stop();
      await checkAll(t);
    },
  }),

  // Go: TestUnreliable3
  // The one test Go checks for linearizability; here every test is.
  shardTest({
    printed: 'Test: unreliable 3...',
    unreliable: true,
    maxraftstate: 100,
    async body(t) {
      const { cfg } = t;
      await cfg.join(0);
      await load(t, 10, 5);
      let done = false;
      const workers = t.ka.map(async () => {
        const ck1 = cfg.makeClient();
        while (!done) {
          const ki = randomInt(t.ka.length);
          const nv = randString(5);
          if (randomInt(1000) < 500) await append(cfg, t.h, ck1, t.ka[ki], nv);
          else if (randomInt(1000) < 100) await put(cfg, t.h, ck1, t.ka[ki], nv);
          else await get(cfg, t.h, ck1, t.ka[ki]);
        }
      });
      await unreliableSchedule(t.cfg);
      done = true;
      cfg.net.reliable(true);
      await Promise.all(workers);
    },
  }),
];

/** The join/leave schedule of unreliable 2 and 3: 4150 ms of sleeps. */
async function unreliableSchedule(cfg: ShardConfig): Promise<void> {
  await sleep(150);
  await cfg.join(1);
  await sleep(500);
  await cfg.join(2);
  await sleep(500);
  await cfg.leave(0);
  await sleep(500);
  await cfg.leave(1);
  await sleep(500);
  await cfg.join(1);
  await cfg.join(0);
  await sleep(2000);
}
