/** The lab test harness: define tests once, run them in virtual time from jest or any other host. */
export { defineLabTest, DEFAULT_VIRTUAL_LIMIT_MS } from './lab-test';
export type { LabContext, LabTest, LabTestSpec, Part } from './lab-test';
export { runLabTest } from './run';
export { DEFAULT_WALL_LIMIT_MS } from './failure';
export type { RunOptions, RunResult } from './run';
export { Trace, summarize } from './trace';
export type { TraceFields } from './trace';
export { traceNetwork } from './trace-network';
export type { EndpointOf } from './trace-network';
export { formatVirtual, EPOCH_MS } from './driver';
export { readLabEnv, newSeed } from './env';
export { seededRandom, parseSeed } from './seeded-random';
export { formatLogLine, parseDebugTopics } from './debug-log';
export * from './errors';
export { check } from './check';
