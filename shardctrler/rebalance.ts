// #region SOLUTION 4A
// SKELETON: /**
// SKELETON:  * A place for rebalancing (4A): given the groups of a new configuration and the previous shard
// SKELETON:  * assignment, divide the shards as evenly as possible while moving as few as possible. It runs inside
// SKELETON:  * the replicated state machine, so it must give the same answer on every replica.
// SKELETON:  */
/**
 * Rebalancing: the shard assignment of a new configuration, from the previous one and the new set of
 * groups. Three properties, each a test of 4A:
 *
 * - [SC.2] balanced: every group holds ⌊NShards/n⌋ or ⌈NShards/n⌉ shards ("max too much larger than min");
 * - [SC.2] minimal: a shard moves only if its group left or holds more than its target ("Minimal transfers");
 * - [SC.1] deterministic: the answer depends on the arguments only, never on iteration order, so every replica
 *   computes the same config from the same log ("Check Same config on servers"). Gids are sorted
 *   numerically; JavaScript would also iterate integer keys in order, Go's maps would not.
 */
import { NShards } from './common';

/** The new shard → gid array for the groups `gids`, moving as few shards of `shards` as possible. */
export function rebalance(shards: readonly number[], gids: readonly number[]): number[] {
  if (gids.length === 0) return new Array<number>(NShards).fill(0); // no group: every shard to gid 0
  const live = [...new Set(gids)].sort((a, b) => a - b); // [SC.1] numeric order, never map order
  const owned = new Map<number, number[]>(live.map((gid) => [gid, []]));
  const free: number[] = [];
  shards.forEach((gid, shard) => (owned.get(gid) ?? free).push(shard));
  // Targets: ⌊NShards/n⌋ each, and one more for the `extra` groups that already hold the most shards
  // (ties: the smaller gid), so that the groups over the floor keep what they have.
  const base = Math.floor(NShards / live.length);
  const extra = NShards % live.length;
  const byLoad = [...live].sort((a, b) => ownedBy(owned, b).length - ownedBy(owned, a).length || a - b);
  const target = new Map(byLoad.map((gid, k) => [gid, base + (k < extra ? 1 : 0)]));
  // Groups above their target give up their highest shards; groups below take free shards in gid order.
  for (const gid of live) {
    const mine = ownedBy(owned, gid);
    while (mine.length > (target.get(gid) ?? 0)) free.push(mine.pop() as number);
  }
  free.sort((a, b) => a - b);
  const next = [...shards];
  for (const gid of live) {
    const mine = ownedBy(owned, gid);
    while (mine.length < (target.get(gid) ?? 0)) {
      const shard = free.shift() as number;
      mine.push(shard);
      next[shard] = gid;
    }
  }
  return next;
}

function ownedBy(owned: ReadonlyMap<number, number[]>, gid: number): number[] {
  return owned.get(gid) ?? [];
}
// #endregion
