/**
 * Part 2B, beyond Go: log replication scripted with held replies, so that a leader breaking one of
 * Figure 2's replication rules fails on every seed.
 */
import { sleep } from '../../labrpc';
import { randCommand, raftTest, type RaftConfig } from './config';
import { peer, waitUntil } from './scripted-helpers';

export const tests = [
  raftTest({
    part: '2B',
    title: 'matchIndex is what the follower acknowledged, scripted (a late reply to a shorter AppendEntries)',
    servers: 3,
    body: matchIndexFromReply,
  }),
];

/**
 * g leaves. The leader l sends f an AppendEntries with entry x; f's reply is held. l then appends y,
 * which cannot reach f (now cut off). When f's reply arrives it acknowledges x only: l has y alone and
 * must not commit it.
 */
async function matchIndexFromReply(cfg: RaftConfig): Promise<void> {
  await cfg.one(randCommand(), 3, true);
  const l = await cfg.checkOneLeader();
  const [f, g] = [(l + 1) % 3, (l + 2) % 3];
  cfg.disconnect(g);
  await cfg.one(randCommand(), 2, true);
  const held = cfg.holdReplies(
    (rpc) => rpc.from === l && rpc.to === f && !/vote|snapshot/i.test(rpc.svcMeth),
  );
  const x = await peer(cfg, l).start(randCommand());
  if (!x.isLeader) cfg.fail(`S${l} refused start() though it leads S${f} with no failure`);
  if (!(await waitUntil(() => held.count > 0, 500, 1))) {
    cfg.fail(`S${l} sent S${f} no AppendEntries within 500 ms of start() (heartbeats are due every 100 ms)`);
  }
  cfg.disconnect(f);
  const y = await peer(cfg, l).start(randCommand());
  cfg.scenario =
    `S${f}'s reply to an AppendEntries that carried index ${x.index} arrived late, after S${l} had appended ` +
    `index ${y.index}, which S${f} never received`;
  held.release();
  await sleep(500);
  const { count } = cfg.nCommitted(y.index);
  if (count > 0) {
    cfg.fail(
      `S${l} committed index ${y.index}, which only it has: [L.3] matchIndex[S${f}] is the last index of the ` +
        `entries S${f} acknowledged (prevLogIndex + entries sent), not the leader's last index`,
    );
  }
  cfg.scenario = '';
  cfg.connect(f);
  cfg.connect(g);
  await cfg.one(randCommand(), 3, true);
}
