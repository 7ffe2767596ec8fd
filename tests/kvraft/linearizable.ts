/**
 * The end of every GenericTest: is the recorded history linearizable? (catalog §7.4, §8)
 *
 * As in Go: porcupine's check of the kv model with a 1 s timeout (real time: the search is CPU work,
 * not simulated waiting). Illegal: the history page is written and the test fails with its path;
 * the page lies beside the run's saved trace as `<trace name>.history.html`, where `npm run viz`
 * finds it and links to it (or in the OS temp folder, as in Go, when the host saves no traces).
 * Unknown (timed out): a warning, and the test passes, as in Go.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkOperations, kvModel, writeVisualization } from '../linearizability';
import type { KvConfig } from './config';
import type { OpLog } from './ops';

/** Go's linearizabilityCheckTimeout. */
export const LINEARIZABILITY_CHECK_TIMEOUT_MS = 1000;

export function checkLinearizable(cfg: KvConfig, log: OpLog, title: string): void {
  const { result, info } = checkOperations(kvModel, log.read(), {
    timeoutMs: LINEARIZABILITY_CHECK_TIMEOUT_MS,
    verbose: true,
  });
  if (result === 'unknown') {
    cfg.ctx.print('info: linearizability check timed out, assuming history is ok');
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
function historyFile(cfg: KvConfig): string {
  const trace = cfg.ctx.tracePath;
  if (trace !== undefined) return trace.replace(/\.jsonl$/, '.history.html');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvraft-'));
  return path.join(dir, 'history.html');
}
