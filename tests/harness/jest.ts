/**
 * Jest host for lab tests: `registerWithJest(tests)` in a `*.test.ts` file declares one jest test per
 * lab test, named by its printed title, so `npm test -- 2B -t "basic agreement"` selects as expected.
 * Each passing run prints one line with its seed and trace hash; a failing run fails the jest test with
 * the seed, the virtual time, the trace file and the replay command.
 */
import path from 'node:path';
import { readLabEnv, newSeed } from './env';
import { NondeterminismError } from './errors';
import type { LabTest } from './lab-test';
import { runLabTest, type RunResult } from './run';

/** Escape a title for jest's -t (a regular expression), and quote it for a POSIX shell. */
function titlePattern(name: string): string {
  const regex = `^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;
  return `'${regex.replace(/'/g, `'\\''`)}'`;
}

export function replayCommand(seed: number, testPath: string, name: string, env: string[] = []): string {
  const file = path.relative(process.cwd(), testPath) || testPath;
  return [...env, `LAB_SEED=${seed}`, 'npm test --', file, '-t', titlePattern(name)].join(' ');
}

function currentTestPath(): string {
  return expect.getState().testPath ?? 'tests';
}

async function runOnce(test: LabTest, seed: number, extraEnv: string[]): Promise<RunResult> {
  const env = readLabEnv();
  const replay = replayCommand(seed, currentTestPath(), test.name, extraEnv);
  return runLabTest(test, { seed, replay, realtime: env.realtime });
}

export function registerWithJest(tests: readonly LabTest[]): void {
  for (const test of tests) {
    it(test.name, async () => {
      const env = readLabEnv();
      const seed = env.seed ?? newSeed();
      const first = await runOnce(test, seed, env.realtime ? ['LAB_REALTIME=1'] : []);
      if (first.error) throw first.error;
      if (env.checkDeterminism && !env.realtime) {
        const second = await runOnce(test, seed, ['LAB_CHECK_DETERMINISM=1']);
        if (second.error) throw second.error;
        if (second.traceHash !== first.traceHash) {
          throw new NondeterminismError(
            `${test.name}: seed ${seed} gave two different traces (${first.traceHash.slice(0, 12)} then ` +
              `${second.traceHash.slice(0, 12)}). Something outside the seed and the virtual clock influences ` +
              `the run: real I/O, crypto randomness, a captured Math.random, or state kept between runs.\n` +
              `  replay: ${replayCommand(seed, currentTestPath(), test.name, ['LAB_CHECK_DETERMINISM=1'])}`,
          );
        }
      }
      process.stdout.write(
        `  [seed ${seed} · ${(first.virtualMs / 1000).toFixed(1)} s virtual · ${(first.cpuMs / 1000).toFixed(2)} s CPU · trace ${first.traceHash.slice(0, 16)}]\n`,
      );
    });
  }
}
