/**
 * The two channels between the tester and the child that holds the code under test: named pipes (FIFOs),
 * made fresh for each child and unlinked as soon as both ends are open, so that only the two processes
 * hold them.
 *
 * Why not the pipes `spawn` makes: with a FIFO the tester has the file descriptor of its end, through
 * public API, and writes each batch with one direct `write` instead of through a stream. With both
 * sides on one core (affinity.ts), that made a 3A test in a child about a sixth faster
 * (`npm run bench -- boundary`).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const { O_RDONLY, O_WRONLY, O_NONBLOCK } = fs.constants;

/** The child's file descriptor for its effects (its batches come on fd 0). */
export const EFFECTS_FD = 3;

/** Both channels: the tester's two ends, and the two the child is given. */
export interface Channels {
  /** The tester writes batches here (non-blocking: what does not fit at once goes through a stream). */
  toChild: number;
  /** The tester reads effects here (non-blocking, through a stream). */
  fromChild: number;
  /** The child's fd 0 (batches) and fd 3 (effects), both blocking. The tester closes these once spawned. */
  forChild: [batches: number, effects: number];
}

/**
 * Make and open both FIFOs. The order of the opens matters: a FIFO opened blocking waits for its other
 * end, so each blocking end is opened only once the other end is open. The tester keeps no writer of the
 * effects and no reader of the batches, so each side sees the other go (a read of 0 bytes, a failed
 * write).
 */
export function openChannels(): Channels {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'raftlab-channel-'));
  try {
    const batches = path.join(dir, 'batches');
    const effects = path.join(dir, 'effects');
    execFileSync('mkfifo', ['-m', '600', batches, effects], { stdio: 'ignore' });
    // A reader for a moment, so that the tester's non-blocking writer can open.
    const keepOpen = fs.openSync(batches, O_RDONLY | O_NONBLOCK);
    const toChild = fs.openSync(batches, O_WRONLY | O_NONBLOCK);
    const batchesForChild = fs.openSync(batches, O_RDONLY);
    fs.closeSync(keepOpen);
    const fromChild = fs.openSync(effects, O_RDONLY | O_NONBLOCK);
    const effectsForChild = fs.openSync(effects, O_WRONLY);
    return { toChild, fromChild, forChild: [batchesForChild, effectsForChild] };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
