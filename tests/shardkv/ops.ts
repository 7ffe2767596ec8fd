/**
 * The 4B tester's clerk operations and checks (6.824 shardkv/test_test.go's check, catalog §3.4), each
 * recorded with its call and return times: beyond Go, every 4B history is checked for linearizability at
 * the end of its test (Go checks only "unreliable 3"), so a value served by a group that had already
 * handed its shard off shows up as an illegal history even when no final check notices it.
 */
import type { KvClerk as Clerk } from '../kvraft/student-objects';
import { LabCheckFailure } from '../harness';
import { checkLinearizable } from '../kvraft/linearizable';
import { OpLog, show } from '../kvraft/ops';
import type { ShardConfig } from './config';

/** The history of one 4B test, and the clerk ids it is recorded under. */
export class History {
  readonly log = new OpLog();
  readonly #ids = new Map<Clerk, number>();

  /** The client id of `ck` in the history: its index in order of first use. */
  id(ck: Clerk): number {
    let id = this.#ids.get(ck);
    if (id === undefined) {
      id = this.#ids.size;
      this.#ids.set(ck, id);
    }
    return id;
  }

  /** The end of every 4B test: is what the clerks saw linearizable? */
  check(cfg: ShardConfig, title: string): void {
    checkLinearizable(cfg, this.log, title);
  }
}

export function get(cfg: ShardConfig, h: History, ck: Clerk, key: string): Promise<string> {
  return h.log.record(cfg, h.id(ck), { op: 'get', key }, () => ck.get(key));
}

async function write(
  op: 'put' | 'append',
  cfg: ShardConfig,
  h: History,
  ck: Clerk,
  key: string,
  value: string,
): Promise<void> {
  await h.log.record(cfg, h.id(ck), { op, key, value }, async () => {
    await (op === 'put' ? ck.put(key, value) : ck.append(key, value));
    return '';
  });
}

export function put(cfg: ShardConfig, h: History, ck: Clerk, key: string, value: string): Promise<void> {
  return write('put', cfg, h, ck, key, value);
}

export function append(cfg: ShardConfig, h: History, ck: Clerk, key: string, value: string): Promise<void> {
  return write('append', cfg, h, ck, key, value);
}

/** The Get(key) message of Go's check. */
export function mismatch(key: string, value: string, v: string): string {
  return `Get(${key}): expected:\n${show(value)}\nreceived:\n${show(v)}`;
}

/** Go's check: Get(key) through `ck` must return `value`. */
export async function check(
  cfg: ShardConfig,
  h: History,
  ck: Clerk,
  key: string,
  value: string,
): Promise<void> {
  const v = await get(cfg, h, ck, key);
  if (v !== value) cfg.fail(`${mismatch(key, value, v)}\n(by ${cfg.clientName(ck)})`);
}

/**
 * `promise`, or a failure after `ms` virtual ms saying `why`: beyond Go, which has no bound on the
 * challenge-2 checks (a server that blocks every request during a reconfiguration hangs go test until
 * its 10-minute timeout). Virtual time, so the verdict is the same on every machine.
 */
export async function within<T>(cfg: ShardConfig, ms: number, promise: Promise<T>, why: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new LabCheckFailure(`${why} (gave up after ${ms / 1000} s, at ${cfg.ctx.now() / 1000} s)`)),
      ms,
    );
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Shards in the system (Go's shardctrler.NShards). */
export const NSHARDS = 10;

/**
 * The shard a key belongs to: its first byte modulo NSHARDS, "" in shard 0 (Go's key2shard). Go's tests
 * call the copy in the student's package; ours is the tester's own, so no check runs submission code.
 */
export function key2shard(key: string): number {
  if (key.length === 0) return 0;
  return Buffer.from(key, 'utf8')[0] % NSHARDS;
}
