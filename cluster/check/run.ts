/**
 * One check run: start a cluster, put load on it while the nemesis kills and partitions, then judge the
 * history. Shared by `npm run cluster:check` and the CI test.
 *
 * Order at the end of a run: stop the nemesis (every server up, network whole), let the clients finish
 * their last operation (bounded: a Raft that cannot make progress with every server up is a failure,
 * not a hang), read every key once more as one extra client, stop the cluster, then check: the
 * linearizability checker over the whole history, and lost acknowledged writes against the final reads.
 */
import os from 'node:os';
import { Clerk } from '../../kvraft';
import { sleep } from '../../labrpc';
import {
  checkOperations,
  kvModel,
  type CheckVerdict,
  type KvInput,
  type KvOutput,
  type LinearizationInfo,
} from '../../tests/linearizability';
import { Cluster, type FaultModel, type MemberStatus } from '../supervisor';
import { Nemesis, type FaultInterval } from './nemesis';
import { bucketize, latency, summarize, type Buckets, type LatencySummary } from './stats';
import { lostWrites, type LostWrite } from './verdict';
import { Workload, type KvOperation } from './workload';

export interface CheckRunOptions {
  servers: number;
  clients: number;
  seconds: number;
  dir: string;
  faults?: FaultModel;
  /** Seconds between SIGKILLs / partitions; undefined: none. */
  killEvery?: number;
  partitionEvery?: number;
  /** Keep the load on past `seconds` until this many operations completed, but not past maxSeconds. */
  minOps?: number;
  maxSeconds?: number;
  /** Keys the clients share; default: one per client, as the Go tests. */
  keys?: number;
  /** Longest wait for the last operations once every server is back; default 60 s. */
  settleMs?: number;
  /** Longest wait for the first leader before the load starts; default 60 s. */
  leaderTimeoutMs?: number;
  /** The linearizability checker's time budget; default 60 s (0: no limit). */
  checkTimeoutMs?: number;
  log?: (line: string) => void;
}

export type FaultCounts = MemberStatus['faults'];

export interface CheckReport {
  options: CheckRunOptions;
  /** Every completed operation (the final reads are client `clients`). */
  ops: KvOperation[];
  /** Operations that never returned, even with every server up (a liveness failure). */
  stuck: { clientId: number; input: KvInput; call: number }[];
  finalValues: Map<string, string>;
  verdict: CheckVerdict;
  info: LinearizationInfo<KvInput, KvOutput> | undefined;
  checkMs: number;
  lost: LostWrite[];
  events: FaultInterval[];
  /** The load phase, ms (from the first operation to the stop). */
  loadMs: number;
  latency: LatencySummary;
  buckets: Buckets;
  /** Requests the members' msw interceptors failed, dropped or delayed (summed over every process). */
  faultCounts: FaultCounts;
  /** Leader changes seen by polling each second. */
  leaderChanges: number;
  /** Process ids of every member process the run started, for the orphan check. */
  pids: number[];
  /** The machine's one-minute load average when the load started and when it ended (timings need it). */
  loadAverage: [number, number];
}

const POLL_MS = 1000;

export async function runCheck(options: CheckRunOptions): Promise<CheckReport> {
  const log = options.log ?? ((): void => {});
  const cluster = await Cluster.start({
    servers: options.servers,
    dir: options.dir,
    faults: options.faults,
    log: (line) => log(`supervisor: ${line}`),
  });
  // The clock starts once a leader is elected: the first election of a fresh cluster says nothing about
  // how it copes with faults, and on a loaded machine it can take seconds.
  await waitForLeader(cluster, options.leaderTimeoutMs ?? 60_000, log);
  const t0 = performance.now();
  const now = (): number => performance.now() - t0;
  const keys = options.keys ?? Math.max(1, options.clients);
  const workload = new Workload({ clients: options.clients, keys, now, ends: () => cluster.clientEnds() });
  const nemesis = new Nemesis(cluster, {
    killEveryMs: options.killEvery === undefined ? undefined : options.killEvery * 1000,
    partitionEveryMs: options.partitionEvery === undefined ? undefined : options.partitionEvery * 1000,
    now,
    log,
  });
  const counts = new Map<number, FaultCounts>();
  let leaderChanges = 0;
  let loadMs = 0; // set when the load phase ends
  const loadAverage = [os.loadavg()[0], 0];
  let polling = true;
  const poller = (async (): Promise<void> => {
    let leader: string | null = null;
    for (let tick = 1; polling; tick++) {
      const all = await Promise.all(cluster.ports.map((_, i) => cluster.status(i)));
      for (const s of all) if (s !== null) counts.set(s.pid, s.faults);
      const best = all.filter((s) => s?.isLeader).sort((a, b) => (b?.term ?? 0) - (a?.term ?? 0))[0];
      const now = best ? `S${best.me}/T${best.term}` : null;
      if (now !== null && now !== leader) {
        if (leader !== null) leaderChanges += 1;
        leader = now;
      }
      if (tick % 5 === 0 && loadMs === 0) {
        log(
          `${(tick * POLL_MS) / 1000} s: ${workload.ops.length} operations done, leader ${leader ?? 'none'}`,
        );
      }
      await sleep(POLL_MS);
    }
  })();

  let stuck: CheckReport['stuck'] = [];
  const finalValues = new Map<string, string>();
  try {
    workload.start();
    nemesis.start();
    log(`load: ${options.clients} clients on ${keys} keys for ${options.seconds} s`);
    await sleep(options.seconds * 1000);
    // A slow machine gets more time to reach minOps, up to maxSeconds.
    const limitMs = Math.max(options.seconds, options.maxSeconds ?? 0) * 1000;
    while (workload.ops.length < (options.minOps ?? 0) && now() < limitMs) await sleep(200);
    loadMs = now();
    loadAverage[1] = os.loadavg()[0];
    log('load done: healing, restarting, waiting for the last operations');
    await nemesis.stop();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const settled = await Promise.race([
      workload.stop().then(() => true),
      new Promise<boolean>(
        (resolve) => (timer = setTimeout(() => resolve(false), options.settleMs ?? 60_000)),
      ),
    ]);
    clearTimeout(timer);
    if (!settled) {
      stuck = workload.inFlight();
      log(`${stuck.length} operation(s) never returned with every server up`);
    } else {
      const reader = new Clerk(cluster.clientEnds());
      for (let k = 0; k < keys; k++) {
        const key = workload.keyName(k);
        finalValues.set(key, await workload.record(options.clients, reader, { op: 'get', key }));
      }
    }
    const all = await Promise.all(cluster.ports.map((_, i) => cluster.status(i)));
    for (const s of all) if (s !== null) counts.set(s.pid, s.faults);
  } finally {
    polling = false;
    await poller;
    await cluster.stop();
  }

  const ops = [...workload.ops].sort((a, b) => a.call - b.call);
  // A write still in flight may have taken effect: keep it, open-ended, so a get that saw it is legal.
  const open = stuck
    .filter((s) => s.input.op !== 'get')
    .map((s) => ({
      clientId: s.clientId,
      input: s.input,
      output: { value: '' },
      call: s.call,
      return: now() + 1e6,
    }));
  log(`checking ${ops.length} operations for linearizability`);
  const started = performance.now();
  const { result, info } = checkOperations(kvModel, [...ops, ...open], {
    timeoutMs: options.checkTimeoutMs ?? 60_000,
    verbose: true,
  });
  const checkMs = performance.now() - started;
  const loadOps = ops.filter((op) => op.clientId < options.clients);
  return {
    options,
    ops,
    stuck,
    finalValues,
    verdict: result,
    info,
    checkMs,
    lost: lostWrites(ops, finalValues),
    events: [...nemesis.events].sort((a, b) => a.start - b.start),
    loadMs,
    latency: summarize(loadOps.map(latency)),
    // To the last return, not the end of the load: operations that finished while the cluster settled count too.
    buckets: bucketize(loadOps, Math.max(loadMs, ...loadOps.map((op) => op.return))),
    faultCounts: sumCounts([...counts.values()]),
    leaderChanges,
    pids: [...cluster.startedPids],
    loadAverage: [loadAverage[0], loadAverage[1]],
  };
}

async function waitForLeader(
  cluster: Cluster,
  timeoutMs: number,
  log: (line: string) => void,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const leader = await cluster.leader();
    if (leader !== null) {
      log(`S${leader} is leader: starting the load`);
      return;
    }
    if (performance.now() > deadline) {
      await cluster.stop();
      throw new Error(
        `no leader elected within ${timeoutMs / 1000} s of starting; see the server logs in ${cluster.dir}`,
      );
    }
    await sleep(200);
  }
}

function sumCounts(all: FaultCounts[]): FaultCounts {
  const total: FaultCounts = { partitioned: 0, delayed: 0, droppedRequests: 0, droppedReplies: 0 };
  for (const c of all) {
    total.partitioned += c.partitioned;
    total.delayed += c.delayed;
    total.droppedRequests += c.droppedRequests;
    total.droppedReplies += c.droppedReplies;
  }
  return total;
}
