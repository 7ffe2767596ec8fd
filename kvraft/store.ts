// #region SOLUTION 3A
// SKELETON: /**
// SKELETON:  * A place for the replicated state machine of one KV server (3A): the key/value map, and what it needs
// SKELETON:  * to execute each client request exactly once. Every replica applies the same operations in the
// SKELETON:  * same order. In 3B it must also turn into snapshot bytes and back.
// SKELETON:  */
/**
 * The replicated state machine of one KV server: the key/value map and the duplicate table, and their
 * snapshot encoding. Every replica applies the same Ops in the same order, so every replica holds the
 * same store; nothing here knows about Raft, RPCs or time.
 *
 * Exactly-once: a client runs one request at a time and numbers them 1, 2, 3, …; a retried request keeps
 * its number. So the highest Put/Append number applied per client is all a replica needs to recognise a
 * duplicate: a Put/Append numbered at or below it has already taken effect and is skipped. (A Get has no
 * effect, so executing it again is harmless and it needs no entry.) The table is part of the snapshot:
 * a replica restored from a snapshot must still recognise the duplicates of what the snapshot covers.
 */
import { decode, encode } from '../labrpc';
import type { Err, Op } from './common';
import type { StateMachine } from './rsm';

/** What applying an Op answers: the error code and, for Get, the value. */
export interface OpResult {
  err: Extract<Err, 'OK' | 'ErrNoKey'>;
  value: string;
}

/** The snapshot as encoded: plain objects, because the codec does not carry Map. */
interface StoredSnapshot {
  data: Record<string, string>;
  lastSeq: Record<string, number>;
}

export class KVStore implements StateMachine<Op, OpResult> {
  #data = new Map<string, string>();
  /** clientId → the highest Put/Append seq applied for that client. */
  #lastSeq = new Map<number, number>();

  /** Apply one committed Op; a duplicate Put/Append is skipped. */
  apply(op: Op): OpResult {
    if (op.kind === 'Get') {
      const value = this.#data.get(op.key);
      return value === undefined ? { err: 'ErrNoKey', value: '' } : { err: 'OK', value };
    }
    // [KV.1] exactly once: a Put/Append numbered at or below the client's last applied one is a retry
    if (op.seq > (this.#lastSeq.get(op.clientId) ?? 0)) {
      const old = op.kind === 'Append' ? (this.#data.get(op.key) ?? '') : '';
      this.#data.set(op.key, old + op.value);
      this.#lastSeq.set(op.clientId, op.seq);
    }
    return { err: 'OK', value: '' };
  }

  /** The whole store as bytes, for rf.snapshot() (3B). */
  snapshot(): Uint8Array {
    const stored: StoredSnapshot = {
      data: Object.fromEntries(this.#data),
      // [KV.5] the duplicate table too: a replica restored from this must still recognise retries
      lastSeq: Object.fromEntries(this.#lastSeq),
    };
    return encode(stored, 'snapshot');
  }

  /** Replace the store by a snapshot's contents; an empty snapshot means an empty store. */
  restore(bytes: Uint8Array): void {
    if (bytes.length < 1) {
      this.#data = new Map();
      this.#lastSeq = new Map();
      return;
    }
    const stored = decode<StoredSnapshot>(bytes);
    this.#data = new Map(Object.entries(stored.data));
    this.#lastSeq = new Map(Object.entries(stored.lastSeq).map(([id, seq]) => [Number(id), seq]));
  }
}
// #endregion
