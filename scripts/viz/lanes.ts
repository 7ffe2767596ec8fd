/**
 * Lanes for the timeline and columns for the log viewer: one per server, and in Lab 4 one per server of
 * each group, the groups as blocks — the shard controllers first, then each replica group by gid.
 *
 * Lab 4's servers share the numbers 0..n-1 across groups, so its traces name a group beside the number:
 * an RPC endpoint "101-2" (server 2 of gid 101; a bare number is a controller), a fault's `gid`, a debug
 * line's `group` (debugLog's 4th argument). `assignLanes` rewrites every such reference into one lane
 * number, so the rest of the model (roles, crashes, RPC arrows) works on lanes as it does on servers.
 * A debug line that names no group (a Raft peer does not know its group) goes to the lane the RPCs
 * around it show active: the one whose RPC was delivered, replied to or sent just before it at the same
 * virtual time (a handler's or a reply's lines), else just after it (a timer's lines, then its sends),
 * else the last lane with that server number to be active.
 *
 * A trace without groups (Labs 2 and 3) keeps its server numbers as lane numbers.
 */
import type { TraceEvent } from './trace-file';
import type { VizGroup, VizLane } from './types';

/** The group a lane belongs to: a gid, or null for the shard controllers (and every pre-Lab-4 server). */
type Gid = number | null;

const GROUP_ENDPOINT = /^(\d+)-(\d+)$/;

export interface LaneLayout {
  /** The events with every server reference rewritten to a lane number. */
  readonly events: TraceEvent[];
  readonly lanes: VizLane[];
  /** Empty when the trace has no groups. */
  readonly groups: VizGroup[];
}

function endpoint(v: unknown): { gid: Gid; server: number } | null {
  if (typeof v === 'number') return { gid: null, server: v };
  const m = typeof v === 'string' ? GROUP_ENDPOINT.exec(v) : null;
  return m === null ? null : { gid: Number(m[1]), server: Number(m[2]) };
}

/** Whether the trace is of replica groups (Lab 4). */
function hasGroups(events: readonly TraceEvent[]): boolean {
  return events.some(
    (e) =>
      typeof e.gid === 'number' ||
      (e.kind === 'log' && typeof e.group === 'number') ||
      (e.kind === 'rpc.send' && (endpoint(e.from)?.gid != null || endpoint(e.to)?.gid != null)),
  );
}

/** Every (group, server) the trace mentions. */
function members(events: readonly TraceEvent[]): { gid: Gid; server: number }[] {
  const seen = new Map<string, { gid: Gid; server: number }>();
  const add = (gid: Gid, server: unknown): void => {
    if (typeof server === 'number') seen.set(`${gid}:${server}`, { gid, server });
  };
  for (const e of events) {
    if (e.kind === 'rpc.send') {
      for (const end of [endpoint(e.from), endpoint(e.to)]) if (end !== null) add(end.gid, end.server);
    } else if (e.kind === 'fault') add(typeof e.gid === 'number' ? e.gid : null, e.server);
    else if (e.kind === 'log' && typeof e.group === 'number') add(e.group, e.server);
    else if (e.kind === 'apply') add(null, e.server);
  }
  return [...seen.values()].sort((a, b) => (a.gid ?? -1) - (b.gid ?? -1) || a.server - b.server);
}

function plainLayout(events: readonly TraceEvent[]): LaneLayout {
  const ids = new Set<number>();
  for (const e of events) {
    for (const key of ['server', 'from', 'to'] as const) {
      const v = e[key];
      if (typeof v === 'number' && (key === 'server' || e.kind === 'rpc.send')) ids.add(v);
    }
  }
  const lanes = [...ids]
    .sort((a, b) => a - b)
    .map((id) => ({ id, server: id, gid: null, label: `S${id}`, name: `S${id}` }));
  return { events: [...events], lanes, groups: [] };
}

export function assignLanes(events: readonly TraceEvent[]): LaneLayout {
  if (!hasGroups(events)) return plainLayout(events);
  const lanes: VizLane[] = members(events).map(({ gid, server }, id) => ({
    id,
    server,
    gid,
    label: `S${server}`,
    name: gid === null ? `controller S${server}` : `G${gid} S${server}`,
  }));
  const laneOf = new Map(lanes.map((l) => [`${l.gid}:${l.server}`, l.id]));
  const lane = (gid: Gid, server: number): number | undefined => laneOf.get(`${gid}:${server}`);
  const groups: VizGroup[] = [];
  for (const l of lanes) {
    const last = groups[groups.length - 1];
    if (last !== undefined && last.gid === l.gid) last.lanes.push(l.id);
    else groups.push({ gid: l.gid, label: l.gid === null ? 'controllers' : `gid ${l.gid}`, lanes: [l.id] });
  }
  return { events: rewrite(events, lanes, lane), lanes, groups };
}

/** The events with lane numbers; ungrouped debug lines placed as the header says. */
function rewrite(
  events: readonly TraceEvent[],
  lanes: readonly VizLane[],
  lane: (gid: Gid, server: number) => number | undefined,
): TraceEvent[] {
  const rpcLanes = new Map<unknown, { from: number | undefined; to: number | undefined }>();
  /** The lane each event made active (the lane that acted), by position. */
  const active: (number | undefined)[] = [];
  const out = events.map((e, k): TraceEvent => {
    if (e.kind === 'rpc.send') {
      const [from, to] = [endpoint(e.from), endpoint(e.to)];
      const ids = {
        from: from === null ? undefined : lane(from.gid, from.server),
        to: to === null ? undefined : lane(to.gid, to.server),
      };
      rpcLanes.set(e.rpc, ids);
      active[k] = ids.from;
      return { ...e, from: ids.from ?? e.from, to: ids.to ?? e.to };
    }
    if (e.kind.startsWith('rpc.')) {
      const ids = rpcLanes.get(e.rpc);
      active[k] = e.kind === 'rpc.deliver' ? ids?.to : ids?.from;
      return e;
    }
    if (typeof e.server !== 'number') return e;
    const gid = e.kind === 'fault' && typeof e.gid === 'number' ? e.gid : null;
    if (e.kind === 'log' && typeof e.group !== 'number') return e; // placed below, by its neighbours
    const id = lane(e.kind === 'log' ? (e.group as number) : gid, e.server);
    active[k] = id;
    return id === undefined ? e : { ...e, server: id };
  });
  const lastBy = new Map<number, number>();
  return out.map((e, k) => {
    const id = active[k];
    if (id !== undefined) lastBy.set(lanes[id].server, id);
    if (e.kind !== 'log' || typeof e.group === 'number' || typeof e.server !== 'number') return e;
    const placed = neighbour(out, active, lanes, k, e.server) ?? lastBy.get(e.server) ?? lane(null, e.server);
    return placed === undefined ? e : { ...e, server: placed, inferred: true };
  });
}

/** The lane with server number `server` active nearest to event k at its virtual time: before, then after. */
function neighbour(
  events: readonly TraceEvent[],
  active: readonly (number | undefined)[],
  lanes: readonly VizLane[],
  k: number,
  server: number,
): number | undefined {
  const t = events[k].t;
  const match = (j: number): number | undefined => {
    const id = active[j];
    return id !== undefined && lanes[id].server === server ? id : undefined;
  };
  for (let j = k - 1; j >= 0 && events[j].t === t; j--) if (match(j) !== undefined) return match(j);
  for (let j = k + 1; j < events.length && events[j].t === t; j++)
    if (match(j) !== undefined) return match(j);
  return undefined;
}
