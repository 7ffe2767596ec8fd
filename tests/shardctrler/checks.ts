/**
 * The 4A checks (6.824 shardctrler/test_test.go's check and check_same_config, catalog §2.6), and the
 * minimal-transfer checks as the handout means them (catalog §2.8).
 */
import type { Config } from '../../shardctrler';
import type { CtrlerClerk as Clerk } from '../kvraft/student-objects';
import type { CtrlerConfig } from './config';

/** Go's zero Config: what `cfa[3]` holds in "Basic leave/join" (never assigned). */
export function initialConfigForCheck(): Config {
  return { num: 0, shards: new Array<number>(10).fill(0), groups: {} };
}

function gidsOf(c: Config): number[] {
  return Object.keys(c.groups).map(Number);
}

/** The latest config has exactly `groups`, every shard on one of them, and is balanced within one shard. */
export async function check(cfg: CtrlerConfig, groups: readonly number[], ck: Clerk): Promise<void> {
  const c = await ck.query(-1);
  const have = gidsOf(c);
  if (have.length !== groups.length) {
    cfg.fail(
      `wanted ${groups.length} groups, got ${have.length} (config ${c.num} has gids [${have.join(' ')}])`,
    );
  }
  for (const g of groups) if (c.groups[g] === undefined) cfg.fail(`missing group ${g} in config ${c.num}`);
  if (groups.length > 0) {
    c.shards.forEach((g, s) => {
      if (c.groups[g] === undefined) cfg.fail(`shard ${s} -> invalid group ${g} in config ${c.num}`);
    });
  }
  // Balance over every group of the config, those holding no shard included.
  const counts = new Map<number, number>(have.map((g) => [g, 0]));
  for (const g of c.shards) if (counts.has(g)) counts.set(g, (counts.get(g) ?? 0) + 1);
  let max = 0;
  let min = 257;
  for (const n of counts.values()) {
    max = Math.max(max, n);
    min = Math.min(min, n);
  }
  if (max > min + 1)
    cfg.fail(`max ${max} too much larger than min ${min} (config ${c.num}: shards [${c.shards.join(' ')}])`);
}

/** Go's check_same_config: number, shard array and groups (server lists in order) all equal; c2 is the expected one. */
export function checkSameConfig(cfg: CtrlerConfig, c1: Config, c2: Config, context = ''): void {
  const fail: (message: string) => never = (message) =>
    cfg.fail(context === '' ? message : `${message}; ${context}`);
  const list = (xs: readonly unknown[] | undefined): string =>
    xs === undefined ? 'none' : `[${xs.join(' ')}]`;
  if (c1.num !== c2.num) fail(`Num wrong: expected config ${c2.num}, got ${c1.num}`);
  if (c1.shards.some((g, s) => g !== c2.shards[s])) {
    fail(`Shards wrong in config ${c1.num}: expected ${list(c2.shards)}, got ${list(c1.shards)}`);
  }
  const g1 = gidsOf(c1);
  const g2 = gidsOf(c2);
  if (g1.length !== g2.length) {
    fail(`number of Groups is wrong in config ${c1.num}: expected gids ${list(g2)}, got ${list(g1)}`);
  }
  for (const gid of g1) {
    const a = c1.groups[gid];
    const b = c2.groups[gid] as string[] | undefined;
    const what = `gid ${gid} in config ${c1.num}: expected servers ${list(b)}, got ${list(a)}`;
    if (b === undefined || a.length !== b.length) fail(`len(Groups) wrong: ${what}`);
    if (a.some((name, k) => name !== b[k])) fail(`Groups wrong: ${what}`);
  }
}

/** After joins: no group that was in `before` gained a shard (Go's loop over gids 1–10, as intended). */
export function checkMinimalJoin(cfg: CtrlerConfig, before: Config, after: Config): void {
  for (const g of gidsOf(before)) {
    after.shards.forEach((gid, j) => {
      if (gid === g && before.shards[j] !== g) {
        cfg.fail(
          `non-minimal transfer after Join()s: shard ${j} moved from gid ${before.shards[j]} to gid ${g}, which was already in config ${before.num}`,
        );
      }
    });
  }
}

/** After leaves: no shard of a group that stayed moved away from it. */
export function checkMinimalLeave(cfg: CtrlerConfig, before: Config, after: Config): void {
  for (const g of gidsOf(after)) {
    before.shards.forEach((gid, j) => {
      if (gid === g && after.shards[j] !== g) {
        cfg.fail(
          `non-minimal transfer after Leave()s: shard ${j} moved from gid ${g}, which stayed, to gid ${after.shards[j]}`,
        );
      }
    });
  }
}
