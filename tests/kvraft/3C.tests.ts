/**
 * Part 3C (beyond the Go labs): the key/value service on a changing cluster — 3B's service on 2E's
 * Raft. Five server slots, three of them the initial configuration; while clients append and read
 * their keys, the test moves the cluster from one three-server configuration to another (so servers
 * leave, join and catch up from snapshots) and partitions the network at random. Then every
 * acknowledged Append must be in its key exactly once and in order, and the whole history must be
 * linearizable. It needs 2E (changeConfig) and 3B (snapshots); a KV service only has to ignore the
 * `config` messages of applyCh, and fail a request waiting at the index a configuration took.
 */
import { randomInt, sleep } from '../../labrpc';
import type { KvClerk as Clerk } from './student-objects';
import { checkClntAppends } from './appends';
import { KvConfig } from './config';
import { ELECTION_TIMEOUT, spawnClients } from './generic';
import { kvTest } from './kv-test';
import { checkLinearizable } from './linearizable';
import { append, get, OpLog, put, show } from './ops';

const NSERVERS = 5;
const NCLIENTS = 3;
const MAXRAFTSTATE = 1000;

export const tests = [
  kvTest({
    part: '3C',
    title: 'membership changes, partitions, snapshots, many clients',
    async body(ctx, name) {
      const cfg = new KvConfig(ctx, NSERVERS, false, MAXRAFTSTATE, [0, 1, 2]);
      cfg.begin(name);
      const opLog = new OpLog();
      const done = { clients: false, changes: false };
      const clients = spawnClients(cfg, NCLIENTS, (cli, ck) => clientLoop(cfg, cli, ck, opLog, done));
      await sleep(500);
      let members = [0, 1, 2];
      const changer = (async () => {
        while (!done.changes) {
          const target = randomThree();
          if (await changeTo(cfg, target, done)) members = target;
          // a random partition for a while, then whole again
          if (randomInt(2) === 0) {
            const a = cfg.all().map(() => randomInt(2));
            cfg.partition(
              cfg.all().filter((j) => a[j] === 0),
              cfg.all().filter((j) => a[j] === 1),
            );
            await sleep(ELECTION_TIMEOUT / 2 + randomInt(300));
            cfg.connectAll();
          }
          await sleep(200 + randomInt(300));
        }
      })();
      await sleep(5000);
      done.changes = true;
      await changer;
      cfg.connectAll();
      await sleep(ELECTION_TIMEOUT);
      done.clients = true;
      const ck = cfg.makeClient(cfg.all());
      for (let i = 0; i < NCLIENTS; i++) {
        const j = await clients[i];
        const v = await get(cfg, ck, String(i), opLog, 0);
        checkClntAppends(
          i,
          v,
          j,
          `for key "${i}" (at ${cfg.at()}; configuration ${show(members.join(','))})`,
        );
      }
      checkLinearizable(cfg, opLog, name);
      cfg.end();
    },
  }),
];

/** Three of the five slots, at random. */
function randomThree(): number[] {
  const slots = [0, 1, 2, 3, 4];
  const chosen: number[] = [];
  while (chosen.length < 3) chosen.push(slots.splice(randomInt(slots.length), 1)[0]);
  return chosen.sort((a, b) => a - b);
}

/**
 * Ask whichever server leads to change to `target` until one accepts (2 s at most: a partition may
 * leave no leader, or a change in progress may not finish until it heals). Returns whether accepted.
 */
async function changeTo(cfg: KvConfig, target: number[], done: { changes: boolean }): Promise<boolean> {
  const t0 = cfg.ctx.now();
  while (cfg.ctx.now() - t0 < 2000 && !done.changes) {
    for (let i = 0; i < cfg.n; i++) {
      const rf = cfg.kvservers[i];
      if (rf === null) continue;
      const result = await rf.changeConfig(target);
      cfg.watch.claim(i, result);
      if (result.isLeader && result.refused === null) return true;
    }
    await sleep(100);
  }
  return false;
}

/** One client: append to its own key, read it back and compare, until told to stop. */
async function clientLoop(
  cfg: KvConfig,
  cli: number,
  ck: Clerk,
  opLog: OpLog,
  done: { clients: boolean },
): Promise<number> {
  let j = 0;
  let last = '';
  await put(cfg, ck, String(cli), last, opLog, cli);
  while (!done.clients) {
    if (randomInt(1000) < 500) {
      const nv = `x ${cli} ${j} y`;
      await append(cfg, ck, String(cli), nv, opLog, cli);
      last += nv;
      j++;
    } else {
      const v = await get(cfg, ck, String(cli), opLog, cli);
      if (v !== last) {
        cfg.fail(
          `get wrong value, key "${cli}" (client ${cli}), wanted:\n${show(last)}\n, got\n${show(v)}\n`,
        );
      }
    }
  }
  return j;
}
