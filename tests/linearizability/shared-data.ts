/**
 * Access to the shared validation histories (Jepsen etcd and 6.824 kv logs with known verdicts), which
 * live outside this repository at `<repo>/../shared/linearizability` and must never be committed here.
 *
 * `sharedHistoryDir()` is that folder if it exists (CI has it), else undefined, so callers can skip
 * with a clear message. `readManifest` reads MANIFEST.json: one entry per file with its expected verdict.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { HistoryFormatError } from './errors';

export interface ManifestEntry {
  /** Path relative to the shared folder, e.g. `jepsen/etcd_000.log`. */
  readonly file: string;
  readonly model: string;
  readonly expected: 'ok' | 'illegal';
  readonly ops: number;
}

const repoRoot = resolve(__dirname, '..', '..');

export const SHARED_HISTORY_DIR = resolve(repoRoot, '../shared/linearizability');

export function sharedHistoryDir(): string | undefined {
  return existsSync(join(SHARED_HISTORY_DIR, 'MANIFEST.json')) ? SHARED_HISTORY_DIR : undefined;
}

export function readManifest(dir: string): ManifestEntry[] {
  const raw: unknown = JSON.parse(readFileSync(join(dir, 'MANIFEST.json'), 'utf8'));
  if (!Array.isArray(raw))
    throw new HistoryFormatError('MANIFEST.json', 'top level', 'expected an array of entries');
  return raw.map((entry: unknown, i) => {
    const e = entry as Partial<ManifestEntry>;
    if (typeof e.file !== 'string' || (e.expected !== 'ok' && e.expected !== 'illegal')) {
      throw new HistoryFormatError(
        'MANIFEST.json',
        `[${i}]`,
        'expected { "file": string, "expected": "ok" | "illegal", ... }',
      );
    }
    return { file: e.file, model: String(e.model), expected: e.expected, ops: Number(e.ops) };
  });
}
