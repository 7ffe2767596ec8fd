// #region SOLUTION 4A
// SKELETON: /**
// SKELETON:  * A place for the controller's replicated state machine (4A): the list of configurations, and what it
// SKELETON:  * needs to execute each Join, Leave and Move exactly once.
// SKELETON:  */
/**
 * The shard controller's replicated state machine: the configurations, numbered from 0, and the
 * duplicate table. Every replica applies the same commands in the same order and so holds the same
 * history; a config, once made, never changes ("Historical queries").
 *
 * Exactly-once: a clerk numbers its requests 1, 2, 3, …; a Join, Leave or Move numbered at or below the
 * highest applied for that clerk is a retry and is skipped (the shard servers' tests run the controller
 * on an unreliable network, where a lost reply makes the tester resend a Join). A Query has no effect.
 */
import { decode, encode } from '../labrpc';
import type { StateMachine } from '../kvraft/rsm';
import { initialConfig, NShards, type Config } from './common';
import { rebalance } from './rebalance';

/** One command in the controller's log. */
export type CtrlerOp =
  | { kind: 'Join'; servers: Record<number, string[]>; clientId: number; seq: number }
  | { kind: 'Leave'; gids: number[]; clientId: number; seq: number }
  | { kind: 'Move'; shard: number; gid: number; clientId: number; seq: number }
  | { kind: 'Query'; num: number; clientId: number; seq: number };

interface Stored {
  configs: Config[];
  lastSeq: Record<string, number>;
}

export class CtrlerMachine implements StateMachine<CtrlerOp, Config | null> {
  #configs: Config[] = [initialConfig()];
  /** clientId → the highest Join/Leave/Move seq applied for that clerk. */
  #lastSeq = new Map<number, number>();

  /** Apply one command; a Query answers its config, the others null. */
  apply(op: CtrlerOp): Config | null {
    if (op.kind === 'Query') return copyConfig(this.#query(op.num));
    if (op.seq <= (this.#lastSeq.get(op.clientId) ?? 0)) return null; // a retry: applied already
    this.#lastSeq.set(op.clientId, op.seq);
    const latest = this.#latest();
    const groups = copyGroups(latest.groups); // [SC.3] a fresh copy: the history never changes
    let shards: number[];
    if (op.kind === 'Join') {
      for (const [gid, servers] of Object.entries(op.servers)) groups[Number(gid)] = [...servers];
      shards = rebalance(latest.shards, gidsOf(groups));
    } else if (op.kind === 'Leave') {
      for (const gid of op.gids) delete groups[gid];
      shards = rebalance(latest.shards, gidsOf(groups));
    } else {
      if (op.shard < 0 || op.shard >= NShards || latest.shards[op.shard] === op.gid) return null;
      shards = [...latest.shards];
      shards[op.shard] = op.gid;
    }
    this.#configs.push({ num: latest.num + 1, shards, groups });
    return null;
  }

  snapshot(): Uint8Array {
    const stored: Stored = { configs: this.#configs, lastSeq: Object.fromEntries(this.#lastSeq) };
    return encode(stored, 'snapshot');
  }

  restore(bytes: Uint8Array): void {
    if (bytes.length === 0) {
      this.#configs = [initialConfig()];
      this.#lastSeq = new Map();
      return;
    }
    const stored = decode<Stored>(bytes);
    this.#configs = stored.configs;
    this.#lastSeq = new Map(Object.entries(stored.lastSeq).map(([id, seq]) => [Number(id), seq]));
  }

  /** Config #num, or the latest when num is -1 or beyond the latest (handout, Query). */
  #query(num: number): Config {
    return num < 0 || num >= this.#configs.length ? this.#latest() : this.#configs[num];
  }

  #latest(): Config {
    return this.#configs[this.#configs.length - 1];
  }
}

/** The gids of a groups record, as numbers in ascending order. */
export function gidsOf(groups: Record<number, string[]>): number[] {
  return Object.keys(groups)
    .map(Number)
    .sort((a, b) => a - b);
}

/** [SC.3] A fresh copy: a config handed out must not share arrays with the history it came from. */
export function copyConfig(config: Config): Config {
  return { num: config.num, shards: [...config.shards], groups: copyGroups(config.groups) };
}

function copyGroups(groups: Record<number, string[]>): Record<number, string[]> {
  const out: Record<number, string[]> = {};
  for (const gid of gidsOf(groups)) out[gid] = [...groups[gid]];
  return out;
}
// #endregion
