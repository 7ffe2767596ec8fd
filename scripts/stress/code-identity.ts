/**
 * Which code a stress run tested, for its header and its --json: the git commit, and whether the lab
 * folders had uncommitted changes when the run started (the runs bundle the code once, then). Chained
 * runs over a tree that changes between them are otherwise impossible to tell apart afterwards.
 */
import { spawnSync } from 'node:child_process';

const LAB_FOLDERS = ['raft', 'kvraft', 'shardctrler', 'shardkv'];

export interface CodeIdentity {
  /** The commit, short; null outside a git repository. */
  commit: string | null;
  /** The lab files with uncommitted changes (relative paths), at most a few. */
  changed: string[];
}

function git(args: string[], cwd: string): string | null {
  const out = spawnSync('git', args, { cwd, encoding: 'utf8' });
  return out.status === 0 ? out.stdout.trim() : null;
}

export function codeIdentity(root: string = process.cwd()): CodeIdentity {
  const commit = git(['rev-parse', '--short', 'HEAD'], root);
  if (commit === null) return { commit: null, changed: [] };
  const status = git(['status', '--porcelain', '--', ...LAB_FOLDERS], root) ?? '';
  const changed = status
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => line.slice(3));
  return { commit, changed };
}

/** "commit 1a2b3c4", "commit 1a2b3c4 + uncommitted changes (raft/raft.ts, …)", or "not a git repository". */
export function describeCode(code: CodeIdentity): string {
  if (code.commit === null) return 'code: not a git repository';
  if (code.changed.length === 0) return `code: commit ${code.commit}`;
  const shown = code.changed.slice(0, 3).join(', ') + (code.changed.length > 3 ? ', …' : '');
  return `code: commit ${code.commit} + uncommitted changes (${shown})`;
}
