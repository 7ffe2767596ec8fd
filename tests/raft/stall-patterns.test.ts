/**
 * The stall explanations (stall-patterns.ts) on planted schedules: each test writes the RPCs a broken
 * peer would produce over a few seconds, as the monitor records them, and the pattern must name it with
 * its rule; a healthy schedule matches nothing.
 */
import type { Source } from './log-knowledge';
import type { Rpc } from './monitor-rpc';
import { explainStall } from './stall-patterns';

let ids = 0;

function delivery(): NonNullable<Rpc['delivered']> {
  return {
    epoch: 0,
    at: 0,
    incarnation: 0,
    prior: undefined,
    voterLast: null,
    termBefore: null,
    clean: true,
  };
}

/** An AppendEntries from `from` to `to`, answered `ok` (or unanswered: null). */
function ae(
  at: number,
  from: number,
  to: number,
  term: number,
  prevLogIndex: number,
  ok: boolean | null,
): Rpc {
  const rpc: Rpc = {
    id: ++ids,
    method: 'AppendEntries',
    from,
    to,
    term,
    at,
    ae: { term, prevLogIndex, prevLogTerm: term, count: 0, terms: [], entries: [], leaderCommit: 0 },
    delivered: delivery(),
    done: true,
  };
  if (ok !== null) rpc.outcome = { ok, term, at: at + 1 };
  return rpc;
}

function rv(at: number, from: number, to: number, term: number, granted: boolean, delivered = true): Rpc {
  return {
    id: ++ids,
    method: 'RequestVote',
    from,
    to,
    term,
    at,
    rv: { term, lastLog: { index: 0, term: 0 } },
    delivered: delivered ? delivery() : null,
    done: true,
    outcome: delivered ? { ok: granted, term, at: at + 1 } : undefined,
  };
}

const ctx = { now: 10_000, voters: 3 };

describe('stall explanations', () => {
  test('a healthy leader with steady heartbeats matches no pattern', () => {
    const rpcs: Rpc[] = [];
    for (let t = 7000; t < 10_000; t += 100) rpcs.push(ae(t, 0, 1, 3, 20, true), ae(t, 0, 2, 3, 20, true));
    expect(explainStall(rpcs, ctx)).toEqual([]);
  });

  test('prevLogIndex walking back one entry per refusal: [L.3b] slow backtracking', () => {
    const rpcs = Array.from({ length: 40 }, (_, k) => ae(7000 + 50 * k, 2, 1, 9, 300 - k, false));
    const [why] = explainStall(rpcs, ctx);
    expect(why).toMatch(
      /^\[L\.3b\] slow backtracking: S2's AppendEntries to S1 \(T9\) were refused 40 times in a row, prevLogIndex walking back one entry per round trip \(300 → 261\)/,
    );
  });

  test('refusals at one prevLogIndex, never accepted: [L.3b] nextIndex never moves', () => {
    const rpcs = Array.from({ length: 12 }, (_, k) => ae(7000 + 200 * k, 0, 2, 4, 17, false));
    expect(explainStall(rpcs, ctx)[0]).toMatch(
      /^\[L\.3b\] S0's AppendEntries to S2 \(T4\) were refused 12 times at prevLogIndex 17/,
    );
  });

  test('a candidate one vote short that never leads: [C.1] its own vote', () => {
    const rpcs = [rv(8000, 1, 0, 7, true), rv(8000, 1, 2, 7, false, false)];
    expect(explainStall(rpcs, ctx)[0]).toMatch(
      /^\[C\.1\] S1 got the votes of S0 in T7, with its own a majority of 3/,
    );
  });

  test('voters refusing everyone in terms they granted no one: [All.2] votedFor kept', () => {
    const rpcs: Rpc[] = [];
    for (let term = 5; term < 9; term++) rpcs.push(rv(7000 + 400 * term, term % 2, 2, term, false));
    expect(explainStall(rpcs, ctx)[0]).toMatch(/^\[All\.2\] 4 votes refused by servers that granted no one/);
  });

  test('elections that keep splitting, candidates starting together: [F.2] split votes', () => {
    const rpcs: Rpc[] = [];
    for (let term = 2; term < 8; term++) {
      const at = 7000 + 400 * (term - 2);
      for (const c of [0, 1, 2]) for (const v of [0, 1, 2]) if (v !== c) rpcs.push(rv(at, c, v, term, false));
    }
    expect(explainStall(rpcs, ctx)[0]).toMatch(
      /^\[F\.2\] split votes: 6 elections in the last 3 s elected no one, 3\.0 candidates per term, the best got 1 of 3 votes, and candidates of one term started within 0 ms/,
    );
  });

  test('no leader and nobody asking for votes any more: [C.4]', () => {
    const rpcs = [rv(7100, 0, 1, 3, false), rv(7100, 0, 2, 3, false), ae(9000, 2, 0, 1, 0, null)];
    rpcs[2].delivered = null; // a cut-off old leader still sends: it reaches no one
    expect(explainStall(rpcs, ctx)[0]).toMatch(
      /^\[C\.4\] no leader, and no server others can reach asked for votes since 7\.100 s \(S0, T3\)/,
    );
  });

  test('heartbeats slower than the election timeout: [L.1]', () => {
    const rpcs = [ae(7000, 0, 1, 2, 5, true), ae(7800, 0, 1, 2, 5, true), ae(8600, 0, 1, 2, 5, true)];
    rpcs.push(rv(8400, 1, 0, 3, false));
    expect(explainStall(rpcs, ctx)).toContainEqual(
      expect.stringMatching(/^\[L\.1\] S0 \(T2\) sends AppendEntries to S1 every 800 ms/),
    );
  });

  test('hundreds of AppendEntries a second: [L.1] RPC rate', () => {
    const rpcs = Array.from({ length: 1500 }, (_, k) => ae(7000 + 2 * k, 0, 1, 2, 5, true));
    expect(explainStall(rpcs, ctx)[0]).toMatch(/^\[L\.1\] S0 sends about 500 AppendEntries a second to S1/);
  });
});

/**
 * A planted bug, run for real: a peer that refuses every RequestVote at once, without moving to the
 * candidate's newer term (a stub left in place, or a term check the wrong way round). Every server
 * times out and campaigns in turn, so the elections look split; the explanation must name the voters'
 * rules instead, and no split vote.
 */
describe('stall explanations of a peer that never grants a vote', () => {
  function neverGrants(at: number, from: number, to: number, term: number, voterTerm: number): Rpc {
    const rpc = rv(at, from, to, term, false);
    rpc.outcome = { ok: false, term: voterTerm, at: at + 1 };
    return rpc;
  }

  test('refusals in an older term, candidates far apart: [All.2], not [F.2] split votes', () => {
    // As the planted peer's run shows it: each server campaigns alone, one term past its own last one;
    // the others answer in the term they are in.
    const rpcs: Rpc[] = [];
    const terms = [0, 0, 0];
    for (let k = 0; k < 9; k++) {
      const c = k % 3;
      terms[c] += 1;
      for (const v of [0, 1, 2])
        if (v !== c) rpcs.push(neverGrants(7000 + 330 * k, c, v, terms[c], terms[v]));
    }
    const found = explainStall(rpcs, ctx);
    expect(found[0]).toMatch(
      /^\[All\.2\] no vote was granted in the last 3 s: \d+ RequestVotes refused by servers that were no rival candidates in that term when they answered/,
    );
    expect(found.join('\n')).not.toMatch(/\[F\.2\] split votes/);
  });

  test('refusals in the candidate’s own term with non-empty logs: [RV.2]', () => {
    const rpcs: Rpc[] = [];
    for (let term = 4; term < 10; term++) {
      const c = term % 3;
      for (const v of [0, 1, 2]) {
        if (v === c) continue;
        const rpc = rv(7000 + 300 * (term - 4), c, v, term, false);
        if (rpc.rv !== undefined) rpc.rv.lastLog = { index: 12, term: 3 };
        rpcs.push(rpc);
      }
    }
    expect(explainStall(rpcs, ctx)[0]).toMatch(/^\[RV\.2\] no vote was granted in the last 3 s/);
  });
});

/**
 * A planted bug, as a student wrote it: the RequestVote handler restarts the election timer first thing,
 * for every request of the current term, granted or not. Under churn a restarted server with a short
 * log keeps timing out and asking; the others refuse it, rightly, but each refusal restarts their timers,
 * so the servers that could win never stand (the peer "rarely elects").
 */
describe('stall explanations of a voter whose refusals restart its election timer', () => {
  /** S0 or S2 acknowledged index 7 (T3) at 6 s: what the monitor knows of its log. */
  const acked = (v: number): Source => ({
    rpc: 1,
    method: 'AppendEntries',
    from: 0,
    to: v,
    term: 3,
    at: 6000,
    how: 'acknowledged',
  });

  /** S1 (index 5 of T2) asks every 400 ms from 7 s on; S0 and S2 (index 7 of T3) refuse in its term. */
  function staleCandidate(voterStands: (voter: number, at: number) => boolean): Rpc[] {
    const rpcs: Rpc[] = [];
    for (let k = 0, term = 4; k < 8; k++, term++) {
      const at = 7000 + 400 * k;
      for (const v of [0, 2]) {
        if (voterStands(v, at)) {
          rpcs.push(rv(at + 5, v, 1, term, false)); // (the test only needs that it asked)
          continue;
        }
        const rpc = rv(at, 1, v, term, false);
        if (rpc.rv !== undefined) rpc.rv.lastLog = { index: 5, term: 2 };
        if (rpc.delivered !== null)
          rpc.delivered.voterLast = { index: 7, fact: { term: 3, source: acked(v) } };
        rpcs.push(rpc);
      }
    }
    return rpcs;
  }

  test('voters ahead of the candidate refuse it for 3 s and never stand: [F.2], not [RV.2]', () => {
    const found = explainStall(
      staleCandidate(() => false),
      ctx,
    );
    expect(found[0]).toBe(
      '[F.2] a refused vote (or a newer term) restarts the election timer: S0, S2 refused 16 RequestVotes ' +
        'from S1 between 7.000 s and 9.800 s (8 elections, T4–T11: a newer term every 0.40 s), rightly: the ' +
        "candidates' logs were behind (S0 holds index 7 of T3; S1 asked in T11 with index 5 of T2). Yet for " +
        '2.80 s S0, S2 never stood for election, though no leader reached them and they granted no vote. A ' +
        'follower restarts its election timer only when it grants a vote or hears from the current leader ' +
        '(Figure 2, Followers), not when it refuses a vote or merely moves to a newer term; otherwise the ' +
        'servers that could win keep waiting while the ones that cannot keep asking.',
    );
    expect(found.join('\n')).not.toMatch(/\[RV\.2\]|\[All\.2\]|split votes/);
  });

  test('voters whose timers run on stand within a timeout: no [F.2] refusal finding', () => {
    // A correct voter's timer is not restarted by a refusal: each stands once its timeout elapses.
    const found = explainStall(
      staleCandidate((v, at) => at >= (v === 0 ? 7800 : 8200)),
      ctx,
    );
    expect(found.join('\n')).not.toMatch(/refused vote restarts/);
  });
});

/**
 * The same bug in a real student's peer (2C "more persistence", seed 978434077), whose election timer
 * restarts whenever it moves to a newer term: of five servers only S2, S3 and S4 are connected. S2 and S3
 * (log up to index 7 of T9) take turns asking every 0.3-0.4 s and vote for each other; S4 (index 8 of
 * T9) refuses them, rightly, but each request's newer term restarts its timer, so for 9 s it never
 * stands. Its timer finally beats the next request at 16.694 s: it wins at once, 14 ms before one()
 * gives up, so the window ends with a leader.
 */
describe('stall explanations of a voter whose timer restarts on every newer term', () => {
  const ctx5 = { now: 16_710, voters: 5 };

  /** S4 acknowledged index 8 (T9) from S1 at 5.633 s: what the monitor knows of its log. */
  const s4Log = {
    index: 8,
    fact: {
      term: 9,
      source: {
        rpc: 344,
        method: 'AppendEntries' as const,
        from: 1,
        to: 4,
        term: 9,
        at: 5633,
        how: 'acknowledged' as const,
      },
    },
  };

  function election(at: number, candidate: number, term: number, grants: (v: number) => boolean): Rpc[] {
    const out: Rpc[] = [];
    for (let v = 0; v < 5; v++) {
      if (v === candidate) continue;
      const connected = v >= 2 && candidate >= 2;
      const rpc = rv(at, candidate, v, term, grants(v), connected);
      if (rpc.rv !== undefined)
        rpc.rv.lastLog = candidate === 4 ? { index: 8, term: 9 } : { index: 7, term: 9 };
      if (rpc.delivered !== null && v === 4) rpc.delivered.voterLast = s4Log;
      out.push(rpc);
    }
    return out;
  }

  /** `s4Stands`: when S4's timer fires, if it runs on (a correct voter); null for the real run. */
  function realRun(s4Stands: number | null): Rpc[] {
    const rpcs: Rpc[] = [];
    // The old leader S1 (T9), cut off, still sends its heartbeats: they reach no one.
    for (let t = 13_797; t < 16_710; t += 100)
      for (const v of [0, 2, 3, 4]) {
        const hb = ae(t, 1, v, 9, 8, null);
        hb.delivered = null;
        rpcs.push(hb);
      }
    // S0, cut off too, keeps campaigning in its own terms.
    for (const [at, term] of [
      [14_152, 28],
      [14_604, 29],
      [14_970, 30],
      [15_310, 31],
      [15_706, 32],
      [16_199, 33],
      [16_543, 34],
    ])
      for (const v of [1, 2, 3, 4]) rpcs.push(rv(at, 0, v, term, false, false));
    // S2 and S3 take turns (both in T33: a split vote); S4 refuses them all.
    const schedule: [number, number, number][] = [
      [13_942, 3, 30],
      [14_357, 3, 31],
      [14_681, 3, 32],
      [15_012, 3, 33],
      [15_013, 2, 33],
      [15_317, 2, 34],
      [15_732, 2, 35],
      [16_047, 2, 36],
      [16_366, 3, 37],
    ];
    let term = 38;
    for (const [at, candidate, t] of schedule) {
      if (s4Stands !== null && at > s4Stands) break;
      term = t + 1;
      rpcs.push(...election(at, candidate, t, (v) => v !== 4 && t !== 33));
    }
    const stand = s4Stands ?? 16_694;
    rpcs.push(...election(stand, 4, term, () => true));
    for (const v of [0, 1, 2, 3]) {
      const hb = ae(stand + 2, 4, v, term, 8, v >= 2);
      if (v < 2) hb.delivered = null;
      rpcs.push(hb);
    }
    return rpcs.sort((a, b) => a.at - b.at);
  }

  test('a voter ahead that refuses for 2.75 s and wins at once when it finally stands: [F.2]', () => {
    const found = explainStall(realRun(null), ctx5);
    expect(found[0]).toBe(
      '[F.2] a refused vote (or a newer term) restarts the election timer: S4 refused 9 RequestVotes from ' +
        'S2, S3 between 13.942 s and 16.366 s (9 elections, T30–T37: a newer term every 0.35 s), rightly: ' +
        "the candidates' logs were behind (S4 holds index 8 of T9; S3 asked in T37 with index 7 of T9). Yet " +
        'for 2.75 s S4 never stood for election, though no leader reached it and it granted no vote; it stood ' +
        'only at 16.694 s (T38), and won at once (3 of 5 votes): the votes were there all along. A follower ' +
        'restarts its election timer only when it grants a vote or hears from the current leader (Figure 2, ' +
        'Followers), not when it refuses a vote or merely moves to a newer term; otherwise the servers that ' +
        'could win keep waiting while the ones that cannot keep asking.',
    );
  });

  test('the same cluster with a voter whose timer runs on: it stands within a timeout, no finding', () => {
    // (S4's timer, restarted at 13.7 s at the latest, fires within 600 ms however many terms go by.)
    const found = explainStall(realRun(14_300), ctx5);
    expect(found.join('\n')).not.toMatch(/restarts the election timer/);
  });

  test('membership may change: a server that never stands may be outside its configuration, no finding', () => {
    // ([M.9] a removed server, which older configurations' candidates still ask, rightly waits.)
    const found = explainStall(realRun(null), { ...ctx5, voters: null });
    expect(found.join('\n')).not.toMatch(/restarts the election timer/);
  });

  test('a voter that refuses, crashes and stands only after its restart: no finding', () => {
    // S4 refuses T30-T32 (0.74 s), is down from 14.8 s (the requests to it reach no one) and back at
    // 16.3 s, where its new timer runs from: it stands at 16.694 s. A restart starts the timer afresh.
    const rpcs = realRun(null).filter((r) => !(r.rv !== undefined && r.to === 4 && r.at >= 15_000));
    for (const r of realRun(null))
      if (r.rv !== undefined && r.to === 4 && r.at >= 15_000 && r.at < 16_300) {
        r.delivered = null;
        r.outcome = undefined;
        rpcs.push(r);
      }
    const found = explainStall(
      rpcs.sort((a, b) => a.at - b.at),
      ctx5,
    );
    expect(found.join('\n')).not.toMatch(/restarts the election timer/);
  });
});
