/**
 * The tester's own view of a cluster (cluster-watch.ts), on scripted peers: Election Safety fails a run
 * at once with the term, both servers and the times; the diagnosis tells the classic stuck states apart.
 */
import os from 'node:os';
import path from 'node:path';
import { Network, sleep, type ClientEnd } from '../../labrpc';
import { defineLabTest, runLabTest, type LabContext, type RunResult } from '../harness';
import { ClusterWatch, type WatchedPeer } from './cluster-watch';
import { meshOf } from './test-mesh';

const traceDir = path.join(os.tmpdir(), 'raftlab-cluster-watch-tests');

function run(body: (ctx: LabContext) => Promise<void>): Promise<RunResult> {
  const test = defineLabTest({ part: 'harness', title: 'cluster watch probe', body });
  return runLabTest(test, { seed: 1, replay: 'replay', write: () => {}, traceDir });
}

/** A scripted peer: its state is whatever the test sets; its handlers are the test's. */
class Peer implements WatchedPeer {
  term = 0;
  isLeader = false;
  getStateError: Error | null = null;
  stuck = false;
  getState(): { term: number; isLeader: boolean } {
    if (this.getStateError !== null) throw this.getStateError;
    return { term: this.term, isLeader: this.isLeader };
  }
  AppendEntries(): Promise<boolean> | boolean {
    return this.stuck ? new Promise(() => {}) : true;
  }
  RequestVote(): Promise<boolean> | boolean {
    return this.stuck ? new Promise(() => {}) : true;
  }
}

interface Rig {
  peers: Peer[];
  watch: ClusterWatch;
  /** Server i calls `method` on server j. */
  send(i: number, j: number, method: string): Promise<unknown>;
  crashed: Set<number>;
}

function rig(ctx: LabContext, n: number, badConstructor?: number): Rig {
  const net = new Network();
  const peers: Peer[] = [];
  const crashed = new Set<number>();
  const owner = new Map<string, { from: number; to: number }>();
  const ends = new Map<string, ClientEnd>();
  const watch = new ClusterWatch({
    ctx,
    n,
    net,
    peer: (i) => (crashed.has(i) || peers[i] === undefined ? null : peers[i]),
    attachment: () => 'connected',
    endpointOf: (end) => owner.get(end),
    voters: null,
    compacts: false,
  });
  // Started as the configs start their peers (so a constructor that throws stops the rest).
  for (let i = 0; i < n; i++) {
    peers.push(
      watch.construct(i, () => {
        if (i === badConstructor) throw new TypeError("Cannot read properties of undefined (reading 'term')");
        return new Peer();
      }),
    );
  }
  meshOf(net, peers, ends, owner);
  return {
    peers,
    watch,
    crashed,
    send(i, j, method) {
      return (ends.get(`${i}-${j}`) as ClientEnd).call(`Raft.${method}`, {});
    },
  };
}

describe('Election Safety, from what the tester sees', () => {
  test('two servers sending RPCs as leaders of the same term fail the run at once', async () => {
    const result = await run(async (ctx) => {
      const r = rig(ctx, 3);
      r.peers[0].term = r.peers[1].term = 3;
      r.peers[0].isLeader = true;
      await r.send(0, 2, 'AppendEntries');
      await sleep(500);
      r.peers[1].isLeader = true;
      void r.send(1, 2, 'AppendEntries');
      await sleep(10_000);
    });
    expect(result.passed).toBe(false);
    expect(result.virtualMs).toBeLessThan(510);
    expect(result.error?.message).toMatch(
      /^LabCheckFailure: Election Safety violated: S0 and S1 were both leader in term 3 \(S0 seen leading at 0\.000 s, S1 at 0\.502 s\)/,
    );
  });

  test('a leader claim made to a check (getState, start) counts too, even from a server that crashed since', async () => {
    const result = await run(async (ctx) => {
      const r = rig(ctx, 3);
      r.watch.claim(2, { term: 7, isLeader: true });
      r.crashed.add(2);
      await sleep(100);
      r.watch.claim(0, { term: 7, isLeader: true });
      await sleep(10_000);
    });
    expect(result.error?.message).toMatch(/Election Safety violated: S2 and S0 were both leader in term 7/);
  });

  test('one leader per term, terms after terms, passes; so does the same leader seen many times', async () => {
    const result = await run(async (ctx) => {
      const r = rig(ctx, 3);
      for (let term = 1; term <= 5; term++) {
        const leader = term % 3;
        for (const p of r.peers) p.term = term;
        r.peers.forEach((p, i) => (p.isLeader = i === leader));
        await r.send(leader, (leader + 1) % 3, 'AppendEntries');
        r.watch.claim(leader, { term, isLeader: true });
        r.watch.claim((leader + 1) % 3, { term, isLeader: false });
      }
    });
    expect(result.passed).toBe(true);
  });
});

describe('the diagnosis under a failure', () => {
  async function diagnosis(script: (r: Rig) => Promise<void>): Promise<string> {
    let lines: string[] = [];
    const result = await run(async (ctx) => {
      const r = rig(ctx, 3);
      await script(r);
      lines = r.watch.diagnose();
    });
    expect(result.passed).toBe(true);
    return lines.join('\n');
  }

  test('no RPC from anyone: it says so and points at the election timer', async () => {
    const text = await diagnosis(async () => {
      await sleep(5000);
    });
    expect(text).toMatch(
      /S0 {2}connected, T0 not leader; last AppendEntries received: never; sent 0, received 0/,
    );
    expect(text).toMatch(
      /no server has sent a single RPC since the test began: does each peer start its election timer/,
    );
    expect(text).not.toMatch(/handlers that have not returned/);
  });

  test('under a second into the test, silence is not called out (no election timeout has expired yet)', async () => {
    const text = await diagnosis(async () => {
      await sleep(500);
    });
    expect(text).not.toMatch(/no server has sent a single RPC/);
  });

  test('a handler that never returns is listed with its server, method, sender and since when', async () => {
    const text = await diagnosis(async (r) => {
      r.peers[1].stuck = true;
      await sleep(300);
      void r.send(0, 1, 'RequestVote');
      void r.send(2, 0, 'RequestVote');
      await sleep(100);
      void r.send(2, 1, 'RequestVote');
      await sleep(4600);
    });
    expect(text).toMatch(/handlers that have not returned/);
    expect(text).toMatch(
      /S1 Raft\.RequestVote: 2 calls, the oldest from S0, running since 0\.301 s \(4699 ms\)/,
    );
    expect(text).not.toMatch(/S0 Raft\.RequestVote/);
    expect(text).toMatch(/S1 {2}connected, T0 not leader; .*handlers running 2/);
    expect(text).not.toMatch(/no server has sent/);
  });

  test('a leader that stopped sending AppendEntries is named, with the time of its last one', async () => {
    const text = await diagnosis(async (r) => {
      for (const p of r.peers) p.term = 1;
      r.peers[0].isLeader = true;
      await sleep(300);
      await r.send(0, 1, 'AppendEntries');
      await sleep(4700);
    });
    expect(text).toMatch(
      /S0 is leader in T1 but sent no AppendEntries since 0\.300 s: are its heartbeats on a timer/,
    );
    expect(text).toMatch(/S1 {2}connected, T1 not leader; last AppendEntries received: 0\.301 s from S0/);
  });

  test('RPC counts cover the last second only; a crashed server and a getState that throws are shown', async () => {
    const text = await diagnosis(async (r) => {
      for (let k = 0; k < 5; k++) await r.send(0, 1, 'RequestVote');
      await sleep(2000);
      for (let k = 0; k < 3; k++) await r.send(0, 1, 'RequestVote');
      r.crashed.add(2);
      const todo = new Error('not implemented yet: 2A: getState');
      todo.name = 'NotImplementedError';
      r.peers[1].getStateError = todo;
    });
    expect(text).toMatch(/S0 {2}connected, T0 not leader; .*sent 3, received 0, answered 0/);
    expect(text).toMatch(/S1 {2}connected, getState\(\) threw; .*sent 0, received 3, answered 3/);
    expect(text).toMatch(/S2 {2}crashed/);
    expect(text).toMatch(/getState\(\) of S1 threw NotImplementedError: not implemented yet: 2A: getState/);
  });
});

describe('the diagnosis sees leadership churn', () => {
  test('four new leaders within 5 s are called out, with their terms; one stable leader is not', async () => {
    const lines: string[][] = [];
    const result = await run(async (ctx) => {
      const r = rig(ctx, 3);
      for (let term = 1; term <= 4; term++) {
        r.watch.claim(term % 3, { term, isLeader: true });
        await sleep(1000);
      }
      lines.push(r.watch.diagnose());
      await sleep(5000);
      r.watch.claim(2, { term: 5, isLeader: true });
      lines.push(r.watch.diagnose());
    });
    expect(result.passed).toBe(true);
    expect(lines[0].join('\n')).toMatch(
      /4 new leaders in the last 5 s \(T1 S1, T2 S2, T3 S0, T4 S1\): leadership keeps changing/,
    );
    expect(lines[1].join('\n')).not.toMatch(/leadership keeps changing/);
  });
});

describe('the diagnosis reaches the failure report', () => {
  test('a failed run prints the lines under its headline, as the cluster was when it was sealed', async () => {
    const result = await run(async (ctx) => {
      const r = rig(ctx, 3);
      ctx.defer(() => r.crashed.add(0).add(1).add(2)); // the peers are killed after…
      ctx.defer(() => r.watch.seal()); // …the seal, as in the configs' cleanup (deferred: last in, first out)
      await sleep(5000);
      throw new Error('expected one leader, got none');
    });
    const message = result.error?.message ?? '';
    expect(message).toMatch(/^Error: expected one leader, got none\n {2}diagnosis:\n {4}what the tester saw/);
    expect(message).toMatch(/no server has sent a single RPC/);
    expect(message).not.toMatch(/S0 {2}crashed/);
  });

  test('a constructor that throws is named, with its headline; the servers after it were never started', async () => {
    const result = await run(async (ctx) => {
      await sleep(10);
      rig(ctx, 3, 0);
    });
    const message = result.error?.message ?? '';
    expect(message).toMatch(
      /^TypeError: Cannot read properties of undefined \(reading 'term'\)\n {2}diagnosis:/,
    );
    expect(message).toMatch(
      /S0 {2}down: its constructor threw at 0\.010 s: TypeError: Cannot read properties of undefined \(reading 'term'\)\n/,
    );
    expect(message).toMatch(/S1 {2}not started/);
    expect(message).toMatch(/the constructor of S0 threw, so the test could not go on/);
    expect(message).not.toMatch(/crashed|no server has sent a single RPC/);
  });

  test('a restart whose constructor throws is told apart from a crash', async () => {
    const result = await run(async (ctx) => {
      const r = rig(ctx, 3);
      await r.send(0, 1, 'RequestVote');
      await sleep(1000);
      r.crashed.add(1).add(2);
      r.watch.construct(2, () => {
        throw new RangeError('readPersist: 7 bytes left over\n(a second line the diagnosis leaves out)');
      });
    });
    const message = result.error?.message ?? '';
    expect(message).toMatch(/S1 {2}crashed\n/);
    expect(message).toMatch(
      /S2 {2}down: its constructor threw at 1\.\d{3} s: RangeError: readPersist: 7 bytes left over\n/,
    );
    expect(message).toMatch(/the constructor of S2 threw/);
  });
});
