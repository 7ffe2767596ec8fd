/**
 * A Raft peer (Figure 2 of the extended Raft paper, plus §7 snapshots): the API the tester and the KV
 * service call (the constructor, start, getState, snapshot, kill) and the RPC handlers other peers call.
 * The receiver of each RPC lives in its own file (request-vote.ts, append-entries.ts,
 * install-snapshot.ts); the log in log.ts, stable storage in persist.ts, delivery to the service in
 * apply-loop.ts, timers in timers.ts.
 */
// #region SOLUTION 2A
/*
 * Shape: the rules are synchronous code over plain fields (JavaScript runs one callback at a time, so
 * no locks); sending RPCs, persisting and applying happen at the edges. A role changes only in
 * becomeFollower / becomeCandidate / becomeLeader. Rule ids ([RV.2], [AE.3], [L.4], …) name the line
 * of Figure 2 (or Figure 13, [IS.n]) that a piece of code carries out.
 */
// #endregion
// #region INSTRUCTORS
/*
 * Handout regions: the line "Your code here (2A)." stays in the student's copy. The reference solution
 * sits between `// #region SOLUTION 2A` and `// #endregion` (no nesting); the handout generator
 * (npm run handout) replaces each region by the `// SKELETON: <line>` comments inside it, uncommented,
 * e.g. `return todo('2A: getState');`, which throws a NotImplementedError naming the part. The handout
 * must type-check, so skeleton lines must be valid on their own. INSTRUCTORS.md has the details.
 */
// #endregion
import { debugLog, type ClientEnd, type Persister } from '../labrpc';
import { handleAppendEntries } from './append-entries';
import { handleInstallSnapshot } from './install-snapshot';
import { handleRequestVote } from './request-vote';
import { checkServers } from './membership';
import { PeerTimers } from './timers';
import type * as T from './types';
// #region SOLUTION 2A
// SKELETON: import { todo } from './todo';
import { runApplyLoop, Signal, type PendingSnapshot } from './apply-loop';
import { assert } from './errors';
import { RaftLog } from './log';
import { decodeState, StateEncoder } from './persist';
import { replicateAll } from './append-entries';
import { startElection } from './request-vote';
// #endregion
// #region SOLUTION 2B
// SKELETON: import { todo } from './todo';
// #endregion
// #region SOLUTION 2D
// SKELETON: import { todo } from './todo';
// #endregion
// #region SOLUTION 2E
// SKELETON: import { todo } from './todo';
import { describeConfig, isMember, sameServers } from './membership';
// #endregion

// #region SOLUTION 2A
/** The role, with the state that only that role has (Figure 2: "Volatile state on leaders"). */
export type RoleState =
  | { role: 'follower' }
  | { role: 'candidate'; votes: Set<number> }
  | { role: 'leader'; nextIndex: number[]; matchIndex: number[]; learners: Set<number> };
// #endregion

export class Raft {
  readonly peers: ClientEnd[];
  readonly me: number;
  readonly persister: Persister;
  readonly applyCh: T.ApplyCh;
  /** The configuration the tester started the cluster with (2E; every peer unless it says otherwise). */
  readonly initialServers: number[];
  #dead = false;
  /** The election timer and the heartbeats (timers.ts); kill() must stop them all. */
  readonly timers = new PeerTimers(this);

  // Your data here (2A, 2B, 2C, 2D). The neighbouring files read and write these fields.
  // #region SOLUTION 2A
  // Persistent state on all servers (Figure 2): saved by persist() before any reply that depends on it.
  currentTerm = 0;
  votedFor: number | null = null;
  log = new RaftLog();
  /** The snapshot covering the log up to log.firstIndex (2D); sent as it is by InstallSnapshot. */
  snapshotData: Uint8Array = new Uint8Array(0);
  // Volatile state on all servers. Invariant: log.firstIndex <= commitIndex; lastApplied <= commitIndex.
  commitIndex = 0;
  lastApplied = 0;
  state: RoleState = { role: 'follower' };
  /** An installed snapshot the apply loop has not delivered yet (apply-loop.ts says why this is safe). */
  pendingSnapshot: PendingSnapshot | null = null;
  readonly applySignal = new Signal();
  /** Encodes the persistent state for persist(), re-using the bytes of entries it encoded before. */
  readonly #stateEncoder = new StateEncoder();
  // #endregion
  // #region SOLUTION 2E
  /** [M.8] when this peer last heard from a leader of its term (Date.now(), virtual in the tests). */
  leaderHeardAt = -Infinity;
  // #endregion

  /**
   * Create a peer. `peers[i]` reaches peer i (peers[me] is this one); `persister` holds what an earlier
   * instance saved; `applyCh` receives committed commands, snapshots and (2E) configurations. Returns
   * at once: elections, heartbeats and applying run from timers the peer starts itself.
   *
   * 2E: `servers` is the initial configuration, the same for every peer of the cluster (default: all of
   * `peers`). A peer outside it runs but starts no election until a configuration that includes it is in
   * its log; it still answers RequestVote and AppendEntries like any peer (thesis §4.1: a server answers
   * whatever its own configuration says; only counting votes and replicas looks at a configuration, the
   * counter's). What a restarted peer persisted takes precedence.
   */
  constructor(
    peers: ClientEnd[],
    me: number,
    persister: Persister,
    applyCh: T.ApplyCh,
    servers: readonly number[] = peers.map((_, i) => i),
  ) {
    this.peers = peers;
    this.me = me;
    this.persister = persister;
    this.applyCh = applyCh;
    this.initialServers = checkServers(servers, peers.length, 'new Raft(…, servers)');
    // Your initialization code here (2A, 2B, 2C, 2E).
    // #region SOLUTION 2A
    // SKELETON: todo('2A: the constructor must start the election timer (timers.ts): a peer that hears from no leader for a randomized timeout starts an election');
    this.log = new RaftLog(0, 0, [], { servers: this.initialServers, newServers: null });
    this.#restore();
    this.timers.resetElection();
    void runApplyLoop(this);
    // #endregion
  }

  /** This peer's current term and whether it believes it is the leader. */
  getState(): { term: number; isLeader: boolean } {
    // Your code here (2A).
    // #region SOLUTION 2A
    // SKELETON: return todo('2A: getState: the current term, and whether this peer believes it is the leader');
    return { term: this.currentTerm, isLeader: this.state.role === 'leader' };
    // #endregion
  }

  /**
   * Propose `command` for the log. A leader appends it and returns at once, without waiting for it to
   * commit: `index` is where it will appear if it ever commits. A non-leader returns isLeader false.
   */
  start(command: unknown): T.StartResult {
    // Your code here (2B).
    // #region SOLUTION 2B
    // SKELETON: return todo('2B: start: a leader appends the command to its log and returns at once; others return isLeader false');
    const s = this.state;
    if (this.#dead || s.role !== 'leader') return { index: -1, term: this.currentTerm, isLeader: false };
    this.log.append({ term: this.currentTerm, command }); // [L.2] append the command to the local log
    this.persist();
    s.matchIndex[this.me] = this.log.lastIndex;
    debugLog(this.me, 'start', `T${this.currentTerm} start index ${this.log.lastIndex}`);
    this.timers.replicateSoon();
    return { index: this.log.lastIndex, term: this.currentTerm, isLeader: true };
    // #endregion
  }

  /**
   * The service has a snapshot of everything up to and including `index`: Raft may drop those entries.
   * The tester calls this from inside applyCh; the snapshot is persisted together with the state.
   */
  snapshot(index: number, snapshot: Uint8Array): void {
    // Your code here (2D).
    // #region SOLUTION 2D
    // SKELETON: todo('2D: snapshot: the service holds everything up to index; drop those log entries and persist the snapshot');
    if (this.#dead || index <= this.log.firstIndex || index > this.lastApplied) {
      // Overtaken by an installed snapshot, or not applied yet: keep what we have.
      debugLog(this.me, 'snap', `T${this.currentTerm} ignored snapshot at ${index} (${this.log.describe()})`);
      return;
    }
    this.log.compactTo(index);
    this.snapshotData = snapshot;
    this.persist();
    debugLog(this.me, 'snap', `T${this.currentTerm} snapshot at ${index}, ${this.log.describe()}`);
    // #endregion
  }

  /**
   * 2E: propose the configuration `servers` (by joint consensus: C_old,new, then C_new once that is
   * committed). Returns at once like start(): `index` is where C_old,new will appear if it commits.
   * A non-leader refuses; so does a leader while another change is in progress or while a server being
   * added is still catching up (`refused` says which; ask again later).
   */
  changeConfig(servers: number[]): T.ConfigChangeResult {
    const target = checkServers(servers, this.peers.length, 'changeConfig(servers)');
    // Your code here (2E).
    // #region SOLUTION 2E
    // SKELETON: void target;
    // SKELETON: return todo('2E: changeConfig: a leader appends C_old,new (joint consensus, §6) and returns at once like start()');
    const s = this.state;
    const refuse = (why: string): T.ConfigChangeResult => ({
      index: -1,
      term: this.currentTerm,
      isLeader: s.role === 'leader',
      refused: why,
    });
    if (this.#dead || s.role !== 'leader') return refuse('not the leader');
    const current = this.log.config;
    // [M.3] one change at a time: the latest configuration must be a plain one, and committed.
    if (current.newServers !== null || this.log.configIndex > this.commitIndex) {
      return refuse(
        `configuration ${describeConfig(current)} at index ${this.log.configIndex} is not final yet`,
      );
    }
    if (sameServers(current.servers, target)) return refuse(`already ${describeConfig(current)}`);
    // [M.6] servers being added catch up first, as learners no majority counts yet.
    const lagging = target.filter((i) => !current.servers.includes(i) && s.matchIndex[i] < this.commitIndex);
    for (const i of lagging) {
      if (!s.learners.has(i)) {
        s.learners.add(i);
        this.timers.replicateSoon();
      }
    }
    if (lagging.length > 0) {
      const behind = lagging.map((i) => `S${i} at ${s.matchIndex[i]}`).join(', ');
      return refuse(`catching up ${behind} of commit index ${this.commitIndex}`);
    }
    // [M.3] C_old,new first: C_new follows only once this is committed ([M.4]).
    const joint = { servers: current.servers, newServers: target };
    const index = this.appendConfig(joint);
    return { index, term: this.currentTerm, isLeader: true, refused: null };
    // #endregion
  }

  /** Stop this peer: no more timers, RPCs or applies. The tester calls it on crash and at cleanup. */
  kill(): void {
    this.#dead = true;
    // Your code here, if desired.
    // #region SOLUTION 2A
    // SKELETON: // Stop your timers (this.timers.stopAll()) and loops here: a killed peer sends, answers and applies nothing more.
    this.timers.stopAll();
    this.applySignal.notify();
    // #endregion
  }

  killed(): boolean {
    return this.#dead;
  }

  // RPC handlers: labrpc's Service.of registers these capitalised methods as "Raft.<Name>".
  RequestVote(args: T.RequestVoteArgs): T.RequestVoteReply {
    return handleRequestVote(this, args);
  }

  AppendEntries(args: T.AppendEntriesArgs): T.AppendEntriesReply {
    return handleAppendEntries(this, args);
  }

  InstallSnapshot(args: T.InstallSnapshotArgs): T.InstallSnapshotReply {
    return handleInstallSnapshot(this, args);
  }

  // #region SOLUTION 2E
  /** [M.1] the configuration in effect on this peer: the latest one in its log, committed or not. */
  config(): T.Configuration {
    return this.log.config;
  }

  /** A leader appends a configuration entry ([M.3], [M.4]); it takes effect at once ([M.1]). */
  appendConfig(config: T.Configuration): number {
    const s = this.state;
    assert(s.role === 'leader', () => `S${this.me} appends a configuration as ${s.role}`);
    this.log.append({ term: this.currentTerm, command: null, config });
    this.persist();
    for (const i of s.learners) if (isMember(config, i)) s.learners.delete(i); // now voters
    s.matchIndex[this.me] = this.log.lastIndex;
    debugLog(
      this.me,
      'config',
      `T${this.currentTerm} appended ${describeConfig(config)} at ${this.log.lastIndex}`,
    );
    this.timers.replicateSoon();
    return this.log.lastIndex;
  }

  /** [M.9] whether a leader sends AppendEntries to `peer`: a member, or a learner catching up. */
  replicatesTo(peer: number): boolean {
    const s = this.state;
    return isMember(this.config(), peer) || (s.role === 'leader' && s.learners.has(peer));
  }

  /** After commitIndex moved on a leader: [M.4] finish a joint change, [M.5] leave once removed. */
  #afterCommit(): void {
    if (this.state.role !== 'leader' || this.log.configIndex > this.commitIndex) return;
    const config = this.log.config;
    if (config.newServers !== null) {
      this.appendConfig({ servers: config.newServers, newServers: null }); // [M.4]
    } else if (!config.servers.includes(this.me)) {
      // [M.5] C_new is committed without us: tell the members (this round carries the commit index), go.
      replicateAll(this);
      this.#stepDown(`removed by ${describeConfig(config)}`);
    }
  }

  /** A leader leaves office in its own term (it is no longer a member); it never campaigns again ([M.9]). */
  #stepDown(why: string): void {
    this.state = { role: 'follower' };
    this.timers.stopHeartbeats();
    this.timers.ensureElection();
    debugLog(this.me, 'role', `T${this.currentTerm} became follower (${why})`);
  }
  // #endregion

  // #region SOLUTION 2A
  /** [All.2] If an RPC request or response contains term T > currentTerm: set currentTerm = T, follower. */
  observeTerm(term: number, why: string): void {
    if (term > this.currentTerm) this.becomeFollower(term, why);
  }

  /** Step down (or stay down) in `term` >= currentTerm; a new term forgets the vote. */
  becomeFollower(term: number, why: string): void {
    assert(term >= this.currentTerm, () => `S${this.me} T${this.currentTerm} cannot follow older T${term}`);
    assert(
      term > this.currentTerm || this.state.role !== 'leader',
      () => `S${this.me} T${term}: a second leader in the same term (${why}) breaks Election Safety`,
    );
    if (term > this.currentTerm) {
      this.currentTerm = term;
      this.votedFor = null;
      this.persist();
    }
    const was = this.state.role;
    this.state = { role: 'follower' };
    this.timers.stopHeartbeats();
    this.timers.ensureElection();
    if (was !== 'follower') debugLog(this.me, 'role', `T${term} became follower (${why})`);
    else debugLog(this.me, 'term', `T${term} new term (${why})`);
  }

  /** [F.2]/[C.4] election timeout: [C.1] start an election in a new term. */
  becomeCandidate(why: string): void {
    assert(this.state.role !== 'leader', () => `invalid transition [leader -> candidate] S${this.me}`);
    if (!isMember(this.config(), this.me)) {
      // [M.9] not a voter in our own configuration (a spare, or removed): no election, just wait.
      this.timers.resetElection();
      return;
    }
    this.currentTerm += 1; // [C.1] increment currentTerm
    this.votedFor = this.me; // [C.1] vote for self
    this.persist();
    this.state = { role: 'candidate', votes: new Set([this.me]) };
    this.timers.resetElection(); // [C.1] reset election timer
    debugLog(this.me, 'role', `T${this.currentTerm} became candidate (${why})`);
    startElection(this); // [C.1] send RequestVote RPCs to all other servers
  }

  /** [C.2] votes received from a majority: become leader. */
  becomeLeader(): void {
    assert(
      this.state.role === 'candidate',
      () => `invalid transition [${this.state.role} -> leader] S${this.me}`,
    );
    const next = this.log.lastIndex + 1;
    this.state = {
      role: 'leader',
      nextIndex: this.peers.map(() => next), // initialised to leader last log index + 1
      matchIndex: this.peers.map((_, i) => (i === this.me ? this.log.lastIndex : 0)),
      learners: new Set(),
    };
    this.timers.stopElection();
    debugLog(this.me, 'role', `T${this.currentTerm} became leader (${this.log.describe()})`);
    replicateAll(this); // [L.1] initial empty AppendEntries (heartbeat) to each server
    this.timers.startHeartbeats(); // [L.1] repeat during idle periods
    this.#afterCommit(); // a joint configuration committed under an earlier leader: finish the change
  }

  /** Advance commitIndex (never backwards) and wake the apply loop. */
  commitTo(index: number): void {
    if (index <= this.commitIndex) return;
    assert(
      index <= this.log.lastIndex,
      () => `S${this.me} cannot commit ${index} past ${this.log.describe()}`,
    );
    this.commitIndex = index;
    debugLog(this.me, 'commit', `T${this.currentTerm} commit index ${index}`);
    this.applySignal.notify();
    this.#afterCommit();
  }

  /** Hand an installed snapshot to the apply loop ([IS.8]). */
  offerSnapshot(snapshot: PendingSnapshot): void {
    this.pendingSnapshot = snapshot;
    this.applySignal.notify();
  }

  /**
   * Save the persistent state, and the snapshot with it when there is one (one atomic save). Figure 2:
   * persistent state is "updated on stable storage before responding to RPCs", so the callers persist
   * before they reply or send anything that depends on the change.
   */
  persist(): void {
    const bytes = this.#stateEncoder.encode({
      currentTerm: this.currentTerm,
      votedFor: this.votedFor,
      lastIncludedIndex: this.log.firstIndex,
      lastIncludedTerm: this.log.firstTerm,
      lastIncludedConfig: this.log.firstConfig,
      entries: this.log.tail(),
    });
    if (this.log.firstIndex > 0) this.persister.saveStateAndSnapshot(bytes, this.snapshotData);
    else this.persister.saveRaftState(bytes);
  }

  /** Recover after a crash: the persisted state and snapshot (lastApplied = commitIndex = snapshot index). */
  #restore(): void {
    const saved = decodeState(this.persister.readRaftState());
    if (saved === null) return;
    this.currentTerm = saved.currentTerm;
    this.votedFor = saved.votedFor;
    this.log = new RaftLog(
      saved.lastIncludedIndex,
      saved.lastIncludedTerm,
      saved.entries,
      saved.lastIncludedConfig,
    );
    this.snapshotData = this.persister.readSnapshot();
    this.commitIndex = saved.lastIncludedIndex;
    this.lastApplied = saved.lastIncludedIndex;
  }
  // #endregion
}
