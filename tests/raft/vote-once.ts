/**
 * The scenario behind two scripted tests: a voter v, and two candidates c1 and c2 that can each reach v
 * but not each other, campaigning in the same term. v may vote for only one of them in that term, so
 * at most one becomes leader of it (Election Safety). With `crashVoter`, v is also crashed and restarted
 * from what it persisted at the instant each of its RequestVote replies leaves: its vote must already
 * be on stable storage then ([P.1]).
 */
import { RAFT_ELECTION_TIMEOUT } from './2A.tests';
import type { RaftConfig } from './config';
import type { PeerState } from './remote-peer';
import { isVoteRpc, termOf, waitUntil } from './scripted-helpers';

export async function voteOncePerTerm(cfg: RaftConfig, crashVoter: boolean): Promise<void> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const v = await cfg.checkOneLeader();
    const [c1, c2] = [(v + 1) % 3, (v + 2) % 3];
    const start = await termOf(cfg, v);
    let armed = crashVoter;
    if (crashVoter) {
      cfg.onReply(
        (rpc) => armed && rpc.to === v && isVoteRpc(rpc.svcMeth),
        () => {
          cfg.start1(v); // crash v (keeping what it persisted) and start it again
          cfg.link(v, c1);
          cfg.link(v, c2);
        },
      );
    }
    // v stops leading (crashed and restarted, a follower in its term), linked to c1 and c2 only.
    for (const i of [0, 1, 2]) cfg.disconnect(i);
    cfg.start1(v);
    cfg.link(v, c1);
    cfg.link(v, c2);
    // A candidate wins a term; the other candidate reaches that term too (its own campaign in it).
    let won: { leader: number; term: number } | null = null;
    const exercised = await waitUntil(async () => {
      const states = await cfg.states();
      for (const c of [c1, c2]) {
        const state = states[c];
        if (won === null && state?.isLeader === true) won = { leader: c, term: state.term };
      }
      if (won !== null) checkOneLeaderPerTerm(cfg, v, crashVoter, states);
      return won !== null && [c1, c2].every((c) => (states[c]?.term ?? -1) > won!.term);
    }, 4 * RAFT_ELECTION_TIMEOUT);
    armed = false;
    for (const i of [0, 1, 2]) cfg.connect(i);
    if (exercised || (won !== null && (await termOf(cfg, v)) > start)) {
      await cfg.checkOneLeader();
      return;
    }
  }
  cfg.fail('for 10 tries, neither candidate won an election through the voter: the scenario never happened');
}

/** Fail if c1 and c2 both lead the same term. */
function checkOneLeaderPerTerm(
  cfg: RaftConfig,
  v: number,
  crashVoter: boolean,
  states: readonly (PeerState | null)[],
): void {
  const leaders = [0, 1, 2].filter((i) => i !== v && states[i]?.isLeader === true);
  if (leaders.length < 2 || states[leaders[0]]?.term !== states[leaders[1]]?.term) return;
  const [a, b] = leaders;
  const term = states[a]?.term;
  const both = `S${a} and S${b} are both leaders of T${term}, though they cannot reach each other`;
  if (crashVoter) {
    cfg.fail(
      `${both}: S${v}, their only voter, crashed at the instant each of its RequestVote replies left and ` +
        `restarted from what it had persisted, and voted for both in T${term}. [P.1] votedFor must be on ` +
        `stable storage before the reply leaves`,
    );
  }
  cfg.fail(`${both}: S${v}, their only voter, voted for both in T${term}. [RV.2] one vote per term`);
}
