/**
 * The trace timeline's model: roles are derived from RPCs alone for an implementation that logs
 * nothing, and from the peer's own "became …" lines when it logs them; faults become shaded stretches.
 * The page itself, generated from a real 2C run, is opened in headless Chromium in browser.tools.ts,
 * with the other tools' pages (one browser for all of them).
 */
import { buildVizData } from '../../scripts/viz/model';
import type { TraceEvent } from '../../scripts/viz/trace-file';

const ev = (t: number, kind: string, fields: Record<string, unknown> = {}): TraceEvent => ({
  t,
  kind,
  ...fields,
});
const vote = (t: number, rpc: number, from: number, to: number, term: number): TraceEvent =>
  ev(t, 'rpc.send', { rpc, from, to, svcMeth: 'Raft.RequestVote', bytes: 9, args: { term } });
const append = (t: number, rpc: number, from: number, to: number, term: number): TraceEvent =>
  ev(t, 'rpc.send', { rpc, from, to, svcMeth: 'Raft.AppendEntries', bytes: 9, args: { term, entries: [] } });

test('roles come from the RPCs when the peers log nothing (Figure 2)', () => {
  const events = [
    ev(0, 'fault', { action: 'start', server: 0 }),
    ev(0, 'fault', { action: 'start', server: 1 }),
    vote(300, 1, 0, 1, 1), // S0 asks for votes in T1: candidate
    ev(300, 'rpc.deliver', { rpc: 1 }), // S1 sees T1: follower in T1
    append(310, 2, 0, 1, 1), // S0 sends AppendEntries in T1: leader
    ev(500, 'fault', { action: 'crash', server: 0 }),
    ev(800, 'fault', { action: 'start', server: 0 }), // back as a follower in its last term
  ];
  const data = buildVizData({ meta: undefined, events });
  const spans = data.roles.map((r) => [r.server, r.start, r.end, r.role, r.term]);
  expect(spans).toEqual([
    [0, 0, 300, 'follower', 0],
    [0, 300, 310, 'candidate', 1],
    [0, 310, 500, 'leader', 1],
    [1, 0, 300, 'follower', 0],
    [1, 300, 800, 'follower', 1], // the run ends at 800, when S0 restarts
  ]);
  expect(data.down).toEqual([{ server: 0, start: 500, end: 800, kind: 'crashed' }]);
});

test('who votes when (2E): the committed configurations, the initial one from the first joint entry', () => {
  const events = [
    ev(0, 'fault', { action: 'start', server: 3 }),
    ev(100, 'apply', { server: 0, index: 2, config: 'config {0,1,2}->{2,3}' }),
    ev(101, 'apply', { server: 1, index: 2, config: 'config {0,1,2}->{2,3}' }), // the same entry again
    ev(200, 'apply', { server: 2, index: 3, config: 'config {2,3}' }),
    ev(300, 'print', { line: 'done' }),
  ];
  const voters = buildVizData({ meta: undefined, events }).voters.map(
    (v) => `S${v.server} ${v.start}-${v.end} ${v.membership}`,
  );
  expect(voters).toEqual([
    'S0 0-100 voter',
    'S1 0-100 voter',
    'S2 0-100 voter',
    'S0 100-200 leaving',
    'S1 100-200 leaving',
    'S2 100-200 voter',
    'S3 100-200 joining',
    'S2 200-300 voter',
    'S3 200-300 voter',
  ]);
  expect(buildVizData({ meta: undefined, events: events.slice(0, 1) }).voters).toEqual([]);
});

test("the peer's own role lines win over inference when it logs them", () => {
  const events = [
    ev(0, 'fault', { action: 'start', server: 2 }),
    ev(100, 'log', { server: 2, topic: 'role', msg: 'T3 became candidate (election timeout)' }),
    vote(100, 1, 2, 0, 3),
    ev(120, 'log', { server: 2, topic: 'role', msg: 'T3 became leader (log [0 (T0) .. 0 (T0)])' }),
    ev(400, 'log', { server: 2, topic: 'role', msg: 'T4 became follower (AppendEntries from leader S0)' }),
    ev(900, 'print', { line: '  ... Passed' }),
  ];
  const data = buildVizData({ meta: undefined, events });
  expect(data.roles.map((r) => [r.role, r.term, r.start])).toEqual([
    ['follower', 0, 0],
    ['candidate', 3, 100],
    ['leader', 3, 120],
    ['follower', 4, 400],
  ]);
});

// Lab 4: servers of different groups share the numbers 0..n-1. Each (group, server) gets a lane of its
// own, in blocks (controllers, then gids in order); a debug line that names no group goes to the lane
// whose RPC it follows at the same instant (a handler's line), or precedes (a timer's line, then its sends).
test('Lab 4: a lane per server of each group, blocks by gid, ungrouped lines placed by their RPCs', () => {
  const send = (
    t: number,
    rpc: number,
    from: unknown,
    to: unknown,
    svcMeth = 'Raft.AppendEntries',
  ): TraceEvent => ev(t, 'rpc.send', { rpc, from, to, svcMeth, bytes: 9, args: { term: 1, entries: [] } });
  const events = [
    ev(0, 'fault', { action: 'start', server: 1, gid: 101 }),
    send(10, 1, 0, 1), // controller S0 → controller S1
    send(20, 2, '101-0', '101-1'),
    ev(21, 'rpc.deliver', { rpc: 2 }),
    ev(21, 'log', { server: 1, topic: 'term', msg: 'T1 new term' }), // in the handler: G101 S1
    ev(30, 'log', { server: 0, topic: 'role', msg: 'T2 became candidate' }), // a timer: its send follows
    send(30, 3, '100-0', '100-1', 'Raft.RequestVote'),
    ev(40, 'log', { server: 2, group: 100, topic: 'shard', msg: 'took config 1: …' }),
    ev(41, 'rpc.reply', { rpc: 4, reply: null }),
  ];
  const data = buildVizData({ meta: undefined, events });
  expect(data.lanes.map((l) => l.name)).toEqual([
    'controller S0',
    'controller S1',
    'G100 S0',
    'G100 S1',
    'G100 S2',
    'G101 S0',
    'G101 S1',
  ]);
  expect(data.groups.map((g) => [g.label, g.lanes])).toEqual([
    ['controllers', [0, 1]],
    ['gid 100', [2, 3, 4]],
    ['gid 101', [5, 6]],
  ]);
  const logs = data.events.filter((e) => e.kind === 'log').map((e) => e.text);
  expect(logs).toEqual([
    'G101 S1 term: T1 new term',
    'G100 S0 role: T2 became candidate',
    'G100 S2 shard: took config 1: …',
  ]);
  expect(data.configMarks).toEqual([{ t: 40, gid: 100, num: 1, lane: 4 }]);
  expect(data.rpcs.map((r) => [r.from, r.to])).toEqual([
    [0, 1],
    [5, 6],
    [2, 3],
  ]);
});

test("the monitor's first violation is an event at its time, pointing at the RPC that showed it", () => {
  const events = [
    append(310, 2, 0, 1, 1),
    ev(312, 'monitor', {
      property: 'Log Matching',
      rule: '[AE.2]',
      rpc: 2,
      msg: 'Log Matching violated [AE.2] …',
    }),
    ev(312, 'error', { name: 'LabCheckFailure', msg: 'invariant monitor: Log Matching violated [AE.2] …' }),
  ];
  const data = buildVizData({ meta: undefined, events });
  const violation = data.events.find((e) => e.kind === 'violation');
  expect(violation).toMatchObject({ t: 312, rpc: 2, text: 'Log Matching violated [AE.2] …' });
});
