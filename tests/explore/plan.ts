/**
 * Explore's fault schedule: a list of fault events, each a pure function of the search seed and its
 * own id, so that any subset of them replays exactly (the shrinker runs subsets; the scripted test it
 * writes carries the few that matter). The schedule is data only — the injector (injector.ts) carries it
 * out inside a run, the parent (scripts/explore) generates, subsets and prints it.
 *
 * Every event starts at a virtual time `at` (ms since the run began). Anchoring on time, rather than on
 * "the k-th RPC", keeps an event where it was when other events are taken away, which is what lets delta
 * debugging converge. What an event hits (which server is the leader then, which halves a partition
 * makes) is decided when it starts, from what the wire shows and the event's own random stream.
 *
 * Election timeouts at the edges of their range ('timeouts'): the peers draw from a random stream of
 * their own (boundary/open.ts), apart from the network's, so skewing it for a while
 * (harness/student-random.ts) moves their timeouts and nothing of the tester's.
 */
import { seededRandom } from '../harness/seeded-random';
import type { Edge } from '../harness/student-random';

/** The kinds of fault explore injects; each one amplifies a fault the Go tests script only a few of. */
export type FaultKind =
  /** Drop, delay and reorder messages between servers at higher rates than the unreliable network. */
  | 'lossy'
  /** Cut the current leader (the latest sender of AppendEntries in the highest term) off from everyone. */
  | 'isolate-leader'
  /** Split the servers into two random halves. */
  | 'partition'
  /** Split the others into two halves that cannot reach each other; one server reaches both. */
  | 'bridge'
  /** Hold each reply until its caller has moved on to a later term: a reply that straddles a term change. */
  | 'straddle'
  /**
   * Crash the next server to answer an RPC of `method` ('AppendEntries': one with entries; 'any': any
   * Raft RPC, heartbeats included) the instant its reply leaves; restart it at once.
   */
  | 'crash-after-reply'
  /**
   * For a while, keep back the first request on each link of the term its receiver is in (a leader's
   * heartbeat, a candidate's RequestVote); crash the next server something is kept back for to answer a
   * request of a newer term than it had shown, the instant its reply leaves; restart it at once and,
   * once that reply has come back, deliver it the requests kept back for it: RPCs of a term it has left,
   * which show a newer term it took but did not save. The rest are delivered late when the window ends.
   */
  | 'stale-request'
  /**
   * Every number the peers draw, so every election timeout, at one edge of its range for a while: all at
   * the low end (candidates in lockstep, split votes in one term), all at the high end, or each at either.
   */
  | 'timeouts';

export const FAULT_KINDS: readonly FaultKind[] = [
  'lossy',
  'isolate-leader',
  'partition',
  'bridge',
  'straddle',
  'crash-after-reply',
  'timeouts',
  'stale-request',
];

export interface FaultEvent {
  /** Its position in the generated schedule: stable across subsets, and its random stream's key. */
  readonly id: number;
  readonly kind: FaultKind;
  /** Virtual ms after the run began. */
  readonly at: number;
  /** How long it lasts, in virtual ms (crash-after-reply, stale-request: how long it waits to strike). */
  readonly ms: number;
  /** lossy: the chance that a request, or a reply, is lost. */
  readonly drop?: number;
  /** lossy: the most extra delay of a message that gets through, in ms. */
  readonly delayMs?: number;
  /** lossy: the share of requests and of replies held back 200–2199 ms (reordering). */
  readonly reorder?: number;
  /** crash-after-reply: the RPC whose reply triggers the crash ('any' for any Raft RPC). */
  readonly method?: 'AppendEntries' | 'RequestVote' | 'InstallSnapshot' | 'any';
  /** timeouts: which edge of the range ('both': each draw at one or the other). */
  readonly edge?: Edge;
}

/** The whole plan one run carries: the search seed (each event's stream derives from it) and the events. */
export interface ExplorePlan {
  readonly seed: number;
  readonly events: readonly FaultEvent[];
}

/** How hard to push, from the command line (scripts/explore/options.ts). */
export interface Knobs {
  /** Mean virtual ms between the starts of two events. */
  readonly meanGapMs: number;
  /** The kinds to draw from (default: all). */
  readonly kinds: readonly FaultKind[];
  /** Generate events up to this virtual time (a test's limit is 120 s). */
  readonly horizonMs: number;
}

export const DEFAULT_KNOBS: Knobs = { meanGapMs: 1500, kinds: FAULT_KINDS, horizonMs: 120_000 };

/** A 32-bit key for event `id` of search seed `seed` (its random stream's seed). */
export function eventSeed(seed: number, id: number): number {
  return (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(id + 1, 0x85ebca6b)) >>> 0;
}

/** A stream of doubles in [0, 1) for one event, the same wherever and whenever it is asked for. */
export function eventRandom(seed: number, id: number): () => number {
  return seededRandom(eventSeed(seed, id));
}

function between(random: () => number, lo: number, hi: number): number {
  return Math.round(lo + random() * (hi - lo));
}

/** The schedule of search seed `seed`: a pure function of the seed and the knobs. */
export function generatePlan(seed: number, knobs: Knobs = DEFAULT_KNOBS): ExplorePlan {
  const random = seededRandom(seed);
  const events: FaultEvent[] = [];
  // Exponential gaps: bursts of overlapping faults as well as quiet stretches the cluster recovers in.
  for (let at = 0, id = 0; ; id++) {
    at += Math.round(-Math.log(1 - random()) * knobs.meanGapMs);
    if (at >= knobs.horizonMs) break;
    const kind = knobs.kinds[Math.floor(random() * knobs.kinds.length)];
    events.push(drawEvent(id, kind, at, random));
  }
  return { seed, events };
}

function drawEvent(id: number, kind: FaultKind, at: number, random: () => number): FaultEvent {
  switch (kind) {
    case 'lossy':
      return {
        id,
        kind,
        at,
        ms: between(random, 300, 3000),
        drop: Math.round(random() * 50) / 100,
        delayMs: between(random, 0, 120),
        reorder: Math.round(random() * 60) / 100,
      };
    case 'isolate-leader':
      return { id, kind, at, ms: between(random, 200, 2500) };
    case 'partition':
    case 'bridge':
      return { id, kind, at, ms: between(random, 500, 3000) };
    case 'straddle':
      return { id, kind, at, ms: between(random, 300, 2000) };
    case 'crash-after-reply': {
      const methods = ['AppendEntries', 'RequestVote', 'InstallSnapshot', 'any'] as const;
      return { id, kind, at, ms: 2000, method: methods[Math.floor(random() * methods.length)] };
    }
    case 'stale-request':
      return { id, kind, at, ms: between(random, 500, 3000) };
    case 'timeouts': {
      const edges = ['low', 'high', 'both'] as const;
      return {
        id,
        kind,
        at,
        ms: between(random, 1000, 6000),
        edge: edges[Math.floor(random() * edges.length)],
      };
    }
  }
}

/** The plan as the text a run carries (LabContext.plan). */
export function encodePlan(plan: ExplorePlan): string {
  return JSON.stringify(plan);
}

/** A run's plan back from its text; a clear error when the text is not one. */
export function decodePlan(text: string): ExplorePlan {
  const value = JSON.parse(text) as Partial<ExplorePlan>;
  if (typeof value.seed !== 'number' || !Array.isArray(value.events)) {
    throw new Error(`not an explore plan: ${text.slice(0, 80)}`);
  }
  return { seed: value.seed, events: value.events };
}

/** One event as a line of the story: "1.234 s  isolate the leader for 800 ms". */
export function describeEvent(event: FaultEvent): string {
  const forMs = `for ${event.ms} ms`;
  switch (event.kind) {
    case 'lossy':
      return (
        `lossy links ${forMs}: ${Math.round((event.drop ?? 0) * 100)} % lost, up to ${event.delayMs ?? 0} ms late, ` +
        `${Math.round((event.reorder ?? 0) * 100)} % of messages 200–2199 ms late`
      );
    case 'isolate-leader':
      return `isolate the leader ${forMs}`;
    case 'partition':
      return `partition the servers into two random halves ${forMs}`;
    case 'bridge':
      return `two halves joined only through one server ${forMs}`;
    case 'straddle':
      return `hold replies until their caller's term has moved on (${forMs})`;
    case 'crash-after-reply':
      return `crash the next server to answer ${event.method === 'any' ? 'a Raft RPC' : event.method} the instant its reply leaves it, restart it at once`;
    case 'timeouts':
      return `election timeouts ${edgeText(event.edge)} ${forMs}`;
    case 'stale-request':
      return (
        `keep back a request on each link ${forMs}; crash the next server they wait for to answer a ` +
        'newer term as its reply leaves, restart it, deliver it what was kept back'
      );
  }
}

/** "at the low end of their range", … */
export function edgeText(edge: Edge | undefined): string {
  if (edge === 'both') return 'each at one end of their range or the other';
  return `at the ${edge === 'high' ? 'high' : 'low'} end of their range`;
}
