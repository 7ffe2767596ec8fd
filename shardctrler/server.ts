/**
 * A shard controller server: one replica of the configuration service, on top of its own Raft peer
 * (6.824 shardctrler/server.go, catalog §2.3).
 *
 *   const sc = new ShardCtrler(servers, me, persister);   // servers[i] reaches peer i's Raft
 *   server.addService(Service.of(sc)); server.addService(Service.of(sc.raft()));   // the test config
 *
 * RPCs: "ShardCtrler.Join", "ShardCtrler.Leave", "ShardCtrler.Move", "ShardCtrler.Query". As in kvraft,
 * a server answers only once the request has been applied through the Raft log (a Query too: it must
 * reflect every change finished before it arrived). The controller never snapshots: its state is small
 * and no test measures its Raft state. The constructor must return quickly.
 */
import type { ClientEnd, Persister } from '../labrpc';
import type { Raft } from '../raft';
import {
  initialConfig,
  type Config,
  type Err,
  type JoinArgs,
  type JoinReply,
  type LeaveArgs,
  type LeaveReply,
  type MoveArgs,
  type MoveReply,
  type QueryArgs,
  type QueryReply,
} from './common';
// #region SOLUTION 4A
// SKELETON: import { Raft as RaftPeer } from '../raft';
// SKELETON: import { todo } from './todo';
import { Rsm } from '../kvraft/rsm';
import { CtrlerMachine, type CtrlerOp } from './machine';
// #endregion

export class ShardCtrler {
  readonly me: number;
  #dead = false;
  // Your data here.
  // #region SOLUTION 4A
  // SKELETON: readonly rf: Raft;
  // SKELETON: /** The configurations, indexed by config number; #0 has no groups. */
  // SKELETON: configs: Config[] = [initialConfig()];
  readonly #rsm: Rsm<CtrlerOp, Config | null>;
  // #endregion

  constructor(servers: ClientEnd[], me: number, persister: Persister) {
    this.me = me;
    // Your code here.
    // #region SOLUTION 4A
    // SKELETON: this.rf = new RaftPeer(servers, me, persister, () => todo('4A: apply each committed Join/Leave/Move/Query, in log order'));
    this.#rsm = new Rsm(servers, me, persister, -1, new CtrlerMachine());
    // #endregion
  }

  /** This replica's Raft peer: the tester registers its RPC service and asks it who leads. */
  raft(): Raft {
    // #region SOLUTION 4A
    // SKELETON: return this.rf;
    return this.#rsm.rf;
    // #endregion
  }

  async Join(args: JoinArgs): Promise<JoinReply> {
    // Your code here.
    // #region SOLUTION 4A
    // SKELETON: return todo('4A: ShardCtrler.Join: start the Join in Raft, answer once it has been applied');
    const { err } = await this.#submit({ kind: 'Join', ...args });
    return { wrongLeader: err !== 'OK', err };
    // #endregion
  }

  async Leave(args: LeaveArgs): Promise<LeaveReply> {
    // Your code here.
    // #region SOLUTION 4A
    // SKELETON: return todo('4A: ShardCtrler.Leave: start the Leave in Raft, answer once it has been applied');
    const { err } = await this.#submit({ kind: 'Leave', ...args });
    return { wrongLeader: err !== 'OK', err };
    // #endregion
  }

  async Move(args: MoveArgs): Promise<MoveReply> {
    // Your code here.
    // #region SOLUTION 4A
    // SKELETON: return todo('4A: ShardCtrler.Move: start the Move in Raft, answer once it has been applied');
    const { err } = await this.#submit({ kind: 'Move', ...args });
    return { wrongLeader: err !== 'OK', err };
    // #endregion
  }

  async Query(args: QueryArgs): Promise<QueryReply> {
    // Your code here.
    // #region SOLUTION 4A
    // SKELETON: return todo('4A: ShardCtrler.Query: answer config #num (the latest for -1), once the Query has been applied');
    const { err, config } = await this.#submit({ kind: 'Query', ...args });
    return { wrongLeader: err !== 'OK', err, config: config ?? initialConfig() };
    // #endregion
  }

  /** The tester calls kill() when it shuts a server down; afterwards it must not answer anything. */
  kill(): void {
    this.#dead = true;
    // Your code here, if desired.
    // #region SOLUTION 4A
    // SKELETON: this.rf.kill();
    this.#rsm.kill();
    // #endregion
  }

  killed(): boolean {
    return this.#dead;
  }

  // #region SOLUTION 4A
  /** Run `op` through the log; OK with its result, or the reason to try another server. */
  async #submit(op: CtrlerOp): Promise<{ err: Err; config: Config | null }> {
    const outcome = await this.#rsm.submit(op);
    return outcome.ok ? { err: 'OK', config: outcome.result } : { err: outcome.err, config: null };
  }
  // #endregion
}
