/**
 * `openBoundary(ctx, modules)`: the boundary a config builds its student objects through, in this thread
 * or in a child process (ctx.studentProcess), registered with the driver so that every step exchanges
 * its batches. Closed when the test's deferred cleanup runs.
 */
import { currentDebugSink } from '../../../labrpc';
import type { LabContext } from '../lab-test';
import { seededRandom } from '../seeded-random';
import { studentRandom } from '../student-random';
import { Boundary } from './boundary';
import { InProcessTransport } from './in-process';
import { StudentHost, type StudentModules } from './student-host';
import { StudentTimers } from './student-timers';

/**
 * The seed of the student's own random stream, from the run's seed. The tester draws from the run's seed
 * itself; the two streams never interleave, so a run draws the same numbers in both modes.
 */
export function studentSeed(seed: number): number {
  return (Math.imul(seed ^ 0x2545f491, 0x9e3779b1) >>> 0) % 0x7fff_ffff;
}

/** The student side in this thread: a host whose timers are the student's own (student-timers.ts). */
function inProcess(modules: () => StudentModules, ctx: LabContext, seed: number): InProcessTransport {
  const host: StudentHost = new StudentHost(modules(), (id) => timers.fire(id));
  const timers = new StudentTimers((effect) => host.emit(effect));
  return new InProcessTransport(host, timers, studentRandom(ctx, seededRandom(seed)));
}

export function openBoundary(ctx: LabContext, modules: () => StudentModules): Boundary {
  const runSink = currentDebugSink();
  const seed = studentSeed(ctx.seed);
  const transport = ctx.studentSide?.(seed, (error) => ctx.fail(error)) ?? inProcess(modules, ctx, seed);
  const boundary = new Boundary(transport, () => ctx.now(), {
    debug: (server, topic, msg, group) => runSink?.(server, topic, msg, group),
    crash: (error) => ctx.fail(error),
  });
  ctx.afterEachStep((hop) => boundary.settle(hop));
  return boundary;
}
