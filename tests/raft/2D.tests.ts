/**
 * Part 2D: log compaction (6.824 test_test.go, catalog §6.4): the six tests of 2022 and the later
 * editions' snapshot-initialisation test. All use the snapshot applier, which hands the peer a snapshot
 * at every 10th index.
 */
import { randomInt } from '../../labrpc';
import { randCommand, raftTest, type RaftConfig } from './config';
import { SNAPSHOT_INTERVAL } from './appliers';

/**
 * The largest persisted raft state allowed: Go's MAXLOGSIZE is 2000 bytes of labgob; recalibrated to
 * 1200 bytes of our msgpack. Measured: the reference peaks at ~135 bytes (its log is stored as compact
 * term/command columns), and a peer storing {term, command} objects and trimming every 10 entries holds
 * at most ~30 entries, ~650 bytes. A peer that never trims must fail: with the reference's columns it
 * reaches ~1500 bytes by the end of "snapshots basic" (~340 entries), so Go's 2000 would let it pass.
 */
const MAXLOGSIZE = 1200;

interface SnapSpec {
  title: string;
  disconnect: boolean;
  reliable: boolean;
  crash: boolean;
}

function snapTest(go: SnapSpec): ReturnType<typeof raftTest> {
  return raftTest({
    part: '2D',
    title: go.title,
    servers: 3,
    unreliable: !go.reliable,
    snapshot: true,
    body: (cfg) => snapcommon(cfg, go.disconnect, go.crash),
  });
}

export const tests = [
  // Go: TestSnapshotBasic2D
  snapTest({ title: 'snapshots basic', disconnect: false, reliable: true, crash: false }),
  // Go: TestSnapshotInstall2D
  snapTest({ title: 'install snapshots (disconnect)', disconnect: true, reliable: true, crash: false }),
  // Go: TestSnapshotInstallUnreliable2D
  snapTest({
    title: 'install snapshots (disconnect+unreliable)',
    disconnect: true,
    reliable: false,
    crash: false,
  }),
  // Go: TestSnapshotInstallCrash2D
  snapTest({ title: 'install snapshots (crash)', disconnect: false, reliable: true, crash: true }),
  // Go: TestSnapshotInstallUnCrash2D
  snapTest({
    title: 'install snapshots (unreliable+crash)',
    disconnect: false,
    reliable: false,
    crash: true,
  }),

  // Go: TestSnapshotAllCrash2D
  raftTest({
    part: '2D',
    title: 'crash and restart all servers',
    servers: 3,
    snapshot: true,
    async body(cfg) {
      const servers = 3;
      await cfg.one(randCommand(), servers, true);

      for (let i = 0; i < 5; i++) {
        // perhaps enough to get a snapshot
        const nn = SNAPSHOT_INTERVAL / 2 + randomInt(SNAPSHOT_INTERVAL);
        for (let j = 0; j < nn; j++) await cfg.one(randCommand(), servers, true);

        const index1 = await cfg.one(randCommand(), servers, true);

        // crash all
        for (let k = 0; k < servers; k++) cfg.crash1(k);
        // revive all
        for (let k = 0; k < servers; k++) {
          cfg.start1(k);
          cfg.connect(k);
        }

        const index2 = await cfg.one(randCommand(), servers, true);
        if (index2 < index1 + 1) cfg.fail(`index decreased from ${index1} to ${index2}`);
      }
    },
  }),

  // Go: TestSnapshotInit2D (6.5840, 2023)
  raftTest({
    part: '2D',
    title: 'snapshot initialization after crash',
    servers: 3,
    snapshot: true,
    async body(cfg) {
      // A peer that does not load its persisted snapshot into memory on restart, and later overwrites it,
      // fails here.
      const servers = 3;
      await cfg.one(randCommand(), servers, true);

      // enough ops to make a snapshot
      const nn = SNAPSHOT_INTERVAL + 1;
      for (let i = 0; i < nn; i++) await cfg.one(randCommand(), servers, true);

      crashAndReviveAll(cfg);

      // a single op, to get something to be written back to persistent storage.
      await cfg.one(randCommand(), servers, true);

      crashAndReviveAll(cfg);

      // do another op to trigger potential bug
      await cfg.one(randCommand(), servers, true);
    },
  }),
];

function crashAndReviveAll(cfg: RaftConfig): void {
  for (let i = 0; i < cfg.n; i++) cfg.crash1(i);
  for (let i = 0; i < cfg.n; i++) {
    cfg.start1(i);
    cfg.connect(i);
  }
}

/** Go's snapcommon: 30 rounds of agreement, with a victim that is disconnected or crashed each round. */
async function snapcommon(cfg: RaftConfig, disconnect: boolean, crash: boolean): Promise<void> {
  const iters = 30;
  const servers = 3;
  await cfg.one(randCommand(), servers, true);
  let leader1 = await cfg.checkOneLeader();

  for (let i = 0; i < iters; i++) {
    let victim = (leader1 + 1) % servers;
    let sender = leader1;
    if (i % 3 === 1) {
      sender = (leader1 + 1) % servers;
      victim = leader1;
    }

    if (disconnect) {
      cfg.disconnect(victim);
      await cfg.one(randCommand(), servers - 1, true);
    }
    if (crash) {
      cfg.crash1(victim);
      await cfg.one(randCommand(), servers - 1, true);
    }

    // perhaps send enough to get a snapshot
    const nn = SNAPSHOT_INTERVAL / 2 + randomInt(SNAPSHOT_INTERVAL);
    for (let j = 0; j < nn; j++) cfg.rafts[sender]?.start(randCommand());

    // let applier threads catch up with the Start()'s
    if (!disconnect && !crash) {
      // make sure all followers have caught up, so that an InstallSnapshot RPC isn't required for
      // TestSnapshotBasic2D().
      await cfg.one(randCommand(), servers, true);
    } else {
      await cfg.one(randCommand(), servers - 1, true);
    }

    if (cfg.logSize() >= MAXLOGSIZE) cfg.fail(`Log size too large: ${cfg.logSize()} bytes >= ${MAXLOGSIZE}`);

    if (disconnect) {
      // reconnect a follower, who maybe behind and needs to receive a snapshot to catch up.
      cfg.connect(victim);
      await cfg.one(randCommand(), servers, true);
      leader1 = await cfg.checkOneLeader();
    }
    if (crash) {
      cfg.start1(victim);
      cfg.connect(victim);
      await cfg.one(randCommand(), servers, true);
      leader1 = await cfg.checkOneLeader();
    }
  }
}
