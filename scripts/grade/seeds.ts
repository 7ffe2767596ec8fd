/**
 * Seeds for grading runs, derived (not drawn): seed k of a test is a hash of the base seed (--seed), the
 * submission's identity (the hash of its owned files) and the test's title. So the same submission
 * graded again with the same --seed runs the very same seeds and gets the same score, and two
 * submissions do not share a seed sequence unless their code is identical.
 */
import crypto from 'node:crypto';

/** The k-th seed (0-based) of `test` for the submission whose owned files hash to `submissionId`. */
export function runSeed(baseSeed: number, submissionId: string, test: string, k: number): number {
  const digest = crypto.createHash('sha256').update(`${baseSeed}\0${submissionId}\0${test}\0${k}`).digest();
  return 1 + (digest.readUInt32BE(0) % 0x7fff_fffe); // the same range as the harness's fresh seeds
}

export const DEFAULT_BASE_SEED = 6824;
