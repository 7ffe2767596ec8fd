/**
 * The invariant monitor (invariant-monitor.ts) on scripted peers over the real network: each test plants
 * one broken behaviour in the RPCs the peers send and the replies they give, and the monitor must fail
 * the run at the RPC that shows it, with the property and rule; a correct schedule, or one whose shapes
 * it cannot read, passes.
 */
import os from 'node:os';
import path from 'node:path';
import { Network, sleep, type ClientEnd } from '../../labrpc';
import { defineLabTest, runLabTest, type LabContext, type RunResult } from '../harness';
import { ClusterWatch } from './cluster-watch';
import { meshOf } from './test-mesh';

const traceDir = path.join(os.tmpdir(), 'raftlab-invariant-monitor-tests');

function run(body: (ctx: LabContext) => Promise<void>): Promise<RunResult> {
  const test = defineLabTest({ part: 'harness', title: 'invariant monitor', body });
  return runLabTest(test, { seed: 1, replay: 'replay', write: () => {}, traceDir });
}

type Reply = Record<string, unknown>;

/**
 * A scripted peer: never a leader to getState (the monitor must find leaders on the wire); accepts
 * everything in the RPC's term, unless a test sets the reply.
 */
class Peer {
  appendReply: Reply | null = null;
  voteReply: Reply | null = null;
  getState(): { term: number; isLeader: boolean } {
    return { term: 0, isLeader: false };
  }
  AppendEntries(args: Reply): Reply {
    return this.appendReply ?? { term: args.term, success: true };
  }
  RequestVote(args: Reply): Reply {
    return this.voteReply ?? { term: args.term, voteGranted: true };
  }
}

interface Rig {
  peers: Peer[];
  call(i: number, j: number, method: string, args: Reply): Promise<unknown>;
  /** Server i applied `command` at `index`, as the Raft tester's appliers report it. */
  applied(i: number, index: number, command: unknown): void;
}

function rig(ctx: LabContext, n: number): Rig {
  const net = new Network();
  const peers = Array.from({ length: n }, () => new Peer());
  const owner = new Map<string, { from: number; to: number }>();
  const ends = new Map<string, ClientEnd>();
  const watch = new ClusterWatch({
    ctx,
    n,
    net,
    peer: (i) => peers[i],
    attachment: () => 'connected',
    endpointOf: (end) => owner.get(end),
    voters: n,
    compacts: false,
  });
  for (let j = 0; j < n; j++) watch.construct(j, () => peers[j]);
  meshOf(net, peers, ends, owner);
  return {
    peers,
    call: (i, j, method, args) => (ends.get(`${i}-${j}`) as ClientEnd).call(`Raft.${method}`, args),
    applied: (i, index, command) => watch.monitor.applied(i, index, command),
  };
}

const entry = (term: number, command: unknown): Reply => ({ term, command });
const ae = (
  term: number,
  prevLogIndex: number,
  prevLogTerm: number,
  entries: Reply[],
  leaderCommit = 0,
): Reply => ({
  term,
  leaderId: 0,
  prevLogIndex,
  prevLogTerm,
  entries,
  leaderCommit,
});
const rv = (term: number, lastLogIndex = 0, lastLogTerm = 0): Reply => ({
  term,
  candidateId: 0,
  lastLogIndex,
  lastLogTerm,
});

/** Win an election for `leader` in `term` with every other vote. */
async function elect(r: Rig, leader: number, term: number, lastLogIndex = 0, lastLogTerm = 0): Promise<void> {
  for (let j = 0; j < r.peers.length; j++) {
    if (j !== leader) await r.call(leader, j, 'RequestVote', rv(term, lastLogIndex, lastLogTerm));
  }
}

describe('the invariant monitor, from the wire', () => {
  test('a correct schedule passes: an election, entries replicated and committed, a heartbeat', async () => {
    const result = await run(async (ctx) => {
      const r = rig(ctx, 3);
      await elect(r, 0, 1);
      await r.call(0, 1, 'AppendEntries', ae(1, 0, 0, [entry(1, 'x')]));
      await r.call(0, 2, 'AppendEntries', ae(1, 0, 0, [entry(1, 'x')], 1));
      await r.call(0, 1, 'AppendEntries', ae(1, 1, 1, [], 1));
    });
    expect(result.error?.message).toBeUndefined();
  });

  test('two servers sending AppendEntries in one term: Election Safety, at the second one', async () => {
    const result = await run(async (ctx) => {
      const r = rig(ctx, 3);
      await elect(r, 0, 2);
      await r.call(0, 2, 'AppendEntries', ae(2, 0, 0, []));
      await sleep(200);
      await r.call(1, 2, 'AppendEntries', ae(2, 0, 0, []));
      await sleep(5000);
    });
    expect(result.error?.message).toMatch(
      /^LabCheckFailure: invariant monitor: Election Safety violated Figure 3 at 0\.2\d\d s on AppendEntries #\d+ S1→S2 \(T2, .*S0 and S1 both act as leader of T2/,
    );
  });

  test('a voter granting two candidates in one term: [RV.2], naming both', async () => {
    const result = await run(async (ctx) => {
      const r = rig(ctx, 3);
      await r.call(0, 2, 'RequestVote', rv(4));
      await r.call(1, 2, 'RequestVote', rv(4));
    });
    expect(result.error?.message).toMatch(
      /Election Safety violated \[RV.2\] at 0\.00\d s on RequestVote #2 S1→S2 \(T4, .*S2 granted its vote of T4 twice: to S0/,
    );
  });

  test('a leader without a majority of votes: [C.2]', async () => {
    const result = await run(async (ctx) => {
      const r = rig(ctx, 5);
      await r.call(3, 4, 'RequestVote', rv(2));
      await r.call(3, 0, 'AppendEntries', ae(2, 0, 0, []));
    });
    expect(result.error?.message).toMatch(
      /Election Safety violated \[C.2\] .*S3 acts as leader of T2 with the votes of S3, S4 only \(2 of 5/,
    );
  });

  test('a server accepting an older term after it answered a newer one: terms [AE.1]', async () => {
    const result = await run(async (ctx) => {
      const r = rig(ctx, 3);
      await elect(r, 0, 2);
      r.peers[2].voteReply = { term: 3, voteGranted: false }; // it refuses a candidate of T3: it is in T3
      await r.call(1, 2, 'RequestVote', rv(3));
      await r.call(0, 2, 'AppendEntries', ae(2, 0, 0, [])); // and takes the old leader's heartbeat
    });
    expect(result.error?.message).toMatch(
      /terms violated \[AE.1\] .*AppendEntries #\d+ S0→S2 \(T2, .*S2 accepted this RPC of T2, though it had already reached T3 \(S2 answered RequestVote #\d+ S1→S2 \(T3\)/,
    );
  });

  test('the same server refusing the older term once it answered the newer one: no alarm', async () => {
    const result = await run(async (ctx) => {
      const r = rig(ctx, 3);
      await elect(r, 0, 2);
      r.peers[2].voteReply = { term: 3, voteGranted: false };
      await r.call(1, 2, 'RequestVote', rv(3));
      r.peers[2].appendReply = { term: 3, success: false };
      await r.call(0, 2, 'AppendEntries', ae(2, 0, 0, []));
    });
    expect(result.error?.message).toBeUndefined();
  });

  test('a follower accepting an AppendEntries whose prevLogTerm is not its own: [AE.2]', async () => {
    const result = await run(async (ctx) => {
      const r = rig(ctx, 5); // one follower's acknowledgement commits nothing
      await elect(r, 0, 1);
      await r.call(0, 2, 'AppendEntries', ae(1, 0, 0, [entry(1, 'a')]));
      await elect(r, 1, 2, 1, 2);
      await r.call(1, 2, 'AppendEntries', ae(2, 1, 2, [entry(2, 'b')]));
    });
    expect(result.error?.message).toMatch(
      /Log Matching violated \[AE.2\] .* AppendEntries #\d+ S1→S2 \(T2, prevLogIndex 1, prevLogTerm 2.*S2 accepted it, but it holds index 1 with term 1/,
    );
  });

  test('a later leader without a committed entry: Leader Completeness, at its first AppendEntries', async () => {
    const result = await run(async (ctx) => {
      const r = rig(ctx, 3);
      await elect(r, 0, 1);
      await r.call(0, 1, 'AppendEntries', ae(1, 0, 0, [entry(1, 'a')])); // S0 and S1: a majority of 3
      await elect(r, 2, 2, 1, 1);
      await r.call(2, 1, 'AppendEntries', ae(2, 0, 0, [entry(2, 'b')]));
    });
    expect(result.error?.message).toMatch(
      /Leader Completeness violated Figure 3 .*S2, leader of T2, holds index 1 with term 2, but the entry of term 1 there was committed in T1/,
    );
  });

  test('a leader announcing a commit no majority acknowledged: [L.4]', async () => {
    const result = await run(async (ctx) => {
      const r = rig(ctx, 5);
      await elect(r, 0, 1);
      await r.call(0, 1, 'AppendEntries', ae(1, 0, 0, [entry(1, 'a')]));
      await r.call(0, 2, 'AppendEntries', ae(1, 1, 1, [], 1));
    });
    expect(result.error?.message).toMatch(
      /commit rule violated \[L.4\] .*S0 tells its followers index 1 is committed/,
    );
  });

  /**
   * Figure 8 as the commit-earlier-term mutant (scripts/mutants/catalog.ts) plays it: S0 leads T1 and
   * commits a, b, c; x (T1) reaches only S1; S0 is elected again in T3 and copies x to S2, so a majority
   * holds x, and applies it at once, before any AppendEntries carries the new leaderCommit. Its apply is
   * the first sign, and the message must name the rule broken upstream, not only the apply.
   */
  async function figure8(r: Rig, thenOwnTerm: boolean): Promise<void> {
    await elect(r, 0, 1);
    const abc = [entry(1, 'a'), entry(1, 'b'), entry(1, 'c')];
    for (const j of [1, 2]) await r.call(0, j, 'AppendEntries', ae(1, 0, 0, abc));
    for (const j of [1, 2]) await r.call(0, j, 'AppendEntries', ae(1, 3, 1, [], 3));
    ['a', 'b', 'c'].forEach((command, k) => r.applied(0, k + 1, command));
    await r.call(0, 1, 'AppendEntries', ae(1, 3, 1, [entry(1, 'x')], 3));
    await elect(r, 0, 3, 4, 1);
    for (const j of [1, 2]) await r.call(0, j, 'AppendEntries', ae(3, 3, 1, [entry(1, 'x')], 3));
    if (thenOwnTerm) {
      for (const j of [1, 2]) await r.call(0, j, 'AppendEntries', ae(3, 4, 1, [entry(3, 'y')], 3));
    }
    r.applied(0, 4, 'x');
  }

  test('a leader applying an earlier term’s entry a majority holds: [L.4] Figure 8, at its apply', async () => {
    const result = await run(async (ctx) => figure8(rig(ctx, 5), false));
    expect(result.error?.message).toMatch(
      /^LabCheckFailure: invariant monitor: commit rule violated \[L.4\] \(Figure 8\) at 0\.0\d\d s: S0, leader of T3, committed index 4 by counting replicas: a majority holds it \(acknowledgements in T3: S1 up to 4, S2 up to 4\), but its entry there is of T1.*Figure 8: a leader never commits an entry of an earlier term by counting replicas.*The symptom: S0 applied index 4 before it was committed \[All.1\]/,
    );
  });

  test('the same entry applied once an entry of the leader’s term follows it on a majority: no alarm', async () => {
    const result = await run(async (ctx) => figure8(rig(ctx, 5), true));
    expect(result.error?.message).toBeUndefined();
  });

  test('shapes it cannot read leave it silent (no false alarm on a student’s own field names)', async () => {
    const result = await run(async (ctx) => {
      const r = rig(ctx, 3);
      for (const p of r.peers) p.appendReply = { T: 0, ok: true };
      await r.call(0, 2, 'AppendEntries', { t: 2, prev: 0, log: [] });
      await r.call(1, 2, 'AppendEntries', { t: 2, prev: 0, log: [] });
    });
    expect(result.error?.message).toBeUndefined();
  });

  test('Figure 2 names under another capitalisation are read (PrevLogIndex, Term)', async () => {
    const result = await run(async (ctx) => {
      const r = rig(ctx, 3);
      r.peers[2].voteReply = { Term: 4, VoteGranted: true };
      await r.call(0, 2, 'RequestVote', { Term: 4, CandidateId: 0, LastLogIndex: 0, LastLogTerm: 0 });
      await r.call(1, 2, 'RequestVote', { Term: 4, CandidateId: 1, LastLogIndex: 0, LastLogTerm: 0 });
    });
    expect(result.error?.message).toMatch(/S2 granted its vote of T4 twice/);
  });
});
