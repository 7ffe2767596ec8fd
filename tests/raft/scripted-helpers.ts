/**
 * Small helpers shared by the scripted beyond-Go tests (2A-scripted, 2B-scripted, 2C-scripted): reading
 * a peer's state, and waiting for a condition on the virtual clock with a clear failure if it never holds.
 */
import { sleep } from '../../labrpc';
import type { RemotePeer } from './remote-peer';
import type { RaftConfig } from './config';

/** The live peer at `i` (the scripted tests only ask for servers they know are running). */
export function peer(cfg: RaftConfig, i: number): RemotePeer {
  const rf = cfg.rafts[i];
  if (rf === null) cfg.fail(`S${i} is not running`);
  return rf;
}

export async function termOf(cfg: RaftConfig, i: number): Promise<number> {
  return (await peer(cfg, i).getState()).term;
}

export async function isLeader(cfg: RaftConfig, i: number): Promise<boolean> {
  return (await peer(cfg, i).getState()).isLeader;
}

/** Poll `done` every `stepMs` of virtual time; false if it still does not hold after `withinMs`. */
export async function waitUntil(
  done: () => boolean | Promise<boolean>,
  withinMs: number,
  stepMs = 10,
): Promise<boolean> {
  for (let waited = 0; waited <= withinMs; waited += stepMs) {
    if (await done()) return true;
    await sleep(stepMs);
  }
  return false;
}

/** An RPC asking for a vote, whatever the student called it ("Raft.RequestVote"). */
export function isVoteRpc(svcMeth: string): boolean {
  return /vote/i.test(svcMeth);
}
