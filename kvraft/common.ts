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
 * A batch of Ops as it travels in the Raft log: one JSON string, `[["Append",<clientId>,<seq>,"<key>",
 * "<value>"], …]`. Why a string: a Raft may re-encode its whole log on every persist (the reference
 * encodes each entry once, a straightforward one does not), and without snapshots (3A) the log only
 * grows, so the cost per entry matters; the codec checks every field of every object it encodes, while
 * a string is one value, several times cheaper (and still readable in traces).
 */
export function opsToCommand(ops: readonly Op[]): string {
  return JSON.stringify(ops.map((op) => [op.kind, op.clientId, op.seq, op.key, op.value]));
}

/** The Ops in a command from the Raft log. */
export function commandToOps(command: unknown): Op[] {
  const rows = JSON.parse(String(command)) as [Op['kind'], number, number, string, string][];
  return rows.map(([kind, clientId, seq, key, value]) => ({ kind, clientId, seq, key, value }));
}
// #endregion
