/**
 * `shardTest(spec)`: a 4B lab test whose jest name is Go's printed title without the dots, and the
 * pieces every 4B test shares: the load phase, verify+append, and the appender clients.
 */
import { sleep } from '../../labrpc';
import type { KvClerk as Clerk } from '../kvraft/student-objects';
import { defineLabTest, type LabContext, type LabTest } from '../harness';
import { randString } from '../raft/config';
import { ShardConfig } from './config';
import { History, append, check, put } from './ops';

export interface ShardTestSpec {
  /** Go's printed title, dots included: "Test: static shards ...". */
  printed: string;
  /** make_config's arguments. */
  unreliable: boolean;
  maxraftstate: number;
  body: (t: ShardRun) => Promise<void>;
}

/** What a 4B test body works with: the config, the history, the main clerk and the keys. */
export interface ShardRun {
  cfg: ShardConfig;
  h: History;
  ck: Clerk;
  ka: string[];
  va: string[];
}

export function shardTest(spec: ShardTestSpec): LabTest {
  const name = spec.printed.replace(/ ?\.\.\.$/, '');
  const test = defineLabTest({
    part: '4B',
    title: name.replace(/^Test: /, ''),
    body: async (ctx: LabContext) => {
      ctx.print(spec.printed); // Go prints the title before make_config
      const cfg = new ShardConfig(ctx, 3, spec.unreliable, spec.maxraftstate);
      const run: ShardRun = { cfg, h: new History(), ck: cfg.makeClient(), ka: [], va: [] };
      await spec.body(run);
      run.h.check(cfg, name);
      ctx.print('  ... Passed');
    },
  });
  return { ...test, name };
}

/** The load phase: keys "0".."n-1" ("to ensure multiple shards"), each Put a random value of `len` chars. */
export async function load(t: ShardRun, n: number, len: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    t.ka[i] = String(i);
    t.va[i] = randString(len);
    await put(t.cfg, t.h, t.ck, t.ka[i], t.va[i]);
  }
}

/** check on every key with the main clerk. */
export async function checkAll(t: ShardRun): Promise<void> {
  for (let i = 0; i < t.ka.length; i++) await check(t.cfg, t.h, t.ck, t.ka[i], t.va[i]);
}

/** verify+append on every key: check it, then append `len` random chars. */
export async function verifyAppend(t: ShardRun, len: number, rounds = 1): Promise<void> {
  const n = t.ka.length;
  for (let ii = 0; ii < n * rounds; ii++) {
    const i = ii % n;
    await check(t.cfg, t.h, t.ck, t.ka[i], t.va[i]);
    const x = randString(len);
    await append(t.cfg, t.h, t.ck, t.ka[i], x);
    t.va[i] += x;
  }
}

/**
 * One appender per key until `stop()` is called: client i appends `len` random chars to key i and sleeps
 * `pauseMs` after each Append; each key has exactly one writer, so the final value is known exactly.
 * `stop()` resolves once every appender has finished its last Append.
 */
export function appenders(t: ShardRun, len: number, pauseMs: number): { stop: () => Promise<void> } {
  let done = false;
  const runs = t.ka.map(async (key, i) => {
    const ck1 = t.cfg.makeClient();
    while (!done) {
      const x = randString(len);
      await append(t.cfg, t.h, ck1, key, x);
      t.va[i] += x;
      if (pauseMs > 0) await sleep(pauseMs);
    }
  });
  return {
    stop: async () => {
      done = true;
      await Promise.all(runs);
    },
  };
}
