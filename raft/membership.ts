/**
 * Cluster membership changes (2E, §6 of the extended Raft paper; Ongaro's thesis §4): configurations,
 * the majorities they need, and a leader's side of a change by joint consensus — C_old,new first, then
 * C_new. The log holds the configurations (log.ts: the latest one in the log is the one in effect); the
 * receivers and the leader call the helpers here.
 *
 * Rule ids, used beside the code that carries each rule out (GUIDE.md, part 2E):
 *   [M.1] a configuration takes effect on a server as soon as its entry is in its log, committed or not;
 *         an entry cut off by a conflict takes its configuration with it.
 *   [M.2] in C_old,new, every election and every commit needs a majority of C_old and a majority of C_new.
 *         Only the counter's configuration matters: a server votes and accepts entries whatever its own
 *         configuration says (thesis §4.1), or a newcomer that lacks C_old,new could block every election.
 *   [M.3] a change starts with C_old,new, never C_new directly; and one change at a time: a leader
 *         refuses a change while its latest configuration is joint or not yet committed.
 *   [M.4] once C_old,new is committed, the leader appends C_new.
 *   [M.5] a leader outside C_new manages the cluster without counting itself in C_new, and steps down
 *         once C_new is committed.
 *   [M.6] servers being added first catch up as non-voting learners; the leader appends C_old,new only
 *         once they hold its committed entries (a snapshot if need be).
 *   [M.7] a snapshot records the configuration as of its last included index; the persisted state holds
 *         it, and InstallSnapshot carries it.
 *   [M.8] removed servers cannot disrupt (thesis §4.2.3): a RequestVote from a candidate outside the
 *         configuration the cluster is heading for is ignored, term and all, while a leader was heard
 *         from within the minimum election timeout (a leader has always heard from itself).
 *   [M.9] only a member of its own configuration starts elections; a leader sends AppendEntries to the
 *         members of C_old and C_new and to the learners it is catching up, no one else.
 */
import type { Configuration } from './types';
// #region SOLUTION 2E
// SKELETON: import { todo } from './todo';
// #endregion

/** Whether server `i` votes in `config` (it is in C_old or in C_new). */
export function isMember(config: Configuration, i: number): boolean {
  // Your code here (2E).
  // #region SOLUTION 2E
  // SKELETON: return todo('2E: isMember: is server i in the configuration (in C_old or C_new while joint)? Before 2E, config.servers is every peer: `return config.servers.includes(i)` will do until then');
  return config.servers.includes(i) || (config.newServers?.includes(i) ?? false);
  // #endregion
}

/**
 * [M.2] Whether the servers for which `has(i)` holds make a majority of `config`: of `servers`, and of
 * `newServers` too while the configuration is joint. A server outside a set does not count for it.
 */
export function hasQuorum(config: Configuration, has: (i: number) => boolean): boolean {
  // Your code here (2E).
  // #region SOLUTION 2E
  // SKELETON: return todo('2E: hasQuorum: a majority of C_old, and of C_new too while the configuration is joint (§6). Before 2E there is no C_new: a majority of config.servers will do until then');
  const majorityOf = (set: number[]): boolean => 2 * set.filter(has).length > set.length;
  return majorityOf(config.servers) && (config.newServers === null || majorityOf(config.newServers));
  // #endregion
}

/** "{0,1,2}", or "{0,1,2}->{2,3,4}" while joint: for logs and messages. */
export function describeConfig(config: Configuration): string {
  const set = (servers: number[]): string => `{${servers.join(',')}}`;
  return config.newServers === null
    ? set(config.servers)
    : `${set(config.servers)}->${set(config.newServers)}`;
}

/**
 * A list of servers, checked: whole numbers in [0, n), no repeats, at least one. Returns it sorted;
 * throws an error naming what was wrong otherwise (constructor and changeConfig arguments).
 */
export function checkServers(servers: readonly number[], n: number, what: string): number[] {
  if (!Array.isArray(servers) || servers.length === 0) {
    throw new TypeError(
      `${what}: expected a non-empty array of server numbers in [0, ${n}), got ${String(servers)}`,
    );
  }
  for (const s of servers) {
    if (!Number.isInteger(s) || s < 0 || s >= n) {
      throw new RangeError(`${what}: server ${String(s)} is not one of the peers 0..${n - 1}`);
    }
  }
  if (new Set(servers).size !== servers.length) {
    throw new RangeError(`${what}: server numbers repeat in [${servers.join(', ')}]`);
  }
  return [...servers].sort((a, b) => a - b);
}

// #region SOLUTION 2E
/** Whether two lists hold the same servers. */
export function sameServers(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((s) => b.includes(s));
}
// #endregion
