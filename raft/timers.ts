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
  // Your code here (2A).
  // #region SOLUTION 2A
  readonly #rf: Raft;
  #election: ReturnType<typeof setTimeout> | null = null;
  #heartbeat: ReturnType<typeof setInterval> | null = null;
  #replicate: ReturnType<typeof setTimeout> | null = null;

  constructor(rf: Raft) {
    this.#rf = rf;
  }

  /** [F.2] restart the election timeout with a fresh random duration. */
  resetElection(): void {
    this.stopElection();
    const timeout = ELECTION_TIMEOUT_MIN_MS + randomInt(ELECTION_TIMEOUT_SPREAD_MS);
    this.#election = setTimeout(() => {
      this.#election = null;
      if (!this.#rf.killed()) this.#rf.becomeCandidate('election timeout');
    }, timeout);
  }

  /** Start the election timeout unless it is already running (a leader stepping down). */
  ensureElection(): void {
    if (this.#election === null) this.resetElection();
  }

  stopElection(): void {
    if (this.#election !== null) clearTimeout(this.#election);
    this.#election = null;
  }

  startHeartbeats(): void {
    this.stopHeartbeats();
    this.#heartbeat = setInterval(() => replicateAll(this.#rf), HEARTBEAT_MS);
  }

  stopHeartbeats(): void {
    if (this.#heartbeat !== null) clearInterval(this.#heartbeat);
    this.#heartbeat = null;
    if (this.#replicate !== null) clearTimeout(this.#replicate);
    this.#replicate = null;
  }

  /** Replicate on the next tick, once for all the start() calls made until then. */
  replicateSoon(): void {
    if (this.#replicate !== null) return;
    this.#replicate = setTimeout(() => {
      this.#replicate = null;
      replicateAll(this.#rf);
    }, 0);
  }

  stopAll(): void {
    this.stopElection();
    this.stopHeartbeats();
  }
  // #endregion
}
