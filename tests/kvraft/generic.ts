/**
 * GenericTest and GenericTestSpeed (6.824 kvraft/test_test.go, catalog §7.4–7.5): the parameterised
 * tests that make up most of Lab 3, with their client loops, the partitioner, and the client runners.
 *
 * GenericTest runs three rounds. In each, `nclients` clients (fresh clerks) loop on Append/Get of their
 * own key (or Append/Put/Get of random keys) for 5 s while the test injects its faults; then each
 * client's key is read and every acknowledged Append must be there once, in order. Finally the whole
 * history must be linearizable. Times are virtual; the numbers are Go's.
 */
import { randomInt, sleep } from '../../labrpc';
import type { KvClerk as Clerk } from './student-objects';
import { LabCheckFailure, type LabContext } from '../harness';
import { checkClntAppends } from './appends';
import { CLIENT_LINK_MS } from './client-link';
import { KvConfig } from './config';
import { kvTest } from './kv-test';
import { checkLinearizable } from './linearizable';
import { append, get, OpLog, put, show } from './ops';

/** Go's electionTimeout in the kv tests: how long a leader change may take. */
export const ELECTION_TIMEOUT = 1000;

/**
 * Run `fn` in `ncli` concurrent clients, each with a fresh clerk to every server (Go's run_client and
 * spawn_clients_and_wait). Returns one promise per client, for what its fn returned. A client that
 * fails ends the test at once with its own message (Go only says "failure").
 */
export function spawnClients<T>(
  cfg: KvConfig,
  ncli: number,
  fn: (cli: number, ck: Clerk) => Promise<T>,
): Promise<T>[] {
  return Array.from({ length: ncli }, async (_, cli) => {
    const ck = cfg.makeClient(cfg.all());
    try {
      const result = await fn(cli, ck);
      cfg.deleteClient(ck);
      return result;
    } catch (error) {
      cfg.ctx.fail(error instanceof Error ? error : new LabCheckFailure(String(error)));
      return new Promise<T>(() => {}); // the run ends at the driver's next step
    }
  });
}

/** Go's spawn_clients_and_wait: run the clients and wait until all are done. */
export async function spawnClientsAndWait(
  cfg: KvConfig,
  ncli: number,
  fn: (cli: number, ck: Clerk) => Promise<void>,
): Promise<void> {
  await Promise.all(spawnClients(cfg, ncli, fn));
}

/** Repartition at random every 1–1.2 s until told to stop (Go's partitioner). */
async function partitioner(cfg: KvConfig, done: { partitioner: boolean }): Promise<void> {
  while (!done.partitioner) {
    const a = cfg.all().map(() => randomInt(2));
    const pa = [0, 1].map((group) => cfg.all().filter((j) => a[j] === group));
    cfg.partition(pa[0], pa[1]);
    await sleep(ELECTION_TIMEOUT + randomInt(200));
  }
}

export interface GenericParams {
  part: '3A' | '3B';
  nclients: number;
  nservers: number;
  unreliable: boolean;
  crash: boolean;
  partitions: boolean;
  maxraftstate: number;
  randomkeys: boolean;
}

/** Go's title: "Test: unreliable net, restarts, partitions, snapshots, random keys, many clients (3A)". */
export function genericTitle(p: GenericParams): string {
  let title = '';
  if (p.unreliable) title += 'unreliable net, ';
  if (p.crash) title += 'restarts, ';
  if (p.partitions) title += 'partitions, ';
  if (p.maxraftstate !== -1) title += 'snapshots, ';
  if (p.randomkeys) title += 'random keys, ';
  title += p.nclients > 1 ? 'many clients' : 'one client';
  return title;
}

/** A GenericTest as a lab test. */
export function genericTest(p: GenericParams): ReturnType<typeof kvTest> {
  return kvTest({ part: p.part, title: genericTitle(p), body: (ctx, name) => runGeneric(ctx, name, p) });
}

/** One client's loop (Go's fn in GenericTest); returns how many Appends/Puts it did. */
async function clientLoop(
  cfg: KvConfig,
  p: GenericParams,
  cli: number,
  myck: Clerk,
  opLog: OpLog,
  done: { clients: boolean },
): Promise<number> {
  let j = 0;
  let last = ''; // only used when not randomkeys
  if (!p.randomkeys) await put(cfg, myck, String(cli), last, opLog, cli);
  while (!done.clients) {
    const key = p.randomkeys ? String(randomInt(p.nclients)) : String(cli);
    const nv = `x ${cli} ${j} y`;
    if (randomInt(1000) < 500) {
      await append(cfg, myck, key, nv, opLog, cli);
      if (!p.randomkeys) last += nv;
      j++;
    } else if (p.randomkeys && randomInt(1000) < 100) {
      // we only do this when using random keys, because it would break the check done after Get()
      await put(cfg, myck, key, nv, opLog, cli);
      j++;
    } else {
      const v = await get(cfg, myck, key, opLog, cli);
      // the following check only makes sense when we're not using random keys
      if (!p.randomkeys && v !== last) {
        cfg.fail(
          `get wrong value, key ${JSON.stringify(key)} (client ${cli}, ${cfg.clientName(myck)}), ` +
            `wanted:\n${show(last)}\n, got\n${show(v)}\n`,
        );
      }
    }
  }
  return j;
}

async function runGeneric(ctx: LabContext, title: string, p: GenericParams): Promise<void> {
  const cfg = new KvConfig(ctx, p.nservers, p.unreliable, p.maxraftstate);
  cfg.begin(title);
  const opLog = new OpLog();
  const ck = cfg.makeClient(cfg.all());
  const done = { clients: false, partitioner: false };
  for (let round = 0; round < 3; round++) {
    done.clients = false;
    done.partitioner = false;
    const clnts = spawnClients(cfg, p.nclients, (cli, myck) => clientLoop(cfg, p, cli, myck, opLog, done));
    let partitionerDone: Promise<void> = Promise.resolve();
    if (p.partitions) {
      // Allow the clients to perform some operations without interruption
      await sleep(1000);
      partitionerDone = partitioner(cfg, done);
    }
    await sleep(5000);
    done.clients = true; // tell clients to quit
    done.partitioner = true; // tell partitioner to quit
    if (p.partitions) {
      await partitionerDone;
      // reconnect network and submit a request. A client may have submitted a request in a minority.
      // That request won't return until that server discovers a new term has started.
      cfg.connectAll();
      // wait for a while so that we have a new term
      await sleep(ELECTION_TIMEOUT);
    }
    if (p.crash) await crashAndRestartAll(cfg);
    for (let i = 0; i < p.nclients; i++) {
      const j = await clnts[i];
      const key = String(i);
      const v = await get(cfg, ck, key, opLog, 0);
      if (!p.randomkeys) checkClntAppends(i, v, j, `for key "${key}" (round ${round + 1}, at ${cfg.at()})`);
    }
    checkSizes(cfg, p.maxraftstate);
  }
  checkLinearizable(cfg, opLog, title);
  cfg.end();
}

/** Shut down every server, wait, restart them all: only what they persisted survives. */
async function crashAndRestartAll(cfg: KvConfig): Promise<void> {
  cfg.annotate('shut down all servers', 'crash');
  for (let i = 0; i < cfg.n; i++) cfg.shutdownServer(i);
  // Wait for a while for servers to shutdown, since shutdown isn't a real crash and isn't instantaneous
  await sleep(ELECTION_TIMEOUT);
  // crash and re-start all
  cfg.annotate('restart all servers', 'restart');
  for (let i = 0; i < cfg.n; i++) cfg.startServer(i);
  cfg.connectAll();
}

/** After each round: logs trimmed when snapshots are on; no snapshot at all when they are off. */
function checkSizes(cfg: KvConfig, maxraftstate: number): void {
  if (maxraftstate > 0) {
    // Check maximum after the servers have processed all client requests and had time to checkpoint.
    const sz = cfg.logSize();
    if (sz > 8 * maxraftstate) cfg.fail(`logs were not trimmed (${sz} > 8*${maxraftstate})`);
  }
  if (maxraftstate < 0) {
    // Check that snapshots are not used
    const ssz = cfg.snapshotSize();
    if (ssz > 0) {
      cfg.fail(`snapshot too large (${ssz}), should not be used when maxraftstate = ${maxraftstate}`);
    }
  }
}

/** Go: heartbeats are ~100 ms apart, and a leader must do at least 3 ops per heartbeat interval. */
const HEARTBEAT_INTERVAL_MS = 100;
const OPS_PER_INTERVAL = 3;
const TIME_PER_OP_MS = HEARTBEAT_INTERVAL_MS / OPS_PER_INTERVAL;

/**
 * GenericTestSpeed: 1000 sequential Appends by one client, each faster than a third of a heartbeat.
 * The bound is Go's, on the time the service takes: the client link's fixed latency (2 × CLIENT_LINK_MS
 * per op, client-link.ts) is not the service's and is subtracted first.
 */
export function genericTestSpeed(part: '3A' | '3B', maxraftstate: number): ReturnType<typeof kvTest> {
  return kvTest({
    part,
    title: 'ops complete fast enough',
    async body(ctx, name) {
      const nservers = 3;
      const numOps = 1000;
      const cfg = new KvConfig(ctx, nservers, false, maxraftstate);
      const ck = cfg.makeClient(cfg.all());
      cfg.begin(name);
      // wait until first op completes, so we know a leader is elected and KV servers are ready to
      // process client requests
      await ck.get('x');
      const start = ctx.now();
      for (let i = 0; i < numOps; i++) await ck.append('x', `x 0 ${i} y`);
      const dur = ctx.now() - start - numOps * 2 * CLIENT_LINK_MS;
      const v = await ck.get('x');
      checkClntAppends(0, v, numOps, 'for key "x"');
      if (dur > numOps * TIME_PER_OP_MS) {
        cfg.fail(
          `Operations completed too slowly ${(dur / numOps).toFixed(3)}ms/op > ` +
            `${TIME_PER_OP_MS.toFixed(3)}ms/op (not counting the client link's ${2 * CLIENT_LINK_MS} ms): ` +
            `each op must commit well within a heartbeat interval (${HEARTBEAT_INTERVAL_MS} ms) — does ` +
            `the leader wait for the next heartbeat before sending new entries?`,
        );
      }
      cfg.end();
    },
  });
}
