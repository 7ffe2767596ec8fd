/**
 * The tester's membership helpers (2E), the changing-cluster counterparts of checkOneLeader and one():
 * every majority here is a majority of a configuration, not of the peer slots the cluster was built with.
 *
 * - changeConfig: ask whichever connected server leads to change to `servers`, again and again (a
 *   leader refuses while a change is in progress or a new server catches up) until one accepts.
 * - settle: wait until `servers` is the committed configuration (C_new applied by a majority of it),
 *   submitting commands meanwhile: a new leader commits an earlier term's entries, a pending
 *   configuration among them, only with an entry of its own term (§5.4.2).
 * - oneIn: one() with the majority taken in a configuration.
 */
import { sleep } from '../../labrpc';
import { randCommand, type RaftConfig } from './config';
import { show } from './committed-log';
import { describeServers } from './config-history';
import type { RemotePeer } from './remote-peer';

/** "{2,3,4}" for messages. */
export function setOf(servers: readonly number[]): string {
  return describeServers({ servers: [...servers], newServers: null });
}

function sameSet(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((s) => b.includes(s));
}

/** The running, connected peers, with their index. */
function live(cfg: RaftConfig): { i: number; rf: RemotePeer }[] {
  const out: { i: number; rf: RemotePeer }[] = [];
  cfg.rafts.forEach((rf, i) => {
    if (rf !== null && cfg.connected[i]) out.push({ i, rf });
  });
  return out;
}

/** How many of `servers` applied `index` (a snapshot that covers it counts; index 0 is everyone's). */
export function appliedBy(cfg: RaftConfig, index: number, servers: readonly number[]): number {
  if (index === 0) return servers.length; // the initial configuration, which no server applies
  cfg.nCommitted(index); // fails on a disagreement
  return servers.filter((i) => cfg.committed.logs[i].has(index)).length;
}

/** The connected leader with the highest term that says so now, or -1. */
export async function currentLeader(cfg: RaftConfig): Promise<number> {
  let best = -1;
  let bestTerm = -1;
  const states = await cfg.statesOf((i) => cfg.connected[i]);
  states.forEach((state, i) => {
    if (state !== null && state.isLeader && state.term > bestTerm) [best, bestTerm] = [i, state.term];
  });
  return best;
}

/** Ask the leader to change to `servers` until one accepts (10 s at most); where C_old,new went. */
export async function changeConfig(
  cfg: RaftConfig,
  servers: number[],
): Promise<{ index: number; term: number; leader: number }> {
  const t0 = cfg.ctx.now();
  let last = 'no connected server claimed to lead';
  while (cfg.ctx.now() - t0 < 10_000) {
    for (const { i, rf } of live(cfg)) {
      const result = await rf.changeConfig(servers);
      cfg.watch.claim(i, result);
      if (result.isLeader && result.refused === null) {
        if (result.index < 1)
          cfg.fail(`S${i} accepted changeConfig(${setOf(servers)}) at index ${result.index}`);
        return { index: result.index, term: result.term, leader: i };
      }
      if (result.isLeader && result.refused !== null) last = `S${i} refused: ${result.refused}`;
    }
    await sleep(50);
  }
  return cfg.fail(`changeConfig(${setOf(servers)}) was not accepted within 10 s (last: ${last})`);
}

/**
 * Wait (10 s at most) until the committed configuration is exactly `servers` and a majority of them
 * applied it, submitting a command to the leader every 200 ms so that a new leader's log commits.
 */
export async function settle(cfg: RaftConfig, servers: readonly number[]): Promise<void> {
  const t0 = cfg.ctx.now();
  let nudged = t0;
  while (cfg.ctx.now() - t0 < 10_000) {
    const { index, config } = cfg.configs.latest();
    if (
      config.newServers === null &&
      sameSet(config.servers, servers) &&
      2 * appliedBy(cfg, index, servers) > servers.length
    ) {
      return;
    }
    if (cfg.ctx.now() - nudged >= 200) {
      nudged = cfg.ctx.now();
      for (const { i, rf } of live(cfg)) cfg.watch.claim(i, await rf.start(randCommand()));
    }
    await sleep(20);
  }
  const { index, config } = cfg.configs.latest();
  cfg.fail(
    `the configuration did not settle on ${setOf(servers)} within 10 s: the latest committed one is ` +
      `${describeServers(config)} at index ${index}`,
  );
}

/** Change to `servers` and wait until that is the committed configuration. */
export async function moveTo(cfg: RaftConfig, servers: number[]): Promise<void> {
  await changeConfig(cfg, servers);
  await settle(cfg, servers);
}

/**
 * one() in a configuration: submit `cmd` to whichever connected server leads, and wait until `need`
 * servers of `servers` applied it (default: a majority of them). 10 s at most, 2 s per attempt.
 */
export async function oneIn(
  cfg: RaftConfig,
  cmd: unknown,
  servers: readonly number[],
  need = Math.floor(servers.length / 2) + 1,
): Promise<number> {
  const t0 = cfg.ctx.now();
  while (cfg.ctx.now() - t0 < 10_000) {
    let index = -1;
    for (const { i, rf } of live(cfg)) {
      const result = await rf.start(cmd);
      cfg.watch.claim(i, result);
      if (result.isLeader) {
        index = result.index;
        break;
      }
    }
    if (index === -1) {
      await sleep(50);
      continue;
    }
    const t1 = cfg.ctx.now();
    while (cfg.ctx.now() - t1 < 2000) {
      const { command } = cfg.nCommitted(index);
      if (command === cmd && appliedBy(cfg, index, servers) >= need) return index;
      await sleep(20);
    }
  }
  return cfg.fail(`oneIn(${show(cmd)}, ${setOf(servers)}) failed to reach agreement of ${need} in 10 s`);
}

/** Every member's term, now (running members only). */
export async function termsOf(cfg: RaftConfig, servers: readonly number[]): Promise<Map<number, number>> {
  const terms = new Map<number, number>();
  const states = await cfg.statesOf((i) => servers.includes(i));
  for (const i of servers) {
    const state = states[i];
    if (state !== null) terms.set(i, state.term);
  }
  return terms;
}

/**
 * Wait for `target` to be the committed configuration; if a crash lost the change (the configuration
 * went back to a plain one that is not the target), ask for it again.
 */
export async function settleOrRetry(cfg: RaftConfig, target: number[]): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const t0 = cfg.ctx.now();
    while (cfg.ctx.now() - t0 < 3000) {
      const { config } = cfg.configs.latest();
      if (config.newServers === null && sameSet(config.servers, target)) {
        await settle(cfg, target);
        return;
      }
      const leader = await currentLeader(cfg);
      if (leader >= 0) {
        const result = await cfg.rafts[leader]?.changeConfig(target);
        if (result !== undefined) cfg.watch.claim(leader, result);
      }
      for (const { i, rf } of live(cfg)) cfg.watch.claim(i, await rf.start(randCommand()));
      await sleep(200);
    }
  }
  await settle(cfg, target);
}
