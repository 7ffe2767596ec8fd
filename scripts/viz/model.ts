/**
 * From a trace to the timeline's data (types.ts): lanes (one per server; in Lab 4 one per server of each
 * group, in blocks: lanes.ts), Lab 4's configuration changes and shard moves (reconfig.ts), role spans (roles.ts),
 * crashed and disconnected stretches from the `fault` events the test config records, network-wide
 * stretches (unreliable, long reordering), every RPC with its fate, what each server applied, and the
 * flat, time-ordered list of events that the page steps through.
 */
import { assignLanes } from './lanes';
import { collectConfigMarks, collectShardMoves } from './reconfig';
import { inferRoles } from './roles';
import type { TraceFile, TraceEvent } from './trace-file';
import type {
  ConfigMark,
  DownSpan,
  NetSpan,
  ShardMove,
  VizApply,
  VizData,
  VizEvent,
  VizLane,
  VizRpc,
  VoterSpan,
} from './types';

type MutableRpc = { -readonly [K in keyof VizRpc]: VizRpc[K] };

function isHeartbeat(method: string, args: unknown): boolean {
  const entries = (args as { entries?: unknown; Entries?: unknown } | null)?.entries;
  return method.endsWith('AppendEntries') && Array.isArray(entries) && entries.length === 0;
}

/** Every RPC between two numbered servers, with when it arrived and how it ended. */
export function collectRpcs(events: readonly TraceEvent[]): VizRpc[] {
  const byId = new Map<unknown, MutableRpc>();
  for (const e of events) {
    if (e.kind === 'rpc.send') {
      if (typeof e.from !== 'number' || typeof e.to !== 'number') continue;
      const method = String(e.svcMeth);
      byId.set(e.rpc, {
        id: Number(e.rpc),
        from: e.from,
        to: e.to,
        method,
        send: e.t,
        deliver: null,
        end: null,
        fate: 'pending',
        heartbeat: isHeartbeat(method, e.args),
        args: e.args,
        reply: null,
      });
      continue;
    }
    const rpc = byId.get(e.rpc);
    if (rpc === undefined) continue;
    if (e.kind === 'rpc.deliver') rpc.deliver = e.t;
    else if (e.kind === 'rpc.reorder') rpc.fate = 'late';
    else if (e.kind === 'rpc.reply')
      [rpc.end, rpc.reply, rpc.fate] = [e.t, e.reply, rpc.fate === 'late' ? 'late' : 'ok'];
    else if (e.kind === 'rpc.unreachable') [rpc.end, rpc.fate] = [e.t + Number(e.delayMs), 'unreachable'];
    else if (e.kind === 'rpc.drop-request' || e.kind === 'rpc.drop-reply' || e.kind === 'rpc.dead') {
      [rpc.end, rpc.fate] = [e.t, e.kind.slice(4) as VizRpc['fate']];
    }
  }
  return [...byId.values()];
}

/** Crashed (crash → start) and disconnected (disconnect → connect) stretches per server. */
export function collectDown(events: readonly TraceEvent[], endMs: number): DownSpan[] {
  const open = new Map<string, number>();
  const spans: DownSpan[] = [];
  const close = (server: number, kind: DownSpan['kind'], t: number): void => {
    const start = open.get(`${kind}:${server}`);
    open.delete(`${kind}:${server}`);
    if (start !== undefined && t > start) spans.push({ server, start, end: t, kind });
  };
  for (const e of events) {
    if (e.kind !== 'fault' || typeof e.server !== 'number') continue;
    const s = e.server;
    if (e.action === 'crash' && !open.has(`crashed:${s}`)) open.set(`crashed:${s}`, e.t);
    if (e.action === 'start') close(s, 'crashed', e.t);
    if (e.action === 'disconnect' && !open.has(`disconnected:${s}`)) open.set(`disconnected:${s}`, e.t);
    if (e.action === 'connect') close(s, 'disconnected', e.t);
  }
  for (const key of [...open.keys()]) {
    const [kind, server] = key.split(':');
    close(Number(server), kind as DownSpan['kind'], endMs);
  }
  return spans;
}

/** Network-wide settings switched on and off: `fault` events with `on` and no server. */
export function collectNet(events: readonly TraceEvent[], endMs: number): NetSpan[] {
  const open = new Map<string, number>();
  const spans: NetSpan[] = [];
  for (const e of events) {
    if (e.kind !== 'fault' || typeof e.on !== 'boolean') continue;
    const kind = String(e.action);
    const start = open.get(kind);
    if (e.on && start === undefined) open.set(kind, e.t);
    if (!e.on && start !== undefined) {
      open.delete(kind);
      if (e.t > start) spans.push({ start, end: e.t, kind });
    }
  }
  for (const [kind, start] of open) if (endMs > start) spans.push({ start, end: endMs, kind });
  return spans;
}

/** "config {0,1,2}->{2,3,4}" (what the 2E appliers record) as C_old and C_new (null unless joint). */
function parseConfig(text: string): { old: number[]; next: number[] | null } | null {
  const m = /^config \{([\d,]*)\}(?:->\{([\d,]*)\})?$/.exec(text);
  if (m === null) return null;
  const set = (s: string): number[] => (s === '' ? [] : s.split(',').map(Number));
  return { old: set(m[1]), next: m[2] === undefined ? null : set(m[2]) };
}

/**
 * Who votes when (2E): the committed configurations, each from the first time a server applied it, the
 * initial one (C_old of the first joint entry) from the start. Empty when no configuration was applied.
 */
export function collectVoters(events: readonly TraceEvent[], endMs: number): VoterSpan[] {
  const phases: { t: number; config: { old: number[]; next: number[] | null }; text: string }[] = [];
  const seen = new Set<unknown>();
  for (const e of events) {
    if (e.kind !== 'apply' || typeof e.config !== 'string' || seen.has(e.index)) continue;
    seen.add(e.index);
    const config = parseConfig(e.config);
    if (config !== null) phases.push({ t: e.t, config, text: e.config.slice('config '.length) });
  }
  if (phases.length === 0) return [];
  const first = phases[0].config;
  if (first.next !== null)
    phases.unshift({ t: 0, config: { old: first.old, next: null }, text: `{${first.old.join(',')}}` });
  const spans: VoterSpan[] = [];
  phases.forEach((phase, k) => {
    const end = k + 1 < phases.length ? phases[k + 1].t : endMs;
    if (end <= phase.t) return;
    const { old, next } = phase.config;
    for (const server of new Set([...old, ...(next ?? [])])) {
      const inOld = old.includes(server);
      const inNew = next === null || next.includes(server);
      const membership = inOld && inNew ? 'voter' : inOld ? 'leaving' : 'joining';
      spans.push({ server, start: phase.t, end, membership, config: phase.text });
    }
  });
  return spans;
}

function onOff(e: TraceEvent): string {
  return typeof e.on === 'boolean' ? (e.on ? ' on' : ' off') : '';
}

function short(method: string): string {
  return method.split('.').pop() ?? method;
}

/** The steppable events: everything but the RPC follow-ups (an RPC is one event, at its send). */
function collectEvents(
  events: readonly TraceEvent[],
  rpcs: readonly VizRpc[],
  roleChanges: VizEvent[],
  name: (lane: unknown) => string,
): VizEvent[] {
  const rpcById = new Map(rpcs.map((r) => [r.id, r]));
  const out: VizEvent[] = [...roleChanges];
  for (const e of events) {
    const server = typeof e.server === 'number' ? e.server : null;
    const { t, kind: _kind, ...detail } = e;
    const add = (kind: string, text: string, rpc?: number): void =>
      void out.push({ t, server, kind, text, rpc, detail });
    if (e.kind === 'fault')
      add('fault', `${server === null ? 'net' : name(server)} ${String(e.action)}${onOff(e)}`);
    else if (e.kind === 'log') {
      out.push({
        t,
        server,
        kind: 'log',
        text: `${name(e.server)} ${String(e.topic)}: ${String(e.msg)}`,
        detail: null,
      });
    } else if (e.kind === 'apply' && typeof e.config === 'string') {
      add('config', `${name(e.server)} applied index ${String(e.index)}: ${e.config}`);
    } else if (e.kind === 'apply') add('apply', `${name(e.server)} applied index ${String(e.index)}`);
    else if (e.kind === 'print') add('print', String(e.line));
    else if (e.kind === 'error') add('error', `${String(e.name)}: ${String(e.msg).split('\n')[0]}`);
    // The invariant monitor's first violation, at the RPC that showed it (selecting it shows that RPC).
    else if (e.kind === 'monitor')
      add('violation', String(e.msg), typeof e.rpc === 'number' && rpcById.has(e.rpc) ? e.rpc : undefined);
    else if (e.kind === 'codec') add('codec', String(e.msg));
    else if (e.kind === 'rpc.send' && rpcById.has(Number(e.rpc))) {
      // The page shows the RPC itself (data.rpcs) as this event's details: no copy here.
      const r = rpcById.get(Number(e.rpc)) as VizRpc;
      const text = `${name(r.from)} → ${name(r.to)} ${short(r.method)} #${r.id} (${r.fate})`;
      out.push({ t, server: r.from, kind: 'rpc', text, rpc: r.id, detail: null });
    }
  }
  return out.sort((a, b) => a.t - b.t); // stable: same-time events keep trace order
}

/** A lane's name for event texts: "S2", or in Lab 4 "G101 S2". */
function laneName(lanes: readonly VizLane[]): (lane: unknown) => string {
  const byId = new Map(lanes.map((l) => [l.id, l.name]));
  return (lane) => (typeof lane === 'number' ? (byId.get(lane) ?? `S${lane}`) : `S${String(lane)}`);
}

/** Lab 4's marks as steppable events: a group's move to a configuration, and each shard move. */
function reconfigEvents(marks: readonly ConfigMark[], moves: readonly ShardMove[]): VizEvent[] {
  return [
    ...marks.map((m) => ({
      t: m.t,
      server: m.lane,
      kind: 'reconfig',
      text: `gid ${m.gid} took config ${m.num}`,
      detail: m,
    })),
    ...moves.map((m) => ({
      t: m.t,
      server: null,
      kind: 'shard-move',
      text: `config ${m.num}: shard${m.shards.length > 1 ? 's' : ''} ${m.shards.join(' ')} from gid ${m.from} to gid ${m.to}`,
      detail: m,
    })),
  ];
}

/** An error message without the stack lines some messages carry (the details are in the trace). */
function withoutStack(message: string): string {
  return message
    .split('\n')
    .filter((line) => !/^\s+at /.test(line))
    .join('\n');
}

export interface VizOptions {
  readonly title?: string;
  /** A linearizability page for the same run, relative to the timeline page. */
  readonly history?: string | null;
}

export function buildVizData(trace: TraceFile, options: VizOptions = {}): VizData {
  const { meta } = trace;
  const { events, lanes, groups } = assignLanes(trace.events);
  const configMarks = collectConfigMarks(events, lanes);
  const shardMoves = collectShardMoves(events, configMarks);
  const endMs = Math.max(meta?.virtualMs ?? 0, ...events.map((e) => e.t), 1);
  const roles = inferRoles(events, endMs);
  const rpcs = collectRpcs(events);
  const applies: VizApply[] = events
    .filter((e) => e.kind === 'apply' && typeof e.server === 'number' && typeof e.index === 'number')
    .map((e) => ({
      server: e.server as number,
      t: e.t,
      index: e.index as number,
      command: e.command ?? e.config ?? null,
    }));
  const error = events.find((e) => e.kind === 'error');
  return {
    title: options.title ?? (meta === undefined ? 'trace timeline' : `${meta.test} — seed ${meta.seed}`),
    test: meta?.test ?? null,
    seed: meta?.seed ?? null,
    passed: meta?.passed ?? null,
    replay: meta?.replay ?? null,
    error: error === undefined ? null : withoutStack(`${String(error.name)}: ${String(error.msg)}`),
    endMs,
    servers: lanes.map((l) => l.id),
    lanes,
    groups,
    configMarks,
    shardMoves,
    roles: roles.spans,
    down: collectDown(events, endMs),
    net: collectNet(events, endMs),
    rpcs,
    applies,
    voters: collectVoters(events, endMs),
    events: collectEvents(
      events,
      rpcs,
      [...roles.changes, ...reconfigEvents(configMarks, shardMoves)],
      laneName(lanes),
    ),
    history: options.history ?? null,
  };
}
