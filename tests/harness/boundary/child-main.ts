/**
 * The child process that holds the code under test (child.ts starts it, inside the grader's sandbox):
 * built into one bundle with the student's modules of its own project (bundle.ts, buildBoundaryChild),
 * it runs the tester's batches as they come on stdin — each at the virtual time it names — and answers
 * each with its effects on fd 3.
 *
 * Nothing here decides when anything happens. Date and performance read the tester's virtual time
 * (fake-timers, moved to the batch's time); the student's timers are kept here only as callbacks, while
 * their stand-ins on the tester's clock decide when each fires; Math.random is the student's own seeded
 * stream, the same one the student draws from in `npm test`.
 */
import '../random-setup'; // first: Math.random is locked before any other module keeps a reference
import './child-prologue'; // then: real timers kept from load time fail the run, as in npm test
import fs from 'node:fs';
// The child replaces these modules' timers with its stand-ins, so that the code under test cannot escape
// the tester's clock through them.
// eslint-disable-next-line no-restricted-imports
import timers from 'node:timers';
// eslint-disable-next-line no-restricted-imports
import timersPromises from 'node:timers/promises';
import FakeTimers from '@sinonjs/fake-timers';
import { setRandomSource } from '../random-setup';
import { seededRandom } from '../seeded-random';
import { EPOCH_MS } from '../driver';
import { TIMER_FUNCTIONS, callSite, realTimers, setTripwireListener } from '../real-timers';
import { FrameReader, frame } from './frames';
import type { Command } from './protocol';
import { StudentHost, describeThrown, type StudentModules } from './student-host';
import { StudentTimers } from './student-timers';
import { PersistPatcher } from './persist-patch';
import { EFFECTS_FD } from './channels';
import { pinThread } from './affinity';

const BATCHES_FD = 0;

// The real setImmediate, as real-timers.ts kept it before the tripwires (child-prologue.ts) went in.
const hop = (): Promise<void> => new Promise((resolve) => realTimers.setImmediate(resolve));

/** The timer functions `target` has now (those of its own, by name). */
function timerFunctions(target: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    TIMER_FUNCTIONS.filter((name) => name in target).map((name) => [name, target[name]]),
  );
}

/** `modules`, each read through `under` (which loads the module the first time). */
function loadedUnder(modules: StudentModules, under: <T>(load: () => T) => T): StudentModules {
  const wrapped: Record<string, unknown> = {};
  for (const key of Object.keys(modules) as (keyof StudentModules)[]) {
    Object.defineProperty(wrapped, key, { get: () => under(() => modules[key]), enumerable: true });
  }
  return wrapped as unknown as StudentModules;
}

/**
 * Start the child with the submission's modules: the bundle's entry (bundle.ts, buildBoundaryChild) hands
 * over getters that load each lab folder the submission has when the tester first builds an object of its
 * kind, so a 2A run never runs kvraft's code and a submission without shardkv/ still runs 2A–4A.
 */
export function startChild(studentModules: StudentModules): void {
  const clock = FakeTimers.install({ now: EPOCH_MS, toFake: ['Date', 'performance', 'hrtime'] });
  // The timer functions as they are now (the prologue's tripwires), to put back while a module loads.
  const timerTargets = [globalThis, timers, timersPromises] as unknown as Record<string, unknown>[];
  const tripwires = timerTargets.map(timerFunctions);
  let standIns: Record<string, unknown>[] = [];
  const host = new StudentHost(
    loadedUnder(studentModules, <T>(load: () => T): T => {
      // A module loads as it does in `npm test`, before any test runs: a timer function it keeps from load
      // time is a tripwire (RealTimerError with its call site), not the stand-in its later calls get.
      timerTargets.forEach((target, i) => Object.assign(target, tripwires[i]));
      try {
        return load();
      } finally {
        timerTargets.forEach((target, i) => Object.assign(target, standIns[i]));
      }
    }),
    (id) => studentTimers.fire(id),
  );
  const studentTimers = new StudentTimers((effect) => host.emit(effect));
  const patcher = new PersistPatcher();
  host.captureDebugLines();
  setTripwireListener((error) => host.emit({ op: 'crash', error: describeThrown(error) }));

  const replacements = studentTimers.functions;
  for (const target of [globalThis, timers] as Record<string, unknown>[]) Object.assign(target, replacements);
  Object.assign(timersPromises, {
    setTimeout: (ms: number, value?: unknown) =>
      new Promise((resolve) => replacements.setTimeout(resolve, ms, value)),
    setImmediate: (value?: unknown) => new Promise((resolve) => replacements.setImmediate(resolve, value)),
  });
  standIns = timerTargets.map(timerFunctions);
  // process.exit ends the run, as in `npm test` (ProcessExit, with the call site): the effects so far go
  // to the tester first, with the reason, so that the run fails saying so rather than "the process ended".
  const exit = process.exit.bind(process);
  process.exit = ((code?: number) => {
    const site = callSite(new Error().stack?.split('\n').slice(2).join('\n'));
    host.emit({
      op: 'crash',
      error: `ProcessExit: process.exit(${code ?? ''}) was called during the run, ${site}`,
    });
    sendEffects();
    exit(code);
  }) as typeof process.exit;
  process.on('unhandledRejection', (reason) =>
    host.emit({ op: 'crash', error: `unhandled promise rejection: ${describeThrown(reason)}` }),
  );
  process.on('uncaughtException', (error) =>
    host.emit({ op: 'crash', error: `uncaught exception: ${describeThrown(error)}` }),
  );

  // Batches are read with blocking reads, not a stream: between two batches the child has nothing to do
  // but wait for the next, and a blocking read skips the stream's event machinery, which costs the most
  // while the process is cold (most runs are over before the JIT warms up): about a fifth less per
  // exchange, in a ping-pong over the same pipes on this project's 2-core machines.
  void serve(new FrameReader());

  async function serve(reader: FrameReader): Promise<void> {
    const chunk = Buffer.allocUnsafe(64 * 1024);
    const ready: unknown[] = [];
    for (;;) {
      if (ready.length === 0) {
        // fd 0 is the batches' FIFO, opened blocking for this process (channels.ts).
        const read = fs.readSync(BATCHES_FD, chunk, 0, chunk.length, null);
        if (read === 0) return process.exit(0); // the tester is gone
        ready.push(...reader.push(Buffer.from(chunk.subarray(0, read))));
        continue;
      }
      await handle(ready.shift());
    }
  }

  /** The effects so far to the tester, each persister save as a patch on the object's last one. */
  function sendEffects(): void {
    const effects = host.take().map((effect) => (effect.op === 'persist' ? patcher.patch(effect) : effect));
    fs.writeSync(EFFECTS_FD, frame({ effects }));
  }

  async function handle(message: unknown): Promise<void> {
    const { init, now, batch } = message as {
      init?: { seed: number; cpu?: number };
      now?: number;
      batch?: Command[];
    };
    if (init !== undefined) {
      setRandomSource(seededRandom(init.seed));
      // The tester's core, for this process's main thread only (affinity.ts); before any student code runs.
      if (typeof init.cpu === 'number') pinThread(process.pid, init.cpu);
      return;
    }
    if (typeof now !== 'number' || !Array.isArray(batch)) throw new Error('a batch without its time');
    if (EPOCH_MS + now > clock.now) clock.tick(EPOCH_MS + now - clock.now);
    host.run(batch);
    await hop(); // everything the batch set off runs now
    sendEffects();
  }
}
