/**
 * The apply path: the only code that calls applyCh. It delivers each committed command to the service
 * in index order ([All.1]), and in 2D the snapshots a leader installs, awaiting the service before the
 * next message (Go's unbuffered applyCh). The service must never see an index twice or out of order.
 */
// #region SOLUTION 2B
/*
 * One loop per peer delivers, in order, either the pending snapshot or the next committed command, and
 * awaits the service before choosing the next message. Why the service can never go backwards and
 * never sees a snapshot interleaved wrongly with commands, by construction:
 *
 * - The choice is made synchronously from plain state, right before the call: a snapshot is delivered
 *   only if it is ahead of lastApplied (older ones are dropped unseen), and then lastApplied jumps to its
 *   index, so the next command delivered is the one right after it.
 * - InstallSnapshot never calls applyCh itself; it only leaves the snapshot here as `pendingSnapshot`
 *   (a newer one replaces an older one) and wakes the loop. It accepts only snapshots past commitIndex,
 *   so a pending snapshot is always ahead of every command delivered so far.
 * - lastApplied is advanced before the service sees the message, so a `rf.snapshot(i)` made from inside
 *   applyCh sees i <= lastApplied; a service snapshot that a newer installed one has overtaken is ignored.
 *
 *   Invariant: lastApplied <= commitIndex, and every index in (lastApplied, commitIndex] is either in
 *   the log or covered by the pending snapshot.
 */
// #endregion
import type { Raft } from './raft';
import type { ApplyMsg } from './types';
// #region SOLUTION 2B
// SKELETON: import { todo } from './todo';
import { assert } from './errors';
// #endregion

// #region SOLUTION 2B
/** A snapshot waiting for the apply loop to hand it to the service. */
export interface PendingSnapshot {
  data: Uint8Array;
  term: number;
  index: number;
}

/** A one-shot wake-up: `wait()` resolves at the next `notify()`. */
export class Signal {
  #wake: (() => void) | null = null;

  wait(): Promise<void> {
    return new Promise((resolve) => (this.#wake = resolve));
  }

  notify(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }
}
// #endregion

/** Deliver committed commands and installed snapshots to the service until the peer is killed. */
export async function runApplyLoop(rf: Raft): Promise<void> {
  // Your code here (2B, 2D).
  // #region SOLUTION 2B
  // SKELETON: return todo('2B: apply committed entries in order ([All.1])');
  while (!rf.killed()) {
    const msg = nextApplyMsg(rf);
    if (msg === null) {
      await rf.applySignal.wait();
      continue;
    }
    await rf.applyCh(msg);
  }
  // #endregion
}

// #region SOLUTION 2B
/** The next message for the service, with lastApplied already advanced past it; null if none is due. */
function nextApplyMsg(rf: Raft): ApplyMsg | null {
  const pending = rf.pendingSnapshot;
  rf.pendingSnapshot = null;
  if (pending !== null && pending.index > rf.lastApplied) {
    // [IS.8] reset the state machine from the snapshot; the commands it covers are never delivered.
    rf.lastApplied = pending.index;
    return {
      kind: 'snapshot',
      snapshot: pending.data,
      snapshotTerm: pending.term,
      snapshotIndex: pending.index,
    };
  }
  if (rf.lastApplied >= rf.commitIndex) return null;
  // [All.1] commitIndex > lastApplied: increment lastApplied, apply log[lastApplied] (§5.3)
  rf.lastApplied += 1;
  assert(
    rf.lastApplied > rf.log.firstIndex,
    () => `S${rf.me} must apply ${rf.lastApplied}, covered by a snapshot`,
  );
  const { command, config } = rf.log.entry(rf.lastApplied);
  if (config !== undefined) return { kind: 'config', config, configIndex: rf.lastApplied }; // 2E
  return { kind: 'command', command, commandIndex: rf.lastApplied };
}
// #endregion
