/**
 * The end of every GenericTest: is the recorded history linearizable? (catalog §7.4, §8)
 *
 * As in Go, porcupine's check of the kv model, with a budget; Go's is 1 s of real time for all keys,
 * searched in parallel (up to 4 cores at once). Ours is counted in search steps, so that a history gets
 * the same verdict, and the run the same trace, on every machine, loaded or not: at most
 * STEPS_PER_KEY for one key, the steps Go's checker makes in 1 s on one core (porcupine's benchmarks:
 * etcd_002, 1.36 M of our steps, take it 132 ms; etcd_007, 1.01 M, 101 ms: ~10 M steps/s), and at most
 * 4 × that for all keys together, Go's 4 cores for 1 s. Anything Go's check decides, this one decides.
 *
 * Illegal: the history page is written and the test fails with its path; the page lies beside the
 * run's saved trace as `<trace name>.history.html`, where `npm run viz` finds it and links to it (or in
 * the OS temp folder, as in Go, when the host saves no traces). Undecided within the budget: Go's
 * "assuming history is ok", with the keys left undecided, and the test passes (GUIDE, fidelity).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkOperations, kvModel, writeVisualization } from '../linearizability';
import type { Annotation } from '../linearizability';
import type { LabContext } from '../harness';
import type { OpLog } from './ops';

/** Search steps for one key: what Go's checker does in its 1 s on one core. */
export const STEPS_PER_KEY = 10_000_000;
/** Search steps for all keys together: Go's 4 cores for 1 s. */
export const STEPS_IN_ALL = 4 * STEPS_PER_KEY;

/** What the check needs of a test config (the kv one, the shardkv one). */
export interface HistoryHost {
  readonly ctx: LabContext;
  allAnnotations(): Annotation[];
  fail(message: string): never;
}

export function checkLinearizable(cfg: HistoryHost, log: OpLog, title: string): void {
  const { result, info } = checkOperations(kvModel, log.read(), {
    maxSteps: STEPS_PER_KEY,
    maxTotalSteps: STEPS_IN_ALL,
    verbose: true,
  });
  if (result === 'unknown') {
    const undecided = (info?.partitions ?? []).filter((p) => p.verdict === 'unknown').map((p) => p.label);
    cfg.ctx.print(
      `info: linearizability check could not decide within ${STEPS_PER_KEY} steps per key ` +
        `(${STEPS_IN_ALL} in all), undecided: ${undecided.join(', ')}; assuming history is ok`,
    );
    return;
  }
  if (result === 'ok') return;
  const bad = (info?.partitions ?? []).filter((p) => p.verdict === 'illegal').map((p) => p.label);
  const file = historyFile(cfg);
  let where: string;
  try {
    writeVisualization(kvModel, info, file, { annotations: cfg.allAnnotations(), title });
    cfg.ctx.print(`info: wrote history visualization to ${file}`);
    where = `see ${file}`;
  } catch (error) {
    cfg.ctx.print(`info: failed to write history visualization to ${file}`);
    where = `the history page could not be written: ${String(error)}`;
  }
  cfg.fail(
    `history is not linearizable: no order of the ${log.length} operations respects real time and ` +
      `gives every Get the value it returned (${bad.join(', ')}); ${where}`,
  );
}

/** `<trace>.history.html` beside the trace this failing run is about to save, else a temp file. */
function historyFile(cfg: HistoryHost): string {
  const trace = cfg.ctx.tracePath;
  if (trace !== undefined) return trace.replace(/\.jsonl$/, '.history.html');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvraft-'));
  return path.join(dir, 'history.html');
}
