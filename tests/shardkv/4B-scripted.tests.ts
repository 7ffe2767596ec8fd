/**
 * Part 4B, beyond Go: three scripted tests, one per classic migration bug, each caught on every seed
 * (Go's tests catch them only when the schedule happens to line up). Each scripts the faults that make
 * the bug visible and says which rule it breaks.
 *
 * - a group that still answers for a shard it has handed off [SK.2]: the new owner is down, so the old
 *   owner holds the shard (waiting to hand it over) for as long as the test likes;
 * - a duplicate table that stays behind when its shard moves [SK.4]: a clerk's Append is applied by the
 *   old owner, its reply lost, and the retry reaches the new owner;
 * - a skipped configuration [SK.1]: a group that was down while three configurations were made must
 *   take them one by one, pulling each shard from its owner in the configuration before.
 */
import { randString } from '../raft/config';
import { sleep } from '../../labrpc';
import { append, get, key2shard, within } from './ops';
import { ReplyGate } from './reply-gate';
import { checkAll, load, shardTest } from './shard-test';

export const tests = [
  shardTest({
    printed: 'Test: a group stops serving a shard it hands off, scripted ...',
    unreliable: false,
    maxraftstate: -1,
    async body(t) {
      const { cfg } = t;
      await cfg.join(0);
      await load(t, 10, 20);
      // 101 is down when it joins: 100 takes the new config and must stop serving 101's shards, though
      // it keeps their data until 101 comes to fetch it.
      cfg.shutdownGroup(1);
      // Clerks that learn the config before the join (each asks the controller at its first Get), then
      // cannot ask the controller again: they keep believing the old config.
      const stale = t.ka.map(() => cfg.makeClient());
      for (const ck of stale) await ck.get(t.ka[0]);
      for (const ck of stale) cfg.cutCtrlers(ck);
      await cfg.join(1);
      const after = await cfg.mck.query(-1);
      const before = await cfg.mck.query(after.num - 1);
      await sleep(1000); // 100 polls the controller and takes the new config
      const moved = t.ka.filter(
        (k) => before.shards[key2shard(k)] === 100 && after.shards[key2shard(k)] === 101,
      );
      if (moved.length === 0)
        cfg.fail(`no shard moved from 100 to 101 in config ${after.num}: nothing to test`);
      for (const [i, key] of moved.entries()) {
        const answer = await Promise.race([
          stale[i].get(key).then((v) => ({ v })),
          sleep(2000).then(() => null),
        ]);
        if (answer !== null) {
          cfg.fail(
            `group 100 answered Get(${key}) = ${JSON.stringify(answer.v)} for shard ${key2shard(key)}, which config ` +
              `${after.num} gave to group 101: a group must answer ErrWrongGroup for a shard from the point of its ` +
              `log where it takes the config that moves it, even while it still holds the data [SK.2]`,
          );
        }
      }
      cfg.startGroup(1);
      await checkAll(t);
    },
  }),

  shardTest({
    printed: "Test: a shard's duplicate table moves with it, scripted ...",
    unreliable: false,
    maxraftstate: -1,
    async body(t) {
      const { cfg } = t;
      await cfg.join(0);
      await load(t, 10, 5);
      // One clerk per key; the reply to each clerk's Append is held back after 100 applied it.
      const gates = t.ka.map(() => new ReplyGate());
      const xs = t.ka.map(() => randString(5));
      const appends = t.ka.map((key, i) => append(cfg, t.h, cfg.makeClient({ gate: gates[i] }), key, xs[i]));
      await Promise.all(gates.map((gate) => gate.held));
      // Half the shards move to 101 while the replies are held; then the replies are lost, and each
      // clerk retries the same request, at 101 for a moved key.
      await cfg.join(1);
      await sleep(1000);
      for (const gate of gates) gate.release();
      await within(cfg, 20_000, Promise.all(appends), 'the retried Appends did not complete');
      t.va.forEach((_, i) => (t.va[i] += xs[i]));
      for (let i = 0; i < t.ka.length; i++) {
        const v = await get(cfg, t.h, t.ck, t.ka[i]);
        if (v === t.va[i] + xs[i]) {
          cfg.fail(
            `Get(${t.ka[i]}): the Append of ${JSON.stringify(xs[i])} was applied twice: once by group 100, and again ` +
              `when the clerk retried it after shard ${key2shard(t.ka[i])} had moved: the duplicate table must travel ` +
              `with its shard [SK.4]`,
          );
        }
        if (v !== t.va[i])
          cfg.fail(`Get(${t.ka[i]}): expected:\n${JSON.stringify(t.va[i])}\nreceived:\n${JSON.stringify(v)}`);
      }
    },
  }),

  shardTest({
    printed: 'Test: a group takes every configuration in order, scripted ...',
    unreliable: false,
    maxraftstate: -1,
    async body(t) {
      const { cfg } = t;
      await cfg.join(0);
      await load(t, 10, 20);
      // 102 is down while three configurations are made: it joins in the second, and 100 leaves in
      // the third. When 102 comes back its log is at config 0: it must take 1, 2, 3 and 4 in turn, each
      // shard coming from its owner in the config before (a group that jumps to 4 takes its shards as new
      // and empty).
      cfg.shutdownGroup(2);
      await cfg.join(1);
      await sleep(1000);
      await cfg.join(2);
      await cfg.leave(0);
      cfg.startGroup(2);
      await within(
        cfg,
        20_000,
        checkAll(t),
        'Gets after group 102 restarted did not complete: does it take every configuration, one at a time [SK.1]?',
      );
    },
  }),
];
