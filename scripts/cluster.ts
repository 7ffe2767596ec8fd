/**
 * cluster: the lab's KV service as a real cluster on this machine, until Ctrl-C.
 *
 *   npm run cluster -- --servers 5 [--dir out/cluster] [--faults reliable|unreliable] [--debug]
 *
 * Starts the members (cluster/supervisor.ts), prints where they listen and where they log, then a line
 * whenever the leader changes. Talk to it from another terminal with `npm run kv -- put k v` (or just
 * `npm run kv` for a prompt). `kill -9` a member's pid (`npm run kv -- status` lists them) and it comes
 * back from its files --restart-after seconds later (0: stays down). Ctrl-C stops every member.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import path from 'node:path';
import { sleep } from '../labrpc';
import { Cluster, type FaultModel } from '../cluster/supervisor';

interface CliOptions {
  servers: number;
  dir: string;
  faults: FaultModel;
  maxraftstate: number;
  debug: boolean;
  restartAfter: number;
}

export const DEFAULT_DIR = path.join('out', 'cluster');

export function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidArgumentError(`expected a whole number >= 1, got "${value}"`);
  return n;
}

function say(line: string): void {
  process.stdout.write(`${new Date().toISOString().slice(11, 23)} ${line}\n`);
}

async function run(options: CliOptions): Promise<void> {
  say(
    `starting ${options.servers} servers (${options.faults} network), data in ${path.resolve(options.dir)}`,
  );
  const cluster = await Cluster.start({ ...options, log: say });
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    say('stopping');
    void cluster.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  for (let i = 0; i < cluster.size; i++) {
    say(
      `  S${i}  ${cluster.url(i)}  pid ${cluster.pids()[i]}  log ${path.join(options.dir, `server-${i}.log`)}`,
    );
  }
  say(`ready: npm run kv -- put k v | npm run kv -- get k | npm run kv  (Ctrl-C here stops the cluster)`);
  let last = '';
  const downSince = new Map<number, number>();
  while (!stopping) {
    for (let i = 0; i < cluster.size && options.restartAfter > 0; i++) {
      if (cluster.isUp(i)) downSince.delete(i);
      else if (!downSince.has(i)) downSince.set(i, Date.now());
      else if (Date.now() - (downSince.get(i) ?? 0) >= options.restartAfter * 1000 && !stopping) {
        say(`restarting S${i} from its files`);
        await cluster.restart(i).catch((error: unknown) => say(`S${i} did not restart: ${String(error)}`));
        downSince.delete(i);
      }
    }
    const leader = await cluster.leader();
    const status = leader === null ? null : await cluster.status(leader);
    const now = status === null ? 'no leader' : `leader S${status.me} in term ${status.term}`;
    if (now !== last && !stopping) say(now);
    last = now;
    await sleep(500);
  }
}

const program = new Command()
  .name('cluster')
  .description('Run the KV service on Raft as real processes on 127.0.0.1 until Ctrl-C.')
  .option('--servers <n>', 'how many servers', parseCount, 5)
  .option('--dir <folder>', 'data folder: raft state, one log per server, cluster.json', DEFAULT_DIR)
  .addOption(
    new Option('--faults <model>', 'network fault model (labrpc’s)')
      .choices(['reliable', 'unreliable'])
      .default('reliable'),
  )
  .option(
    '--maxraftstate <bytes>',
    'snapshot when a server’s raft state reaches this size (-1: never)',
    Number,
    65536,
  )
  .option('--debug', 'servers also log Raft’s and the KV server’s debug lines', false)
  .option(
    '--restart-after <s>',
    'restart a server that died (kill -9) after this many seconds; 0: never',
    Number,
    3,
  )
  .action((options: CliOptions) =>
    run(options).catch((error: unknown) => {
      process.stderr.write(`cluster: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    }),
  );

if (require.main === module) program.parse();
