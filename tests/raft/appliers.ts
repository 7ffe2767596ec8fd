/**
 * The tester's side of each server's apply channel (6.824 config.go's `applier` and `applierSnap`).
 *
 * - `applier`: for tests without snapshots. Every command is checked against what the other servers
 *   applied at that index, and must follow the server's previous one.
 * - `applierSnap` (2022 edition): commands must arrive exactly at lastApplied+1; every 10th index
 *   (9, 19, 29, …) the tester hands the peer a snapshot of everything applied so far, synchronously,
 *   from inside the apply call; snapshot messages replace the tester's record of the server.
 *
 * Go's applier ends the whole test process on an apply error (log.Fatalf). Here it fails the run at
 * once through ctx.fail, with the server, index, term and virtual time, and ignores later messages.
 *
 * A message sent from inside the Raft constructor fails too: Go's tester starts reading applyCh only
 * once Make has returned, so such a send deadlocks a Go test.
 */
import type { ApplyMsg } from '../../raft';
import { LabCheckFailure, summarize, type LabContext } from '../harness';
import type { CommittedLogs } from './committed-log';
import { configValue, type ConfigHistory } from './config-history';

/** The tester snapshots whenever (CommandIndex+1) % SnapShotInterval == 0 (catalog §5.1). */
export const SNAPSHOT_INTERVAL = 10;

export interface ApplierHost {
  readonly ctx: LabContext;
  readonly committed: CommittedLogs;
  /** The committed configurations (2E), checked as they are applied. */
  readonly configs: ConfigHistory;
  /** "12.345s": the virtual time, for messages. */
  at(): string;
  /** Beyond Go: see Checks.scenario and Checks.snapshotsMustAdvance. */
  readonly scenario: string;
  readonly snapshotsMustAdvance: boolean;
  /** The invariant monitor hears every applied command first (it may know why it is wrong). */
  readonly watch: { readonly monitor: { applied(i: number, index: number, command: unknown): void } };
}

/** What an applier needs of its peer: to hand it a snapshot (2D), and its term for messages. */
export interface AppliedPeer {
  snapshot(index: number, snapshot: Uint8Array): void;
  lastState(): { term: number } | null;
}

/** The tester's end of one peer's apply channel: one message, checked at once. */
export type Applier = (msg: ApplyMsg) => void;

/** The plain applier: check each command against the others and against the server's own order. */
export function applier(host: ApplierHost, i: number, raft: () => AppliedPeer | undefined): Applier {
  let failed = false;
  return (msg: ApplyMsg) => {
    if (failed) return;
    if (raft() === undefined) {
      failed = duringConstructor(host, i, msg);
      return;
    }
    if (msg.kind === 'snapshot') return;
    record(host, i, msg);
    const { index, value } = applied(msg);
    let error = host.committed.record(i, index, value);
    if (error === null && msg.kind === 'config') error = host.configs.record(index, msg.config);
    if (error !== null) failed = fail(host, i, raft(), msg, error);
  };
}

/** The snapshot applier. `raft()` returns the Raft this channel belongs to (it exists once Make returns). */
export function applierSnap(host: ApplierHost, i: number, raft: () => AppliedPeer | undefined): Applier {
  let failed = false;
  return (msg: ApplyMsg) => {
    const rf = raft();
    if (failed) return;
    if (rf === undefined) {
      failed = duringConstructor(host, i, msg);
      return;
    }
    record(host, i, msg);
    let error: string | null;
    if (msg.kind === 'snapshot') {
      error = staleSnapshot(host, i, msg.snapshotIndex);
      error ??= host.committed.ingestSnapshot(i, msg.snapshot, msg.snapshotIndex);
    } else if (applied(msg).index !== host.committed.lastApplied[i] + 1) {
      const expected = host.committed.lastApplied[i] + 1;
      error = `server ${i} apply out of order, expected index ${expected}, got ${applied(msg).index}`;
    } else {
      const { index, value } = applied(msg);
      error = host.committed.record(i, index, value);
      if (error === null && msg.kind === 'config') error = host.configs.record(index, msg.config);
      host.committed.lastApplied[i] = index;
      if (error === null && (index + 1) % SNAPSHOT_INTERVAL === 0) {
        rf.snapshot(index, host.committed.snapshotOf(i, index));
      }
    }
    if (error !== null) failed = fail(host, i, rf, msg, error);
  };
}

/** Beyond Go (only with snapshotsMustAdvance): a snapshot behind what the server applied is an error. */
function staleSnapshot(host: ApplierHost, i: number, index: number): string | null {
  const applied = host.committed.lastApplied[i];
  if (!host.snapshotsMustAdvance || index >= applied) return null;
  return (
    `server ${i} got a snapshot at index ${index} after applying up to index ${applied}: it takes the ` +
    `service back in time. [IS.6] a snapshot whose last entry the log already holds changes nothing ` +
    `(Figure 13: keep the log and reply); hand the service only snapshots past lastApplied`
  );
}

/**
 * Where a command or (2E) configuration message applies, and what the tester records there: the command,
 * or the configuration as a string ("config {0,1,2}->{2,3,4}"), so that servers must agree on it too.
 */
function applied(msg: Exclude<ApplyMsg, { kind: 'snapshot' }>): { index: number; value: unknown } {
  if (msg.kind === 'command') return { index: msg.commandIndex, value: msg.command };
  return { index: msg.configIndex, value: configValue(msg.config) };
}

function record(host: ApplierHost, i: number, msg: ApplyMsg): void {
  if (msg.kind === 'command') {
    host.watch.monitor.applied(i, msg.commandIndex, msg.command);
    host.ctx.trace.record('apply', { server: i, index: msg.commandIndex, command: summarize(msg.command) });
  } else if (msg.kind === 'config') {
    host.ctx.trace.record('apply', { server: i, index: msg.configIndex, config: configValue(msg.config) });
  } else {
    host.ctx.trace.record('apply', { server: i, index: msg.snapshotIndex, snapshotTerm: msg.snapshotTerm });
  }
}

function describeMsg(msg: ApplyMsg): string {
  if (msg.kind === 'config') return `configuration index ${msg.configIndex}`;
  return msg.kind === 'command' ? `command index ${msg.commandIndex}` : `snapshot index ${msg.snapshotIndex}`;
}

function duringConstructor(host: ApplierHost, i: number, msg: ApplyMsg): true {
  host.ctx.fail(
    new LabCheckFailure(
      `apply error: S${i} called applyCh (${describeMsg(msg)}) from inside the Raft constructor, at ` +
        `${host.at()}. The constructor must return first (in Go this send deadlocks the test): deliver ` +
        'committed entries and a restored snapshot from the loop or timer the constructor starts, not ' +
        'from the constructor itself.',
    ),
  );
  return true;
}

function fail(host: ApplierHost, i: number, rf: AppliedPeer | undefined, msg: ApplyMsg, error: string): true {
  const what = describeMsg(msg);
  let term = '';
  try {
    const state = rf?.lastState();
    if (state != null) term = ` in T${state.term}`;
  } catch {
    // it has not reported a term yet
  }
  const scenario = host.scenario === '' ? '' : ` — ${host.scenario}`;
  host.ctx.fail(
    new LabCheckFailure(`apply error: ${error} (S${i} applying ${what}${term}, at ${host.at()})${scenario}`),
  );
  return true;
}
