/**
 * Persister: what a Raft peer keeps across a crash. Two byte strings, the raft state and the snapshot,
 * each stored and returned as a private copy, so that nothing a peer does to its own arrays after a save
 * can change what was saved.
 *
 * `copy()` returns a new Persister holding the same bytes. The test configs rely on this on crash and
 * restart: a killed peer that still writes, writes into a Persister nobody reads any more, and the next
 * peer sees exactly what was saved before the crash (catalog §3).
 */
export class Persister {
  #raftState: Uint8Array = new Uint8Array(0);
  #snapshot: Uint8Array = new Uint8Array(0);

  /** A new Persister with the same contents. Saves never modify stored arrays, so sharing them is safe. */
  copy(): Persister {
    const twin = new Persister();
    twin.#raftState = this.#raftState;
    twin.#snapshot = this.#snapshot;
    return twin;
  }

  saveRaftState(state: Uint8Array): void {
    this.#raftState = state.slice();
  }

  /** Save state and snapshot together, atomically: a crash never sees one without the other. */
  saveStateAndSnapshot(state: Uint8Array, snapshot: Uint8Array): void {
    this.#raftState = state.slice();
    this.#snapshot = snapshot.slice();
  }

  /** A copy of the raft state; zero-length if nothing was saved (a fresh start). */
  readRaftState(): Uint8Array {
    return this.#raftState.slice();
  }

  /** A copy of the snapshot; zero-length if there is none. */
  readSnapshot(): Uint8Array {
    return this.#snapshot.slice();
  }

  raftStateSize(): number {
    return this.#raftState.length;
  }

  snapshotSize(): number {
    return this.#snapshot.length;
  }
}
