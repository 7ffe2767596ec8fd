/**
 * A peer's timers: the randomized election timeout (a follower that hears from no leader in time starts
 * an election) and the leader's heartbeats. Use the global setTimeout/setInterval, which the tests run
 * in virtual time, and a seeded random number (randomInt from labrpc, or lodash's random) for the
 * timeout; kill() must stop every timer, so a dead peer stays quiet.
 */
// #region SOLUTION 2A
/*
 * Besides those two, a short delay batches the start() calls of one moment into one round of
 * AppendEntries.
 */
// #endregion
import { randomInt } from '../labrpc';
import type { Raft } from './raft';
// #region SOLUTION 2A
// SKELETON: import { todo } from './todo';
import { replicateAll } from './append-entries';
// #endregion

// #region SOLUTION 2A
/** At most 10 heartbeats per second per follower (lab rule; TestCount2B allows 20/s for two followers). */
export const HEARTBEAT_MS = 100;
/**
 * Election timeouts drawn from [300, 600) ms: well above the heartbeat, so a lost heartbeat or two does
 * not start an election, and spread wide enough that split votes are rare; several rounds still fit in
 * the 5 s within which the tests expect a new leader (checkOneLeader waits up to ~5.5 s).
 */
export const ELECTION_TIMEOUT_MIN_MS = 300;
export const ELECTION_TIMEOUT_SPREAD_MS = 300;
// #endregion

export class PeerTimers {
  readonly #rf: Raft;
  // Your data here (2A): the handles of your timers, to clear them.
  // #region SOLUTION 2A
  #election: ReturnType<typeof setTimeout> | null = null;
  #heartbeat: ReturnType<typeof setInterval> | null = null;
  #replicate: ReturnType<typeof setTimeout> | null = null;
  // #endregion

  constructor(rf: Raft) {
    this.#rf = rf;
  }

  /**
   * [F.2] (Re)start the election timeout with a fresh random duration; when it fires, the peer starts an
   * election. Call it at start, on granting a vote and on hearing from the current leader.
   */
  resetElection(): void {
    // Your code here (2A).
    // #region SOLUTION 2A
    // SKELETON: void this.#rf;
    // SKELETON: todo('2A: resetElection (timers.ts): clear the election timer and set a new one with a random timeout; when it fires, start an election');
    this.stopElection();
    const timeout = ELECTION_TIMEOUT_MIN_MS + randomInt(ELECTION_TIMEOUT_SPREAD_MS);
    this.#election = setTimeout(() => {
      this.#election = null;
      if (!this.#rf.killed()) this.#rf.becomeCandidate('election timeout');
    }, timeout);
    // #endregion
  }

  /** Stop the election timeout (a leader does not need one). */
  stopElection(): void {
    // Your code here (2A).
    // #region SOLUTION 2A
    // SKELETON: todo('2A: stopElection (timers.ts): clear the election timer');
    if (this.#election !== null) clearTimeout(this.#election);
    this.#election = null;
    // #endregion
  }

  /** [L.1] A new leader sends heartbeats every 100 ms (at most 10 a second, the lab's rule). */
  startHeartbeats(): void {
    // Your code here (2A).
    // #region SOLUTION 2A
    // SKELETON: todo('2A: startHeartbeats (timers.ts): send AppendEntries to every peer every 100 ms while leader');
    this.stopHeartbeats();
    this.#heartbeat = setInterval(() => replicateAll(this.#rf), HEARTBEAT_MS);
    // #endregion
  }

  /** A leader that steps down stops its heartbeats. */
  stopHeartbeats(): void {
    // Your code here (2A).
    // #region SOLUTION 2A
    // SKELETON: todo('2A: stopHeartbeats (timers.ts): clear the heartbeat interval');
    if (this.#heartbeat !== null) clearInterval(this.#heartbeat);
    this.#heartbeat = null;
    if (this.#replicate !== null) clearTimeout(this.#replicate);
    this.#replicate = null;
    // #endregion
  }

  /** kill(): stop every timer, so that a dead peer stays quiet. */
  stopAll(): void {
    // Your code here (2A).
    // #region SOLUTION 2A
    // SKELETON: todo('2A: stopAll (timers.ts): clear every timer and interval (kill() calls this)');
    this.stopElection();
    this.stopHeartbeats();
    // #endregion
  }

  // #region SOLUTION 2A
  /** Start the election timeout unless it is already running (a leader stepping down). */
  ensureElection(): void {
    if (this.#election === null) this.resetElection();
  }

  /** Replicate on the next tick, once for all the start() calls made until then. */
  replicateSoon(): void {
    if (this.#replicate !== null) return;
    this.#replicate = setTimeout(() => {
      this.#replicate = null;
      replicateAll(this.#rf);
    }, 0);
  }
  // #endregion
}
