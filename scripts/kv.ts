/**
 * kv: a client of the running cluster (`npm run cluster`), through the lab's own Clerk over HTTP.
 *
 *   npm run kv -- put k v | npm run kv -- append k v | npm run kv -- get k
 *   npm run kv                 a prompt: get/put/append/status/help, Ctrl-D to leave
 *   --dir out/cluster          the cluster's data folder (where cluster.json says where the servers are)
 *
 * The Clerk retries until the operation has taken effect exactly once, for as long as it takes; here a
 * command gives up after --timeout seconds with a message (a majority of the servers must be up).
 */
import { Command, InvalidArgumentError } from 'commander';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { Clerk } from '../kvraft';
import { CLUSTER_FILE, type ClusterFile, type MemberStatus } from '../cluster/supervisor';
import { HttpClientEnd } from '../cluster/transport';
import { DEFAULT_DIR } from './cluster';

interface CliOptions {
  dir: string;
  timeout: number;
}

class KvCliError extends Error {}

function readClusterFile(dir: string): ClusterFile {
  const file = path.join(dir, CLUSTER_FILE);
  if (!fs.existsSync(file)) {
    throw new KvCliError(
      `no cluster running with data in ${dir} (no ${file}); start one with: npm run cluster`,
    );
  }
  return JSON.parse(fs.readFileSync(file, 'utf8')) as ClusterFile;
}

function withTimeout<T>(work: Promise<T>, seconds: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new KvCliError(`${what}: no answer after ${seconds} s; is a majority of the servers up?`)),
      seconds * 1000,
    );
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** Run one command; returns the line to print. */
async function execute(
  clerk: Clerk,
  cluster: ClusterFile,
  words: string[],
  seconds: number,
): Promise<string> {
  const [command, key, ...rest] = words;
  const value = rest.join(' ');
  const need = (n: number, usage: string): void => {
    if (words.length < n) throw new KvCliError(`usage: ${usage}`);
  };
  switch (command) {
    case 'get':
      need(2, 'get <key>');
      return JSON.stringify(await withTimeout(clerk.get(key), seconds, `get ${key}`));
    case 'put':
      need(3, 'put <key> <value>');
      await withTimeout(clerk.put(key, value), seconds, `put ${key}`);
      return 'OK';
    case 'append':
      need(3, 'append <key> <value>');
      await withTimeout(clerk.append(key, value), seconds, `append ${key}`);
      return 'OK';
    case 'status':
      return (await Promise.all(cluster.servers.map(describe))).join('\n');
    case 'help':
      return 'get <key> | put <key> <value> | append <key> <value> | status | help   (Ctrl-D leaves)';
    default:
      throw new KvCliError(`unknown command "${command}"; try: get, put, append, status, help`);
  }
}

async function describe(server: ClusterFile['servers'][number]): Promise<string> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 2000);
  try {
    const s = (await (
      await fetch(`${server.url}/admin/status`, { signal: abort.signal })
    ).json()) as MemberStatus;
    const role = s.isLeader ? 'leader' : 'follower';
    const cut = s.blocked.length > 0 ? `, cut off from ${s.blocked.map((p) => `S${p}`).join(' ')}` : '';
    return `S${s.me} ${server.url} pid ${s.pid}: ${role} in term ${s.term}, raft state ${s.raftStateBytes} B, snapshot ${s.snapshotBytes} B${cut}`;
  } catch {
    return `S${server.index} ${server.url}: down`;
  } finally {
    clearTimeout(timer);
  }
}

async function run(words: string[], options: CliOptions): Promise<void> {
  const cluster = readClusterFile(options.dir);
  const clerk = new Clerk(cluster.servers.map((s) => new HttpClientEnd(`kv->S${s.index}`, s.url)));
  if (words.length > 0) {
    process.stdout.write(`${await execute(clerk, cluster, words, options.timeout)}\n`);
    process.exit(0); // a timed-out Clerk would keep retrying in the background
  }
  const prompt = readline.createInterface({ input: process.stdin, output: process.stdout, prompt: 'kv> ' });
  process.stdout.write(`connected to ${cluster.servers.length} servers (${options.dir}); type help\n`);
  prompt.prompt();
  for await (const line of prompt) {
    const input = line.trim().split(/\s+/).filter(Boolean);
    if (input.length > 0) {
      try {
        process.stdout.write(`${await execute(clerk, cluster, input, options.timeout)}\n`);
      } catch (error) {
        process.stdout.write(`${error instanceof Error ? error.message : String(error)}\n`);
      }
    }
    prompt.prompt();
  }
  process.exit(0);
}

function parseSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected seconds > 0, got "${value}"`);
  return n;
}

new Command()
  .name('kv')
  .description('Get, put and append on the running cluster (npm run cluster), or a prompt with no command.')
  .argument('[command...]', 'get <key> | put <key> <value> | append <key> <value> | status')
  .option('--dir <folder>', 'the cluster’s data folder', DEFAULT_DIR)
  .option('--timeout <seconds>', 'give up on an operation after this long', parseSeconds, 15)
  .action((words: string[], options: CliOptions) =>
    run(words, options).catch((error: unknown) => {
      process.stderr.write(`kv: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    }),
  )
  .parse();
