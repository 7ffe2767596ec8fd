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
  readonly #raftState = new StoredBytes();
  readonly #snapshot = new StoredBytes();
  #onSave: ((raftState: Uint8Array, snapshot: Uint8Array | null) => void) | undefined;

  /**
   * Be told of every save from now on (`snapshot` null: saveRaftState, which keeps the snapshot). The
   * test harness's student side uses it to send each save to the tester's own Persister. The arrays it
   * is given are this Persister's own and change at the next save (the buffers are reused, as on every
   * save): copy what you keep.
   */
  watchSaves(onSave: (raftState: Uint8Array, snapshot: Uint8Array | null) => void): void {
    this.#onSave = onSave;
  }

  /** A new Persister with the same contents (shared until either side saves again). */
  copy(): Persister {
    const twin = new Persister();
    twin.#raftState.shareFrom(this.#raftState);
    twin.#snapshot.shareFrom(this.#snapshot);
    return twin;
  }

  saveRaftState(state: Uint8Array): void {
    this.#raftState.save(state);
    if (this.#onSave !== undefined) this.#onSave(this.#raftState.bytes, null);
  }

  /** Save state and snapshot together, atomically: a crash never sees one without the other. */
  saveStateAndSnapshot(state: Uint8Array, snapshot: Uint8Array): void {
    this.#raftState.save(state);
    this.#snapshot.save(snapshot);
    if (this.#onSave !== undefined) this.#onSave(this.#raftState.bytes, this.#snapshot.bytes);
  }

  /** A copy of the raft state; zero-length if nothing was saved (a fresh start). */
  readRaftState(): Uint8Array {
    return this.#raftState.bytes.slice();
  }

  /** A copy of the snapshot; zero-length if there is none. */
  readSnapshot(): Uint8Array {
    return this.#snapshot.bytes.slice();
  }

  raftStateSize(): number {
    return this.#raftState.bytes.length;
  }

  snapshotSize(): number {
    return this.#snapshot.bytes.length;
  }
}

/**
 * One saved byte string, copied into a buffer this object owns. A peer saves its whole state on every
 * change (thousands of times per KV test, tens of kilobytes each), so the buffer is re-used from save to
 * save while it is large enough: a save is one copy, with no allocation for the garbage collector to
 * reclaim. After `shareFrom` two Persisters hold the same buffer, and the next save on either side
 * takes a new one, so a save never changes bytes the other side holds. (The test harness keeps the
 * saves that cross its process boundary in these too: tests/harness/boundary/persist-patch.ts.)
 */
export class StoredBytes {
  #buffer = new Uint8Array(0);
  /** The saved bytes: the start of #buffer. */
  bytes: Uint8Array = this.#buffer;
  #shared = false;

  save(bytes: Uint8Array): void {
    this.room(bytes.length).set(bytes);
  }

  /** Room for `length` bytes, to be written in place (what it held before is gone): `bytes` becomes it. */
  room(length: number): Uint8Array {
    // A buffer far larger than the state (after a snapshot shortened the log) is given back too.
    if (this.#shared || length > this.#buffer.length || length < this.#buffer.length / 4) {
      this.#buffer = new Uint8Array(length + (length >> 1));
      this.#shared = false;
    }
    this.bytes = this.#buffer.subarray(0, length);
    return this.bytes;
  }

  shareFrom(other: StoredBytes): void {
    this.#buffer = other.#buffer;
    this.bytes = other.bytes;
    this.#shared = true;
    other.#shared = true;
  }
}
