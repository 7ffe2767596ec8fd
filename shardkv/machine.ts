// #region SOLUTION 4B
// SKELETON: /**
// SKELETON:  * A place for a group's replicated state machine (4B): the shards this group holds, the configuration
// SKELETON:  * it is in, and what it needs to execute each client request exactly once, also across shard moves.
// SKELETON:  */
/**
 * A shard group's replicated state machine: the configuration the group is in, the one before it, and
 * the shards it holds, each with its data, its duplicate table and where it stands in a handoff. Every
 * replica applies the same commands in the same order, so all of them switch configuration, take in a
 * shard and drop one at the same point of their operation sequence [SK.5].
 *
 * A shard's life in the group, for the move from config N-1 to N:
 *
 *   gained in N:  Pulling ─Install─▶ Erasing ─Erased─▶ Serving     (from gid 0, i.e. new: Serving at once)
 *   lost in N:    Serving ─Config─▶ Offering ─Delete─▶ (gone)
 *
 * Pulling: ours in N, but the data is still with the owner in N-1 [SK.3]. Erasing: data here and served;
 * the old owner has not yet confirmed that it dropped its copy [SK.6]. Offering: no longer ours, kept only
 * until the new owner has it. Client requests are served in Serving and Erasing only [SK.2, SK.7].
 * The next configuration is taken only when no shard is in between [SK.1].
 *
 * Exactly-once across moves [SK.4]: each shard carries its own duplicate table (client → highest
 * Put/Append seq applied to this shard), and the table travels with the shard's data.
 */
import { decode, encode } from '../labrpc';
import type { StateMachine } from '../kvraft/rsm';
import { initialConfig, NShards, type Config } from '../shardctrler';
import { key2shard, type Err } from './common';

export type ShardState = 'Serving' | 'Pulling' | 'Offering' | 'Erasing';

/** What moves between groups: a shard's keys and its duplicate table. */
export interface ShardData {
  data: Record<string, string>;
  lastSeq: Record<string, number>;
}

interface Shard extends ShardData {
  state: ShardState;
}

/** One command in a group's log. */
export type GroupOp =
  | { kind: 'Get' | 'Put' | 'Append'; key: string; value: string; clientId: number; seq: number }
  /** Move to the next configuration (the leader polls the controller for it). */
  | { kind: 'Config'; config: Config }
  /** The shards pulled from their owners in config `num - 1`, for config `num`. */
  | { kind: 'Install'; num: number; shards: Record<number, ShardData> }
  /** (old owner) The new owners in config `num` have these shards: drop them [SK.6]. */
  | { kind: 'Delete'; num: number; shards: number[] }
  /** (new owner) The old owners dropped their copies of these shards: they are plain Serving now. */
  | { kind: 'Erased'; num: number; shards: number[] }
  /** A new leader's first entry: commits what earlier terms left uncommitted. */
  | { kind: 'NoOp' };

export interface OpResult {
  err: Extract<Err, 'OK' | 'ErrNoKey' | 'ErrWrongGroup'>;
  value: string;
}

interface Stored {
  config: Config;
  prev: Config;
  shards: Record<number, Shard>;
}

const OK: OpResult = { err: 'OK', value: '' };

export class GroupMachine implements StateMachine<GroupOp, OpResult> {
  readonly gid: number;
  #config: Config = initialConfig();
  #prev: Config = initialConfig();
  #shards = new Map<number, Shard>();

  /** A debug line about this group's configurations and shard moves (the server adds who and when). */
  readonly #log: (message: string) => void;

  constructor(gid: number, log: (message: string) => void = () => undefined) {
    this.gid = gid;
    this.#log = log;
  }

  /** The configuration this group is in. */
  get config(): Config {
    return this.#config;
  }

  /** The configuration before it: where Pulling shards come from, where Erasing shards were. */
  get prev(): Config {
    return this.#prev;
  }

  /** The shards in `state`, in order. */
  shardsIn(state: ShardState): number[] {
    return [...this.#shards].filter(([, s]) => s.state === state).map(([shard]) => shard);
  }

  /** Whether no shard is in the middle of a handoff, so the next configuration may be taken [SK.1]. */
  settled(): boolean {
    return [...this.#shards.values()].every((s) => s.state === 'Serving');
  }

  /** Whether requests for `shard` are served here now [SK.2, SK.7]. */
  serves(shard: number): boolean {
    const state = this.#shards.get(shard)?.state;
    return state === 'Serving' || state === 'Erasing';
  }

  /** Copies of the shards Offered in config `num` (for a puller at `num`); null if not there yet. */
  offer(num: number, shards: readonly number[]): Record<number, ShardData> | null {
    if (this.#config.num !== num) return null;
    const out: Record<number, ShardData> = {};
    for (const shard of shards) {
      const s = this.#shards.get(shard);
      if (s?.state !== 'Offering') return null;
      out[shard] = { data: { ...s.data }, lastSeq: { ...s.lastSeq } };
    }
    return out;
  }

  apply(op: GroupOp): OpResult {
    switch (op.kind) {
      case 'Get':
      case 'Put':
      case 'Append':
        return this.#clientOp(op);
      case 'Config':
        this.#reconfigure(op.config);
        return OK;
      case 'Install':
        if (op.num === this.#config.num) {
          this.#log(`config ${op.num}: shards [${Object.keys(op.shards).join(' ')}] arrived`);
          for (const [shard, moved] of Object.entries(op.shards)) {
            const s = this.#shards.get(Number(shard));
            if (s?.state !== 'Pulling') continue; // a duplicate Install
            // [SK.4] the duplicate table arrives with the data (copies: the log entry is not ours to keep)
            this.#shards.set(Number(shard), {
              state: 'Erasing',
              data: { ...moved.data },
              lastSeq: { ...moved.lastSeq },
            });
          }
        }
        return OK;
      case 'Delete':
        // [SK.6] the new owner has it: the keys leave this group's state (and so its next snapshot)
        if (op.num === this.#config.num) {
          this.#log(`config ${op.num}: the new owners have shards [${op.shards.join(' ')}]: dropping them`);
          for (const shard of op.shards)
            if (this.#shards.get(shard)?.state === 'Offering') this.#shards.delete(shard);
        }
        return OK;
      case 'Erased':
        if (op.num === this.#config.num) {
          for (const shard of op.shards) {
            const s = this.#shards.get(shard);
            if (s?.state === 'Erasing') s.state = 'Serving';
          }
        }
        return OK;
      case 'NoOp':
        return OK;
    }
  }

  #clientOp(op: Extract<GroupOp, { kind: 'Get' | 'Put' | 'Append' }>): OpResult {
    const shard = key2shard(op.key);
    const s = this.#shards.get(shard);
    // [SK.2] decided at apply time, in log order: a request that arrived before a reconfiguration
    // but is applied after it is refused, and the clerk asks the controller again.
    if (s === undefined || !this.serves(shard)) return { err: 'ErrWrongGroup', value: '' };
    if (op.kind === 'Get') {
      const value = s.data[op.key];
      return value === undefined ? { err: 'ErrNoKey', value: '' } : { err: 'OK', value };
    }
    if (op.seq > (s.lastSeq[op.clientId] ?? 0)) {
      s.data[op.key] = (op.kind === 'Append' ? (s.data[op.key] ?? '') : '') + op.value;
      s.lastSeq[op.clientId] = op.seq;
    }
    return OK;
  }

  /** [SK.1] Take config N+1, and only from a settled config N: configurations one at a time, in order. */
  #reconfigure(next: Config): void {
    if (next.num !== this.#config.num + 1 || !this.settled()) return; // a stale or duplicate Config
    const was = this.#config;
    for (let shard = 0; shard < NShards; shard++) {
      const mine = next.shards[shard] === this.gid;
      const wasMine = was.shards[shard] === this.gid;
      if (mine && !wasMine) {
        // [SK.3] wait for the previous owner's data; a shard that had no owner (gid 0) starts empty
        const state = was.shards[shard] === 0 ? 'Serving' : 'Pulling';
        this.#shards.set(shard, { state, data: {}, lastSeq: {} });
      } else if (!mine && wasMine) {
        const s = this.#shards.get(shard);
        if (s !== undefined) s.state = 'Offering'; // [SK.2] stop serving it at once
      }
    }
    this.#prev = was;
    this.#config = next;
    const gains = this.shardsIn('Pulling').join(' ');
    const loses = this.shardsIn('Offering').join(' ');
    this.#log(`took config ${next.num}: waits for shards [${gains}], hands off [${loses}]`);
  }

  snapshot(): Uint8Array {
    const stored: Stored = {
      config: this.#config,
      prev: this.#prev,
      shards: Object.fromEntries(this.#shards),
    };
    return encode(stored, 'snapshot');
  }

  restore(bytes: Uint8Array): void {
    if (bytes.length === 0) {
      this.#config = initialConfig();
      this.#prev = initialConfig();
      this.#shards = new Map();
      return;
    }
    const stored = decode<Stored>(bytes);
    this.#config = stored.config;
    this.#prev = stored.prev;
    this.#shards = new Map(Object.entries(stored.shards).map(([shard, s]) => [Number(shard), s]));
  }
}
// #endregion
