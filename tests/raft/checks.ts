/**
 * The tester's questions about a running cluster (6.824 config.go, catalog §5.7): checkOneLeader,
 * checkTerms, checkNoLeader, nCommitted, wait and one. RaftConfig (config.ts) extends this class and
 * supplies the cluster. Waits use sleep() on the virtual clock; a failed check throws LabCheckFailure.
 */
import { randomInt, sleep } from '../../labrpc';
import { LabCheckFailure, type LabContext } from '../harness';
import type { ClusterWatch } from './cluster-watch';
import { show, type CommittedLogs } from './committed-log';
import type { PeerState, RemotePeer } from './remote-peer';

export abstract class Checks {
  abstract readonly ctx: LabContext;
  abstract readonly n: number;
  abstract readonly rafts: (RemotePeer | null)[];
  abstract readonly connected: boolean[];
  abstract readonly committed: CommittedLogs;
  /** What the tester sees of the cluster: Election Safety, and the diagnosis under a failure. */
  abstract readonly watch: ClusterWatch;
  /** Set by cleanup(): a one() still running from an ended test gives up quietly. */
  finished = false;
  /** Beyond Go: what a scripted test has set up, added to every failure message ('' in the Go tests). */
  scenario = '';
  /**
   * Beyond Go: fail when a snapshot would take a server's service back behind what it already applied
   * (Figure 13 [IS.6]: a snapshot the log already covers changes nothing). Off in the Go tests.
   */
  snapshotsMustAdvance = false;

  abstract at(): string;

  /** Fail the test now with a message naming the check and the virtual time (the diagnosis follows it). */
  fail(message: string): never {
    const scenario = this.scenario === '' ? '' : ` — ${this.scenario}`;
    throw new LabCheckFailure(`${message} (at ${this.at()})${scenario}`);
  }

  /**
   * Fail a liveness check (no leader, no agreement): the first line also says why, when the recent RPCs
   * match a known stall pattern (stall-patterns.ts), e.g. `— why: [L.3b] slow backtracking: …`.
   */
  stalled(message: string, known?: string): never {
    const why = known ?? this.watch.explainStall()[0];
    this.fail(why === undefined ? message : `${message} — why: ${why}`);
  }

  /**
   * The getState() of each server `which` picks (all running ones by default), asked together: one
   * exchange with the code under test, as Go's tester asks them back to back. null where not asked.
   */
  async statesOf(which: (i: number) => boolean = () => true): Promise<(PeerState | null)[]> {
    return Promise.all(
      this.rafts.map((rf, i) => (rf !== null && which(i) ? this.stateOf(i, rf) : Promise.resolve(null))),
    );
  }

  /** Server i's getState(), as a check asks it; a leadership claim goes to the Election Safety check. */
  async stateOf(i: number, rf: RemotePeer): Promise<PeerState> {
    const state = await rf.getState();
    this.watch.claim(i, state);
    return state;
  }

  /**
   * Beyond Go: how many other servers must have received a leader's AppendEntries in its term before the
   * tester believes its getState() (see checkOneLeader). RaftConfig sets it from the configuration.
   */
  leaderQuorum(): number {
    return Math.floor(this.n / 2);
  }

  /**
   * Wait for a leader among the connected servers; at most one per term. Returns the newest one.
   *
   * Beyond Go, a leader counts only with evidence on the wire ([L.1]: upon election, send AppendEntries
   * to each server): a majority (itself and leaderQuorum() others) received an AppendEntries it sent in
   * its term. A claim without it is asked again at the next round (its first heartbeats may still be in
   * flight), and at most two rounds past Go's ten before the check fails naming the claim.
   */
  async checkOneLeader(): Promise<number> {
    let unproven: { server: number; term: number; heard: number } | undefined;
    for (let iters = 0; iters < 10 || (unproven !== undefined && iters < 12); iters++) {
      await sleep(450 + randomInt(100));
      const leaders = new Map<number, number[]>();
      const states = await this.statesOf((i) => this.connected[i]);
      for (let i = 0; i < this.n; i++) {
        const state = states[i];
        if (state === null) continue;
        const { term, isLeader } = state;
        if (isLeader) leaders.set(term, [...(leaders.get(term) ?? []), i]);
      }
      let lastTermWithLeader = -1;
      for (const [term, servers] of leaders) {
        if (servers.length > 1) {
          this.fail(
            `term ${term} has ${servers.length} (>1) leaders: ${servers.map((s) => `S${s}`).join(', ')}`,
          );
        }
        if (term > lastTermWithLeader) lastTermWithLeader = term;
      }
      if (leaders.size === 0) continue;
      const leader = (leaders.get(lastTermWithLeader) as number[])[0];
      const heard = this.watch.leaderEvidence(leader, lastTermWithLeader);
      if (heard >= this.leaderQuorum()) return leader;
      unproven = { server: leader, term: lastTermWithLeader, heard };
    }
    if (unproven !== undefined) {
      const { server, term, heard } = unproven;
      this.fail(
        `S${server} says it is the leader of term ${term}, but only ${heard} other server(s) received an ` +
          `AppendEntries it sent in that term (a majority needs ${this.leaderQuorum()} besides the leader) ` +
          '[L.1]: upon election, a leader sends AppendEntries (heartbeats) to each server, and ' +
          'repeats them during idle periods',
      );
    }
    this.stalled('expected one leader, got none');
  }

  /** All connected servers must agree on the term; returns it (-1 if none is connected). */
  async checkTerms(): Promise<number> {
    let term = -1;
    const states = await this.statesOf((i) => this.connected[i]);
    for (let i = 0; i < this.n; i++) {
      const state = states[i];
      if (state === null) continue;
      const xterm = state.term;
      if (term === -1) term = xterm;
      else if (term !== xterm) this.fail(`servers disagree on term (T${term} and S${i} at T${xterm})`);
    }
    return term;
  }

  /** No connected server may think it is leader. */
  async checkNoLeader(): Promise<void> {
    const states = await this.statesOf((i) => this.connected[i]);
    for (let i = 0; i < this.n; i++) {
      if (states[i]?.isLeader === true) {
        this.fail(`expected no leader among connected servers, but ${i} claims to be leader`);
      }
    }
  }

  /** How many servers (crashed and disconnected ones too) applied `index`, and what. */
  nCommitted(index: number): { count: number; command: unknown } {
    const { count, command, conflict } = this.committed.nCommitted(index);
    if (conflict !== null) this.fail(conflict);
    return { count, command };
  }

  /** Whether any running server (connected or not) is past `term`. */
  async anyTermAbove(term: number): Promise<boolean> {
    return (await this.statesOf()).some((state) => state !== null && state.term > term);
  }

  /**
   * Wait until at least n servers applied `index`, backing off from 10 ms to ~1 s, up to 30 times.
   * Returns the command, or -1 if some server moved past `startTerm` (when startTerm > -1).
   */
  async wait(index: number, n: number, startTerm: number): Promise<unknown> {
    let to = 10;
    for (let iters = 0; iters < 30; iters++) {
      if (this.nCommitted(index).count >= n) break;
      await sleep(to);
      if (to < 1000) to *= 2;
      if (startTerm > -1 && (await this.anyTermAbove(startTerm))) return -1;
    }
    const { count, command } = this.nCommitted(index);
    if (count < n) this.stalled(`only ${count} decided for index ${index}; wanted ${n}`);
    return command;
  }

  /**
   * Submit `cmd` to whichever connected server accepts it as leader, and wait (2 s per attempt, 10 s in
   * all) until `expectedServers` servers applied it at the returned index. With retry, a failed attempt
   * is tried again on the current leader; without, it fails the test.
   */
  async one(cmd: unknown, expectedServers: number, retry: boolean): Promise<number> {
    const t0 = this.ctx.now();
    let starts = 0;
    while (this.ctx.now() - t0 < 10_000 && !this.finished) {
      let index = -1;
      for (let si = 0; si < this.n && index === -1; si++) {
        starts = (starts + 1) % this.n;
        const rf = this.connected[starts] ? this.rafts[starts] : null;
        const result = await rf?.start(cmd);
        if (result !== undefined) this.watch.claim(starts, result);
        if (result?.isLeader) index = result.index;
      }
      if (index === -1) {
        await sleep(50);
        continue;
      }
      const t1 = this.ctx.now();
      while (this.ctx.now() - t1 < 2000) {
        const { count, command } = this.nCommitted(index);
        if (count > 0 && count >= expectedServers && command === cmd) return index;
        await sleep(20);
      }
      if (!retry) this.#noAgreement(cmd, index, expectedServers);
    }
    if (!this.finished) this.stalled(`one(${show(cmd)}) failed to reach agreement in 10 s`);
    return -1;
  }

  #noAgreement(cmd: unknown, index: number, expected: number): never {
    const { count, command } = this.nCommitted(index);
    const seen = count === 0 ? 'no server applied it' : `${count} applied ${show(command)}`;
    const elsewhere = this.watch.monitor.indicesOf(cmd, index);
    const hint =
      elsewhere.length === 0 || elsewhere.includes(index)
        ? undefined
        : `[L.2] start() returned index ${index}, but the leader sent ${show(cmd)} at index ` +
          `${elsewhere.join(', ')}: start() returns the index the new entry occupies in the leader's log`;
    this.stalled(
      `one(${show(cmd)}) failed to reach agreement: index ${index} wanted ${expected} servers, ${seen}`,
      hint,
    );
  }
}
