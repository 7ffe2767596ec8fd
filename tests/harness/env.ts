/**
 * The environment variables every host of lab tests honours (jest, stress runner, grader):
 *   LAB_SEED=n                 run with this seed (default: a fresh random seed per test run)
 *   LAB_CHECK_DETERMINISM=1    run each test twice with the same seed; fail if the trace hashes differ
 *   LAB_REALTIME=1             run on real timers instead of the virtual clock (slow, not replayable)
 *   LAB_DEBUG=topics           print debug lines (see debug-log.ts)
 *   LAB_TRACE_DIR=dir          where failure traces go (default .lab/traces)
 *   LAB_WALL_LIMIT_MS=n        real-time limit of one run
 */
import { hasSeededRandom, setRandomSource } from './random-setup';
import { freshSeed, parseSeed } from './seeded-random';

export interface LabEnv {
  seed: number | undefined;
  checkDeterminism: boolean;
  realtime: boolean;
}

function flag(name: string): boolean {
  const value = process.env[name];
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}

export function readLabEnv(): LabEnv {
  const seedText = process.env.LAB_SEED;
  return {
    seed: seedText === undefined || seedText === '' ? undefined : parseSeed(seedText, 'LAB_SEED'),
    checkDeterminism: flag('LAB_CHECK_DETERMINISM'),
    realtime: flag('LAB_REALTIME'),
  };
}

/** A fresh seed, drawn from the unseeded generator (never from a run's seeded one). */
export function newSeed(): number {
  if (hasSeededRandom()) setRandomSource();
  return freshSeed(Math.random);
}
