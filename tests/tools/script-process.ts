/**
 * A tool's script run as its own process, for the tools' end-to-end tests (stress, mutants):
 * `runScript('scripts/stress.ts', args)` spawns it from the project root and returns its exit status
 * and output, as a user sees them. It starts the script with the command of the npm script that runs it
 * (package.json: `node --require tsx/cjs scripts/stress.ts`), without npm in front, so a script that
 * `npm run` could not start fails its tests; a script no npm script runs starts the same way.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/** The node arguments before the script's own: those of the npm script that runs it. */
function startOf(script: string): string[] {
  const { scripts } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const command = Object.values(scripts).find((line) => line.endsWith(` ${script}`));
  const words = (command ?? `node --require tsx/cjs ${script}`).split(/\s+/);
  if (words[0] !== 'node')
    throw new Error(`runScript: the npm script for ${script} does not start with node`);
  return words.slice(1);
}

export interface ScriptRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function runScript(script: string, args: readonly string[]): ScriptRun {
  const child = spawnSync(process.execPath, [...startOf(script), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    timeout: 120_000, // a tool that never ends fails its test (status null) instead of stalling the suite
  });
  return { status: child.status, stdout: child.stdout, stderr: child.stderr };
}
