/**
 * Lab 4's reconfigurations on the timeline: when each replica group moved to configuration N, and which
 * shards moved between groups with it.
 *
 * - A group's move: the first debug line of any of its servers saying `took config N` (the reference's
 *   shard machine logs it when it applies the new configuration; GUIDE's Lab 4 section asks the same of
 *   a student's code, with the gid as debugLog's 4th argument).
 * - Shard moves: from the configurations the shard controllers hand out, as the wire shows them (every
 *   Query reply carries one): shard s moves from gid a to gid b in config N when config N-1 gave it to a
 *   and N gives it to b (neither the unassigned gid 0). A move is placed when b took config N, or, when
 *   no line says so, when config N first crossed the wire.
 */
import type { TraceEvent } from './trace-file';
import type { ConfigMark, ShardMove, VizLane } from './types';

const TOOK = /\btook config (\d+)/;

interface WireConfig {
  num: number;
  shards: number[];
}

function wireConfig(reply: unknown): WireConfig | null {
  const config = (reply as { config?: unknown } | null)?.config as Partial<WireConfig> | undefined;
  if (typeof config?.num !== 'number' || !Array.isArray(config.shards)) return null;
  return { num: config.num, shards: config.shards.map(Number) };
}

/** When each group first took each configuration, from its servers' debug lines (events on lanes). */
export function collectConfigMarks(events: readonly TraceEvent[], lanes: readonly VizLane[]): ConfigMark[] {
  const marks = new Map<string, ConfigMark>();
  for (const e of events) {
    if (e.kind !== 'log' || typeof e.server !== 'number') continue;
    const gid = lanes[e.server]?.gid;
    const m = TOOK.exec(String(e.msg));
    if (gid == null || m === null || marks.has(`${gid}:${m[1]}`)) continue;
    marks.set(`${gid}:${m[1]}`, { t: e.t, gid, num: Number(m[1]), lane: e.server });
  }
  return [...marks.values()];
}

export function collectShardMoves(events: readonly TraceEvent[], marks: readonly ConfigMark[]): ShardMove[] {
  const configs = new Map<number, { t: number; shards: number[] }>();
  for (const e of events) {
    const config = e.kind === 'rpc.reply' ? wireConfig(e.reply) : null;
    if (config !== null && !configs.has(config.num))
      configs.set(config.num, { t: e.t, shards: config.shards });
  }
  const moves: ShardMove[] = [];
  for (const [num, { t, shards }] of [...configs].sort((a, b) => a[0] - b[0])) {
    const prev = configs.get(num - 1)?.shards;
    if (prev === undefined) continue;
    const byPair = new Map<string, ShardMove>();
    shards.forEach((to, shard) => {
      const from = prev[shard];
      if (from === to || from === 0 || to === 0) return;
      const at = marks.find((m) => m.gid === to && m.num === num)?.t ?? t;
      const move = byPair.get(`${from}:${to}`) ?? { t: at, num, from, to, shards: [] };
      move.shards.push(shard);
      byPair.set(`${from}:${to}`, move);
    });
    moves.push(...byPair.values());
  }
  return moves.sort((a, b) => a.t - b.t);
}
