/**
 * Shrinking a failure explore found, every step a deterministic replay of the same test and seed with
 * a subset of the fault events (the plan's events keep their ids, times and random streams):
 *
 * 1. no faults at all: if the test fails on this seed by itself, no fault is needed (stress would find it);
 * 2. only the events that began before the failure (the later ones could not have mattered);
 * 3. delta debugging over those (ddmin.ts), until no event can be taken away;
 * 4. each remaining fault made shorter (its duration halved) while the run still fails: the least
 *    fault, not just the fewest;
 * 5. the minimal run once more, keeping its trace, for the story and the timeline.
 *
 * "Still fails" means the same finding: the same monitor rule id, or again a safety check of the test.
 */
import type { ExplorePlan, FaultEvent } from '../../tests/explore/plan';
import { ddmin } from './ddmin';
import type { ExploreRun, Runner } from './runner';

export interface Shrunk {
  readonly found: ExploreRun;
  /** The smallest failing run, made again with its trace kept. */
  readonly minimal: ExploreRun;
  /** Events in the found run's plan, and those that began before its failure. */
  readonly generated: number;
  readonly beforeFailure: number;
  /** Runs the shrinking made (cache hits not counted). */
  readonly runs: number;
}

const SHORTEST_MS = 50;

export async function shrink(
  runner: Runner,
  found: ExploreRun,
  parallel: number,
  onStep: (what: string) => void = () => {},
): Promise<Shrunk> {
  if (found.judgement.kind !== 'finding') throw new Error('shrink: the run is not a finding');
  const { signature, atMs } = found.judgement;
  const runsBefore = runner.runs;
  const planOf = (events: readonly FaultEvent[]): ExplorePlan => ({ seed: found.plan.seed, events });
  const fails = async (events: readonly FaultEvent[]): Promise<boolean> => {
    const run = await runner.run(found.test, found.seed, planOf(events));
    return run.judgement.kind === 'finding' && run.judgement.signature === signature;
  };

  let events: readonly FaultEvent[] = found.plan.events;
  onStep('without any injected fault');
  if (await fails([])) {
    events = [];
  } else {
    const early = events.filter((e) => e.at <= atMs);
    onStep(`the ${early.length} faults that began before the failure`);
    if (early.length < events.length && (await fails(early))) events = early;
    onStep(`delta debugging over ${events.length} faults`);
    events = await ddmin(events, fails, parallel);
    events = await shorten(events, fails, onStep);
  }
  onStep('the minimal run, keeping its trace');
  const minimal = await runner.run(found.test, found.seed, planOf(events), true);
  return {
    found,
    minimal,
    generated: found.plan.events.length,
    beforeFailure: found.plan.events.filter((e) => e.at <= atMs).length,
    runs: runner.runs - runsBefore,
  };
}

/** Halve each event's duration while the run still fails the same way. */
async function shorten(
  events: readonly FaultEvent[],
  fails: (events: readonly FaultEvent[]) => Promise<boolean>,
  onStep: (what: string) => void,
): Promise<FaultEvent[]> {
  const current = [...events];
  for (let k = 0; k < current.length; k++) {
    if (current[k].kind === 'crash-after-reply') continue; // its duration is only a deadline
    onStep(`shortening fault #${current[k].id}`);
    for (;;) {
      const ms = Math.floor(current[k].ms / 2);
      if (ms < SHORTEST_MS) break;
      const trial = current.map((e, j) => (j === k ? { ...e, ms } : e));
      if (!(await fails(trial))) break;
      current[k] = trial[k];
    }
  }
  return current;
}
