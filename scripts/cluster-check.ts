/**
 * cluster:check: a load run on a real cluster with kills and partitions, checked for linearizability.
 *
 *   npm run cluster:check -- --servers 5 --clients 10 --seconds 30 [--kill-every 5] [--partition-every 7]
 *                            [--faults reliable|unreliable] [--dir out/cluster-check] [--check-timeout 60]
 *
 * Writes DATA/check.html (the history timeline with the injected faults, plus latency and throughput
 * charts) and DATA/history.json (raftlab's history format: `npm run check-history -- DATA/history.json`).
 * Exit code: 0 linearizable with no lost acknowledged write, 1 a violation (or operations that never
 * returned), 2 undecided (the checker ran out of time) or an error.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCheck, type CheckReport } from '../cluster/check/run';
import { writeCheckPage } from '../cluster/check/page';
import type { FaultModel } from '../cluster/supervisor';
import { parseCount } from './cluster';

interface CliOptions {
  servers: number;
  clients: number;
  seconds: number;
  killEvery?: number;
  partitionEvery?: number;
  faults: FaultModel;
  dir: string;
  checkTimeout: number;
}

function parseSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected seconds > 0, got "${value}"`);
  return n;
}

function say(line: string): void {
  process.stdout.write(`${new Date().toISOString().slice(11, 23)} ${line}\n`);
}

const ms = (x: number): string => (Number.isFinite(x) ? `${x.toFixed(1)} ms` : '-');

/** The closing lines: what a reader needs to know whether the run passed, and how fast it went. */
export function summaryLines(report: CheckReport): string[] {
  const { latency: l, faultCounts: f } = report;
  const loadOps = report.ops.filter((op) => op.clientId < report.options.clients).length;
  const kills = report.events.filter((e) => e.kind === 'crash');
  return [
    `linearizability: ${report.verdict} (${report.ops.length} operations, checked in ${(report.checkMs / 1000).toFixed(1)} s)`,
    `lost acknowledged writes: ${report.lost.length}` +
      (report.stuck.length > 0 ? `; ${report.stuck.length} operation(s) never returned` : ''),
    `throughput: ${(loadOps / (report.loadMs / 1000)).toFixed(1)} ops/s over ${(report.loadMs / 1000).toFixed(1)} s`,
    `latency: p50 ${ms(l.p50)}, p90 ${ms(l.p90)}, p99 ${ms(l.p99)}, max ${ms(l.max)}`,
    `faults: ${kills.length} SIGKILLs (${kills.filter((k) => k.leader === true).length} of the leader), ` +
      `${report.events.length - kills.length} partitions, ${report.leaderChanges} leader changes; msw: ` +
      `${f.partitioned} calls cut by partitions, ${f.droppedRequests} requests and ${f.droppedReplies} replies dropped`,
    `machine: load average ${report.loadAverage[0].toFixed(1)} at the start, ${report.loadAverage[1].toFixed(1)} at the end (${os.cpus().length} cores)`,
  ];
}

async function run(options: CliOptions): Promise<number> {
  const dir = path.resolve(options.dir);
  fs.rmSync(dir, { recursive: true, force: true }); // each run starts from empty disks
  const report = await runCheck({
    servers: options.servers,
    clients: options.clients,
    seconds: options.seconds,
    killEvery: options.killEvery,
    partitionEvery: options.partitionEvery,
    faults: options.faults,
    dir,
    checkTimeoutMs: options.checkTimeout * 1000,
    log: say,
  });
  const html = path.join(dir, 'check.html');
  writeCheckPage(report, html);
  const history = path.join(dir, 'history.json');
  fs.writeFileSync(
    history,
    JSON.stringify({ model: 'kv', operations: report.ops, annotations: report.events }, null, 0),
  );
  for (const line of summaryLines(report)) say(line);
  for (const lost of report.lost.slice(0, 5)) {
    say(`  lost: ${JSON.stringify(lost.op.input)} acknowledged at ${lost.op.return.toFixed(1)} ms`);
  }
  say(`page: ${html}`);
  say(`history: ${history}; server logs: ${path.join(dir, 'server-*.log')}`);
  if (report.verdict === 'unknown') return 2;
  return report.verdict === 'ok' && report.lost.length === 0 && report.stuck.length === 0 ? 0 : 1;
}

new Command()
  .name('cluster:check')
  .description('Load a real cluster while killing and partitioning it, then check the history.')
  .option('--servers <n>', 'how many servers', parseCount, 5)
  .option('--clients <n>', 'how many concurrent clients', parseCount, 10)
  .option('--seconds <s>', 'how long to put load on the cluster', parseSeconds, 30)
  .option(
    '--kill-every <s>',
    'SIGKILL a server (alternately the leader) every this many seconds',
    parseSeconds,
  )
  .option('--partition-every <s>', 'cut a minority off every this many seconds', parseSeconds)
  .addOption(
    new Option('--faults <model>', 'network fault model inside the servers (labrpc’s)')
      .choices(['reliable', 'unreliable'])
      .default('reliable'),
  )
  .option(
    '--dir <folder>',
    'data folder (emptied first): logs, raft state, check.html',
    path.join('out', 'cluster-check'),
  )
  .option('--check-timeout <s>', 'the linearizability checker’s time budget', parseSeconds, 60)
  .action((options: CliOptions) =>
    run(options).then(
      (code) => process.exit(code),
      (error: unknown) => {
        process.stderr.write(`cluster:check: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(2);
      },
    ),
  )
  .parse();
