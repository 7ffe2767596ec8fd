/**
 * A Persister on disk, for peers that run as real processes and may be SIGKILLed at any instant.
 *
 * Raft state and snapshot live together in one file, so a save of both is atomic by construction:
 *
 *   <dir>/raft.bin   "RLP1" | u32 state length | u32 snapshot length | state bytes | snapshot bytes
 *
 * Every save writes the whole file to `raft.bin.tmp`, fsyncs it, renames it over `raft.bin` (an atomic
 * replace on POSIX file systems) and fsyncs the folder so the rename itself is durable. A kill before
 * the rename leaves the previous file whole; a kill after it leaves the new one. The lengths in the
 * header must add up to the file's size, so a file cut short by some other accident is refused with a
 * clear error instead of being read as a shorter log.
 *
 * Saves are synchronous, as Raft expects (it persists before it answers an RPC). Reads come from the
 * copy kept in memory, loaded from the file once, when the persister is created.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Persister } from '../labrpc';

const MAGIC = 'RLP1';
const HEADER_BYTES = 12;
export const STATE_FILE = 'raft.bin';

export class PersisterFileError extends Error {
  override name = 'PersisterFileError';
}

export class FilePersister extends Persister {
  readonly dir: string;
  readonly file: string;
  #state: Uint8Array;
  #snapshot: Uint8Array;
  /** Completed saves, for status lines. */
  saves = 0;

  /** Open (creating if needed) the folder `dir`, and read what an earlier process saved there. */
  constructor(dir: string) {
    super();
    this.dir = dir;
    this.file = path.join(dir, STATE_FILE);
    fs.mkdirSync(dir, { recursive: true });
    fs.rmSync(`${this.file}.tmp`, { force: true }); // a save that a kill interrupted: never renamed, so never valid
    const loaded = fs.existsSync(this.file) ? readStateFile(this.file) : null;
    this.#state = loaded?.state ?? new Uint8Array(0);
    this.#snapshot = loaded?.snapshot ?? new Uint8Array(0);
  }

  /** An in-memory Persister with the same contents (labrpc's copy(); the cluster itself never needs it). */
  override copy(): Persister {
    const twin = new Persister();
    twin.saveStateAndSnapshot(this.#state, this.#snapshot);
    return twin;
  }

  override saveRaftState(state: Uint8Array): void {
    this.#write(state.slice(), this.#snapshot);
  }

  override saveStateAndSnapshot(state: Uint8Array, snapshot: Uint8Array): void {
    this.#write(state.slice(), snapshot.slice());
  }

  override readRaftState(): Uint8Array {
    return this.#state.slice();
  }

  override readSnapshot(): Uint8Array {
    return this.#snapshot.slice();
  }

  override raftStateSize(): number {
    return this.#state.length;
  }

  override snapshotSize(): number {
    return this.#snapshot.length;
  }

  #write(state: Uint8Array, snapshot: Uint8Array): void {
    writeStateFile(this.file, state, snapshot);
    this.#state = state;
    this.#snapshot = snapshot;
    this.saves += 1;
  }
}

/** Write state and snapshot to `file` atomically and durably (write, fsync, rename, fsync the folder). */
export function writeStateFile(file: string, state: Uint8Array, snapshot: Uint8Array): void {
  const header = Buffer.alloc(HEADER_BYTES);
  header.write(MAGIC, 0, 'latin1');
  header.writeUInt32LE(state.length, 4);
  header.writeUInt32LE(snapshot.length, 8);
  const tmp = `${file}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, header);
    fs.writeSync(fd, state);
    fs.writeSync(fd, snapshot);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  const dirFd = fs.openSync(path.dirname(file), 'r');
  try {
    fs.fsyncSync(dirFd);
  } finally {
    fs.closeSync(dirFd);
  }
}

/** Read a file written by writeStateFile; a clear error if it is not one. */
export function readStateFile(file: string): { state: Uint8Array; snapshot: Uint8Array } {
  const bytes = fs.readFileSync(file);
  const problem = (what: string): PersisterFileError =>
    new PersisterFileError(
      `${file} ${what}; it is not a raft state saved by the cluster (delete the data folder to start afresh)`,
    );
  if (bytes.length < HEADER_BYTES || bytes.toString('latin1', 0, 4) !== MAGIC) {
    throw problem(`does not start with the "${MAGIC}" header`);
  }
  const stateLength = bytes.readUInt32LE(4);
  const snapshotLength = bytes.readUInt32LE(8);
  if (HEADER_BYTES + stateLength + snapshotLength !== bytes.length) {
    throw problem(
      `has ${bytes.length} bytes but its header announces ${HEADER_BYTES + stateLength + snapshotLength}`,
    );
  }
  const state = new Uint8Array(bytes.subarray(HEADER_BYTES, HEADER_BYTES + stateLength));
  const snapshot = new Uint8Array(bytes.subarray(HEADER_BYTES + stateLength));
  return { state, snapshot };
}
