/**
 * Part 2C: persistence (6.824 test_test.go, catalog §6.3): crashes and restarts, Figure 8's scenario,
 * unreliable networks with long reordering, and churn; and beyond Go, Figure 8 scripted step by step.
 */
import { randomInt, sleep } from '../../labrpc';
import { RAFT_ELECTION_TIMEOUT } from './2A.tests';
import { randCommand, raftTest, type RaftConfig } from './config';

export const tests = [
  // Go: TestPersist12C
  raftTest({
    part: '2C',
    title: 'basic persistence',
    servers: 3,
    async body(cfg) {
      await cfg.one(11, 3, true);

      // crash and re-start all
      for (let i = 0; i < 3; i++) cfg.start1(i);
      for (let i = 0; i < 3; i++) {
        cfg.disconnect(i);
        cfg.connect(i);
      }

      await cfg.one(12, 3, true);

      const leader1 = await cfg.checkOneLeader();
      cfg.disconnect(leader1);
      cfg.start1(leader1);
      cfg.connect(leader1);

      await cfg.one(13, 3, true);

      const leader2 = await cfg.checkOneLeader();
      cfg.disconnect(leader2);
      await cfg.one(14, 2, true);
      cfg.start1(leader2);
      cfg.connect(leader2);

      await cfg.wait(4, 3, -1); // wait for leader2 to join before killing i3

      const i3 = ((await cfg.checkOneLeader()) + 1) % 3;
      cfg.disconnect(i3);
      await cfg.one(15, 2, true);
      cfg.start1(i3);
      cfg.connect(i3);

      await cfg.one(16, 3, true);
    },
  }),

  // Go: TestPersist22C
  raftTest({
    part: '2C',
    title: 'more persistence',
    servers: 5,
    async body(cfg) {
      const servers = 5;
      let index = 1;
      for (let iters = 0; iters < 5; iters++) {
        await cfg.one(10 + index++, servers, true);

        const leader1 = await cfg.checkOneLeader();
        cfg.disconnect((leader1 + 1) % servers);
        cfg.disconnect((leader1 + 2) % servers);

        await cfg.one(10 + index++, servers - 2, true);

        cfg.disconnect((leader1 + 0) % servers);
        cfg.disconnect((leader1 + 3) % servers);
        cfg.disconnect((leader1 + 4) % servers);

        cfg.start1((leader1 + 1) % servers);
        cfg.start1((leader1 + 2) % servers);
        cfg.connect((leader1 + 1) % servers);
        cfg.connect((leader1 + 2) % servers);

        await sleep(RAFT_ELECTION_TIMEOUT);

        cfg.start1((leader1 + 3) % servers);
        cfg.connect((leader1 + 3) % servers);

        await cfg.one(10 + index++, servers - 2, true);

        cfg.connect((leader1 + 4) % servers);
        cfg.connect((leader1 + 0) % servers);
      }
      await cfg.one(1000, servers, true);
    },
  }),

  // Go: TestPersist32C
  raftTest({
    part: '2C',
    title: 'partitioned leader and one follower crash, leader restarts',
    servers: 3,
    async body(cfg) {
      const servers = 3;
      await cfg.one(101, 3, true);

      const leader = await cfg.checkOneLeader();
      cfg.disconnect((leader + 2) % servers);

      await cfg.one(102, 2, true);

      cfg.crash1((leader + 0) % servers);
      cfg.crash1((leader + 1) % servers);
      cfg.connect((leader + 2) % servers);
      cfg.start1((leader + 0) % servers);
      cfg.connect((leader + 0) % servers);

      await cfg.one(103, 2, true);

      cfg.start1((leader + 1) % servers);
      cfg.connect((leader + 1) % servers);

      await cfg.one(104, servers, true);
    },
  }),

  // Go: TestFigure82C
  raftTest({
    part: '2C',
    title: 'Figure 8',
    servers: 5,
    async body(cfg) {
      // Test the scenarios described in Figure 8 of the extended Raft paper. Each iteration asks a leader,
      // if there is one, to insert a command in the Raft log; then crashes and restarts servers. If a
      // leader fails just after submitting a command, the command may or may not end up committed; but
      // a later leader must never commit an entry from a previous term on its own count.
      const servers = 5;
      await cfg.one(randCommand(), 1, true);

      let nup = servers;
      for (let iters = 0; iters < 1000; iters++) {
        let leader = -1;
        for (let i = 0; i < servers; i++) {
          if ((await cfg.rafts[i]?.start(randCommand()))?.isLeader === true) leader = i;
        }
        await figure8Sleep();

        if (leader !== -1) {
          cfg.crash1(leader);
          nup -= 1;
        }
        if (nup < 3) {
          const s = randomInt(servers);
          if (cfg.rafts[s] === null) {
            cfg.start1(s);
            cfg.connect(s);
            nup += 1;
          }
        }
      }

      for (let i = 0; i < servers; i++) {
        if (cfg.rafts[i] === null) {
          cfg.start1(i);
          cfg.connect(i);
        }
      }
      await cfg.one(randCommand(), servers, true);
    },
  }),

  // Beyond Go: TestFigure82C above meets Figure 8's situation only by chance, so a leader that commits
  // an earlier term's entry by counting replicas ([L.4]) passes it on many seeds. This scripts the
  // figure with partitions, whoever wins each election, and fails such a leader on every seed.
  raftTest({
    part: '2C',
    title: 'Figure 8, scripted (a leader commits only entries of its own term)',
    servers: 5,
    body: figure8Scripted,
  }),

  // Go: TestUnreliableAgree2C
  raftTest({
    part: '2C',
    title: 'unreliable agreement',
    servers: 5,
    unreliable: true,
    async body(cfg) {
      const servers = 5;
      const pending: Promise<void>[] = [];
      for (let iters = 1; iters < 50; iters++) {
        for (let j = 0; j < 4; j++)
          pending.push(concurrently(cfg, async () => void (await cfg.one(100 * iters + j, 1, true))));
        await cfg.one(iters, 1, true);
      }

      cfg.setUnreliable(false);
      await Promise.all(pending);
      await cfg.one(100, servers, true);
    },
  }),

  // Go: TestFigure8Unreliable2C
  raftTest({
    part: '2C',
    title: 'Figure 8 (unreliable)',
    servers: 5,
    unreliable: true,
    async body(cfg) {
      const servers = 5;
      await cfg.one(randomInt(10000), 1, true);

      let nup = servers;
      for (let iters = 0; iters < 1000; iters++) {
        if (iters === 200) cfg.setLongReordering(true);
        let leader = -1;
        for (let i = 0; i < servers; i++) {
          const accepted = (await cfg.rafts[i]?.start(randomInt(10000)))?.isLeader ?? false;
          if (accepted && cfg.connected[i]) leader = i;
        }
        await figure8Sleep();

        if (leader !== -1 && randomInt(1000) < 500) {
          cfg.disconnect(leader);
          nup -= 1;
        }
        if (nup < 3) {
          const s = randomInt(servers);
          if (!cfg.connected[s]) {
            cfg.connect(s);
            nup += 1;
          }
        }
      }

      for (let i = 0; i < servers; i++) if (!cfg.connected[i]) cfg.connect(i);
      await cfg.one(randomInt(10000), servers, true);
    },
  }),

  // Go: TestReliableChurn2C
  raftTest({ part: '2C', title: 'churn', servers: 5, body: (cfg) => internalChurn(cfg, false) }),

  // Go: TestUnreliableChurn2C
  raftTest({
    part: '2C',
    title: 'unreliable churn',
    servers: 5,
    unreliable: true,
    body: (cfg) => internalChurn(cfg, true),
  }),
];

/**
 * Figure 8 of the extended Raft paper, step by step. x is stored on a minority in term tx; y at the
 * same index on one server e in a later term; then a leader elected in an even later term copies x to
 * a majority. Counting replicas would commit x, yet e can still win an election and replace x by y:
 * hence [L.4]'s "log[N].term == currentTerm". (It assumes no no-op entry at election, as 6.824 does.)
 */
async function figure8Scripted(cfg: RaftConfig): Promise<void> {
  const servers = 5;
  await cfg.one(randCommand(), servers, true);
  const { a, b, e, others, xs, ys, index, y } = await figure8XandY(cfg);

  // (c) all but e: only a or b (whose logs end with x) can win. Their new leader copies x to a
  // majority, but must not commit it: no entry of its own term follows x.
  for (const i of [a, b, ...others]) cfg.connect(i);
  const l = await cfg.checkOneLeader();
  if (l !== a && l !== b) cfg.fail(`S${l} won an election against S${a} and S${b}, ${notUpToDate(xs)}`);
  await sleep(2 * RAFT_ELECTION_TIMEOUT);
  const { count } = cfg.nCommitted(index);
  if (count > 0) {
    cfg.fail(
      `${count} servers applied ${xs} after S${l} became leader in T${(await cfg.rafts[l]?.getState())?.term}, ` +
        `with no entry of that term in its log: [L.4] a leader commits by counting replicas only an entry ` +
        `of its current term (§5.4.2, Figure 8). S${e}, whose log has ${ys}, can still be elected and ` +
        `replace x`,
    );
  }

  // (d) e and the two others, which now hold x: e's log is more up-to-date, so e wins and replaces x.
  cfg.disconnect(a);
  cfg.disconnect(b);
  cfg.connect(e);
  cfg.scenario = `S${e} (log ending with ${ys}) rejoined S${others[0]} and S${others[1]}, which hold ${xs}`;
  const l2 = await cfg.checkOneLeader();
  if (l2 !== e) cfg.fail(`S${l2} won an election against S${e}, ${notUpToDate(ys)}`);
  await cfg.one(randCommand(), servers - 2, true);
  const committed = cfg.nCommitted(index).command;
  if (committed !== y) cfg.fail(`index ${index} committed ${String(committed)}, expected ${ys}`);

  // everyone: a and b replace x by y.
  cfg.connect(a);
  cfg.connect(b);
  await cfg.one(randCommand(), servers, true);
}

function notUpToDate(entry: string): string {
  return (
    `whose log ends with the later ${entry}: [RV.2] grant a vote only to a candidate whose log is at ` +
    `least as up-to-date (§5.4.1)`
  );
}

/**
 * Figure 8 (a) and (b): x reaches only the leader a and b; then e, elected by the other three, gets y at
 * the same index in a later term, alone. Every server is disconnected on return.
 */
async function figure8XandY(cfg: RaftConfig) {
  const servers = 5;
  // (a) the leader a and one follower b alone: x reaches b only.
  const a = await cfg.checkOneLeader();
  const b = (a + 1) % servers;
  const three = [2, 3, 4].map((k) => (a + k) % servers);
  for (const i of three) cfg.disconnect(i);
  const x = randCommand();
  const sx = await cfg.rafts[a]?.start(x);
  if (sx?.isLeader !== true) cfg.fail(`leader S${a} rejected Start()`);
  await sleep(RAFT_ELECTION_TIMEOUT / 2);
  const xs = `x=${x} (index ${sx.index}, T${sx.term})`;
  if (cfg.nCommitted(sx.index).count > 0) cfg.fail(`${xs} committed on 2 of ${servers} servers`);

  // (b) the other three elect e; e alone gets y at x's index, in a later term.
  cfg.disconnect(a);
  cfg.disconnect(b);
  for (const i of three) cfg.connect(i);
  const e = await cfg.checkOneLeader();
  const others = three.filter((i) => i !== e);
  for (const i of others) cfg.disconnect(i);
  const y = randCommand();
  const sy = await cfg.rafts[e]?.start(y);
  if (sy?.isLeader !== true) cfg.fail(`leader S${e} rejected Start()`);
  if (sy.index !== sx.index) {
    cfg.fail(`S${e} put y=${y} at index ${sy.index}, but x is at ${sx.index}: the logs should end together`);
  }
  cfg.disconnect(e);
  return { a, b, e, others, xs, ys: `y=${y} (index ${sy.index}, T${sy.term})`, index: sx.index, y };
}

/** Figure 8's pause: mostly a few ms, sometimes up to half an election timeout. */
async function figure8Sleep(): Promise<void> {
  if (randomInt(1000) < 100) await sleep(randomInt(RAFT_ELECTION_TIMEOUT / 2));
  else await sleep(randomInt(13));
}

/** Go's `go func() { … }()`: run `fn` alongside the test body; a failed check fails the whole run. */
function concurrently<T>(cfg: RaftConfig, fn: () => Promise<T>): Promise<T | undefined> {
  return fn().catch((error: unknown) => {
    cfg.ctx.fail(error instanceof Error ? error : new Error(String(error)));
    return undefined;
  });
}

/** Go's internalChurn: three clients keep submitting while servers are disconnected, crashed and restarted. */
async function internalChurn(cfg: RaftConfig, unreliable: boolean): Promise<void> {
  const servers = 5;
  const state = { stop: false };
  const clients = [0, 1, 2].map((me) => concurrently(cfg, () => churnClient(cfg, me, state)));

  for (let iters = 0; iters < 20; iters++) {
    if (randomInt(1000) < 200) cfg.disconnect(randomInt(servers));
    if (randomInt(1000) < 500) {
      const i = randomInt(servers);
      if (cfg.rafts[i] === null) cfg.start1(i);
      cfg.connect(i);
    }
    if (randomInt(1000) < 200) {
      const i = randomInt(servers);
      if (cfg.rafts[i] !== null) cfg.crash1(i);
    }
    // Make crash/restart infrequent enough that the peers can often keep up, but not so infrequent
    // that everything has settled down from one change to the next.
    await sleep((RAFT_ELECTION_TIMEOUT * 7) / 10);
  }

  await sleep(RAFT_ELECTION_TIMEOUT);
  cfg.setUnreliable(false);
  for (let i = 0; i < servers; i++) {
    if (cfg.rafts[i] === null) cfg.start1(i);
    cfg.connect(i);
  }

  state.stop = true;
  const values: number[] = [];
  for (const client of clients) {
    const got = await client;
    if (got === undefined) cfg.fail('client failed');
    values.push(...got);
  }

  await sleep(RAFT_ELECTION_TIMEOUT);
  const lastIndex = await cfg.one(randCommand(), servers, true);

  const really: number[] = [];
  for (let index = 1; index <= lastIndex; index++) {
    const v = await cfg.wait(index, servers, -1);
    if (typeof v !== 'number') cfg.fail('not an int');
    really.push(v);
  }
  for (const v1 of values) {
    if (!really.includes(v1))
      cfg.fail(`didn't find a value: ${v1} was committed to a client but is not in the log`);
  }
  void unreliable; // the network was set up by raftTest({ unreliable }); it stays so until above
}

/** One churn client: submit to every live peer, and remember the values it saw committed. */
async function churnClient(cfg: RaftConfig, me: number, state: { stop: boolean }): Promise<number[]> {
  const values: number[] = [];
  while (!state.stop) {
    const x = randCommand();
    let index = -1;
    for (const rf of cfg.rafts) {
      const result = await rf?.start(x);
      if (result?.isLeader) index = result.index;
    }
    if (index === -1) {
      await sleep(79 + me * 17);
      continue;
    }
    // Maybe leader will commit our value, maybe not. But don't wait forever.
    for (const to of [10, 20, 50, 100, 200]) {
      const { count, command } = cfg.nCommitted(index);
      if (count > 0) {
        if (typeof command !== 'number') cfg.fail('wrong command type');
        if (command === x) values.push(x);
        break;
      }
      await sleep(to);
    }
  }
  return values;
}
