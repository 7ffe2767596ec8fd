/**
 * What the Clerk and the KV servers say to each other (6.824 kvraft/common.go, catalog §7.1), and the
 * operation that travels through the Raft log.
 *
 * Everything here crosses the codec (labrpc/codec.ts) on every RPC and persist, so it must stay plain
 * data. Students add the fields their duplicate detection needs; the tests only call the Clerk.
 *
 *   Err: 'OK' | 'ErrNoKey' | 'ErrWrongLeader' | 'ErrTimeout'
 *   "KVServer.Get":       GetArgs → GetReply          (value "" and ErrNoKey for a missing key)
 *   "KVServer.PutAppend": PutAppendArgs → PutAppendReply
 */
// #region SOLUTION 3A
import type { CommandCodec } from './rsm';
// #endregion

/**
 * OK and ErrNoKey are answers; ErrWrongLeader (this server is not the leader, or lost leadership before
 * the operation committed) and ErrTimeout (it did not commit in time, e.g. a leader cut off in a
 * minority) both mean "try another server".
 */
export type Err = 'OK' | 'ErrNoKey' | 'ErrWrongLeader' | 'ErrTimeout';

/** Put or Append. */
export interface PutAppendArgs {
  key: string;
  value: string;
  op: 'Put' | 'Append';
  // You'll have to add definitions here.
  // #region SOLUTION 3A
  /** Who sent it and its place in that client's sequence: the key of duplicate detection. */
  clientId: number;
  seq: number;
  // #endregion
}

export interface PutAppendReply {
  err: Err;
}

export interface GetArgs {
  key: string;
  // You'll have to add definitions here.
  // #region SOLUTION 3A
  clientId: number;
  seq: number;
  // #endregion
}

export interface GetReply {
  err: Err;
  value: string;
}

// #region SOLUTION 3A
/**
 * One client request, as every replica applies it. `clientId` and `seq` let each replica recognise a
 * retried request it already applied.
 */
export interface Op {
  kind: 'Get' | 'Put' | 'Append';
  key: string;
  value: string;
  clientId: number;
  seq: number;
}

/**
 * How an Op is written into a Raft log entry (kvraft/rsm.ts): `["Append",<clientId>,<seq>,"<key>",
 * "<value>"]`. A row rather than the object: without snapshots (3A) the log only grows and a Raft may
 * re-encode its whole log on every persist, so the bytes per Op matter.
 */
export const opCodec: CommandCodec<Op> = {
  toRow: (op) => [op.kind, op.clientId, op.seq, op.key, op.value],
  fromRow: (row) => {
    const [kind, clientId, seq, key, value] = row as [Op['kind'], number, number, string, string];
    return { kind, clientId, seq, key, value };
  },
};
// #endregion
