/**
 * A tool's script run as its own process, for the tools' end-to-end tests (stress, mutants):
 * `runScript('scripts/stress.ts', args)` spawns it from the project root and returns its exit status
 * and output, as a user sees them.
 *
 * Two ways to start it:
 * - `loader: 'cjs'` (the default): `node --require tsx/cjs <script>`. The scripts are CommonJS, so tsx's
 *   CommonJS hook alone loads them, in the same process; the `tsx` command would first start a node
 *   process of its own and then one with both of tsx's loaders, about 1 s of CPU more per spawn.
 * - `loader: 'tsx'`: the `tsx` command, exactly as `npm run <tool>` starts it (package.json). Each tool's
 *   tests keep one case this way, so a script that only the command cannot start still fails a test.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const TSX_CLI = require.resolve('tsx/cli');

export interface ScriptRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function runScript(script: string, args: readonly string[], loader: 'cjs' | 'tsx' = 'cjs'): ScriptRun {
  const start = loader === 'cjs' ? ['--require', 'tsx/cjs', script] : [TSX_CLI, script];
  const child = spawnSync(process.execPath, [...start, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    timeout: 120_000, // a tool that never ends fails its test (status null) instead of stalling the suite
  });
  return { status: child.status, stdout: child.stdout, stderr: child.stderr };
}
