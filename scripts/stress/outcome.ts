/**
 * From an isolated run's outcome to a RunOutcome: the replay commands (jest's, with the harness's own
 * replayCommand, and the stress runner's), and the determinism check that compares the trace hashes of
 * two runs of the same seed.
 */
import path from 'node:path';
import { replayCommand } from '../../tests/harness/jest-lab-run';
import type { IsolatedOutcome } from '../../tests/harness/worker';
import type { RunOutcome, RunSpec } from './types';

export interface ReplayFlags {
  readonly realtime: boolean;
  readonly checkDeterminism: boolean;
  /** Set when tests were found outside the default place (--tests): the replay must say where. */
  readonly testsGiven: boolean;
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

export function replayCommands(spec: RunSpec, flags: ReplayFlags): { jest?: string; stress: string } {
  const env = flags.realtime ? ['LAB_REALTIME=1'] : flags.checkDeterminism ? ['LAB_CHECK_DETERMINISM=1'] : [];
  const jest =
    spec.test.jestFile === undefined
      ? undefined
      : replayCommand(spec.seed, spec.test.jestFile, spec.test.name, env);
  const stress = ['npm run stress --', shellQuote(spec.test.name), '-n 1 --seed', String(spec.seed)];
  if (flags.testsGiven) stress.push('--tests', path.relative(process.cwd(), spec.test.moduleFile));
  if (flags.realtime) stress.push('--realtime');
  if (flags.checkDeterminism) stress.push('--check-determinism');
  return { jest, stress: stress.join(' ') };
}

export function toOutcome(spec: RunSpec, result: IsolatedOutcome, flags: ReplayFlags): RunOutcome {
  const replay = replayCommands(spec, flags);
  return {
    test: spec.test.name,
    part: spec.test.part,
    seed: spec.seed,
    passed: result.passed,
    verdict: result.verdict,
    hung: result.verdict === 'hung',
    error: result.message,
    virtualMs: result.virtualMs,
    wallMs: result.wallMs,
    cpuMs: result.cpuMs,
    traceHash: result.traceHash,
    traceFile: result.traceFile,
    logFile: result.logFile,
    replayJest: replay.jest,
    replayStress: replay.stress,
  };
}

/** The second run of a seed under --check-determinism: it fails the pair if the traces differ. */
export function compareRuns(first: RunOutcome, second: RunOutcome): RunOutcome {
  if (!first.passed && first.traceHash === '') return first; // hung or crashed: nothing to compare
  if (second.traceHash === first.traceHash) return first.passed ? second : first;
  const error =
    `NondeterminismError: seed ${first.seed} gave two different traces (${first.traceHash.slice(0, 12)} then ` +
    `${second.traceHash.slice(0, 12)}). Something outside the seed and the virtual clock influences the run: ` +
    'real I/O, crypto randomness, a captured Math.random, or state kept between runs.';
  return { ...second, passed: false, verdict: 'fail', error };
}
