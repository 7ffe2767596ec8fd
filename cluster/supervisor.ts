/**
 * The supervisor: starts N cluster members (peer-main.ts) as child processes on 127.0.0.1, kills and
 * restarts them, sets partitions, and takes them all down with it.
 *
 *   const cluster = await Cluster.start({ servers: 5, dir: 'DATA', faults: 'reliable' });
 *   await cluster.kill(2);  await cluster.restart(2);         // SIGKILL, then a new process, same port
 *   await cluster.partition([[0, 1, 2], [3, 4]]);  await cluster.heal();
 *   const clerk = new Clerk(cluster.clientEnds());           // the Clerk over HTTP
 *   await cluster.stop();
 *
 * Ports are picked free once, at start, and kept: a restarted member comes back where its peers expect
 * it. Each member's raft state lives in DATA/server-<i>/, its log in DATA/server-<i>.log (appended to
 * across restarts), and DATA/cluster.json tells the kv client where the members listen.
 *
 * No orphans: every member has an IPC channel to the supervisor and exits when it closes, whatever way
 * the supervisor ended (even SIGKILL); a supervisor that exits normally also SIGKILLs what is left.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { HttpClientEnd } from './transport';

export type FaultModel = 'reliable' | 'unreliable';

export interface ClusterOptions {
  servers: number;
  /** The data folder: raft state, logs, cluster.json. */
  dir: string;
  faults?: FaultModel;
  /** KVServer's snapshot threshold, in bytes of raft state (-1: never). */
  maxraftstate?: number;
  /** Members also log Raft's and the KV server's debug lines. */
  debug?: boolean;
  /** Where the supervisor's own lines go (default: nowhere). */
  log?: (line: string) => void;
}

/** What a member says about itself on GET /admin/status. */
export interface MemberStatus {
  me: number;
  pid: number;
  term: number;
  isLeader: boolean;
  reliable: boolean;
  blocked: number[];
  faults: { partitioned: number; delayed: number; droppedRequests: number; droppedReplies: number };
  saves: number;
  raftStateBytes: number;
  snapshotBytes: number;
}

/** DATA/cluster.json: how a client finds the cluster. */
export interface ClusterFile {
  servers: { index: number; url: string; pid: number | null }[];
  supervisorPid: number;
  faults: FaultModel;
}

export const CLUSTER_FILE = 'cluster.json';
const REPO_ROOT = path.resolve(__dirname, '..');
const PEER_MAIN = path.join(__dirname, 'peer-main.ts');
/** Generous: on a loaded two-core machine even a bundled member can take seconds to listen. */
const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 3000;

export class ClusterError extends Error {
  override name = 'ClusterError';
}

export class Cluster {
  readonly dir: string;
  readonly ports: readonly number[];
  readonly faults: FaultModel;
  readonly #options: ClusterOptions;
  readonly #children: (ChildProcess | null)[];
  /** Every member process this supervisor started, live or not (tests check none is left). */
  readonly startedPids: number[] = [];
  /** Current partition groups; [] when healed. Reapplied to a member that restarts. */
  #groups: number[][] = [];
  #stopped = false;
  readonly #onExit = (): void => {
    for (const child of this.#children) child?.kill('SIGKILL');
  };

  private constructor(options: ClusterOptions, ports: number[]) {
    this.#options = options;
    this.dir = path.resolve(options.dir);
    this.ports = ports;
    this.faults = options.faults ?? 'reliable';
    this.#children = ports.map(() => null);
    process.on('exit', this.#onExit);
  }

  /** Start `servers` members on free ports and wait until every one is listening. */
  static async start(options: ClusterOptions): Promise<Cluster> {
    if (!Number.isInteger(options.servers) || options.servers < 1) {
      throw new ClusterError(`--servers must be a whole number >= 1, got ${options.servers}`);
    }
    fs.mkdirSync(options.dir, { recursive: true });
    const cluster = new Cluster(options, await freePorts(options.servers));
    try {
      await Promise.all(cluster.ports.map((_, i) => cluster.restart(i)));
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  get size(): number {
    return this.ports.length;
  }

  url(i: number): string {
    return `http://127.0.0.1:${this.ports[i]}`;
  }

  /** Process ids of the live members (null where a member is down). */
  pids(): (number | null)[] {
    return this.#children.map((child) => child?.pid ?? null);
  }

  isUp(i: number): boolean {
    return this.#children[i] !== null;
  }

  /** Fresh client ends, one per member, for a Clerk. */
  clientEnds(timeoutMs?: number): HttpClientEnd[] {
    return this.ports.map((_, i) => new HttpClientEnd(`client->S${i}`, this.url(i), timeoutMs));
  }

  /** SIGKILL member i (no warning, no cleanup: its last completed save is all that survives). */
  async kill(i: number): Promise<void> {
    const child = this.#children[i];
    if (child === null) return;
    this.#children[i] = null;
    const exited = waitForExit(child);
    child.kill('SIGKILL');
    await exited;
    this.#log(`S${i} killed (SIGKILL, pid ${child.pid})`);
    this.#writeClusterFile();
  }

  /** Start member i (again), on its port, from its data folder; resolves once it is listening. */
  async restart(i: number): Promise<void> {
    if (this.#stopped) throw new ClusterError('the cluster was stopped');
    if (this.#children[i] !== null) return;
    const logFile = path.join(this.dir, `server-${i}.log`);
    const logFd = fs.openSync(logFile, 'a');
    const args = [
      peerBundle(),
      '--me',
      String(i),
      '--ports',
      this.ports.join(','),
      '--dir',
      path.join(this.dir, `server-${i}`),
      '--faults',
      this.faults,
      '--maxraftstate',
      String(this.#options.maxraftstate ?? 65536),
      ...(this.#options.debug === true ? ['--debug'] : []),
    ];
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', logFd, logFd, 'ipc'] });
    fs.closeSync(logFd);
    this.#children[i] = child;
    if (child.pid !== undefined) this.startedPids.push(child.pid);
    child.on('exit', (code, signal) => {
      if (this.#children[i] === child) {
        this.#children[i] = null; // not stopped by us: say so, the kv client must not think it is up
        // A signal came from outside (a `kill -9` by hand, the OOM killer): the member did not exit by itself.
        const how =
          signal === null
            ? `exited by itself (code ${code})`
            : `was killed by ${signal} from outside the supervisor (by hand, or by the system)`;
        this.#log(`S${i} (pid ${child.pid}) ${how}; see ${logFile}`);
        this.#writeClusterFile();
      }
    });
    try {
      await waitForReady(child, i, logFile);
    } catch (error) {
      if (this.#children[i] === child) this.#children[i] = null;
      child.kill('SIGKILL');
      throw error;
    }
    this.#log(`S${i} up on ${this.url(i)} (pid ${child.pid})`);
    this.#writeClusterFile();
    if (this.#groups.length > 0) await this.#sendPartition(i);
  }

  /** Split the members into groups that cannot reach each other (every member in exactly one group). */
  async partition(groups: number[][]): Promise<void> {
    const all = groups.flat().sort((a, b) => a - b);
    if (all.length !== this.size || all.some((m, k) => m !== k)) {
      throw new ClusterError(
        `a partition must name every member 0..${this.size - 1} once, got ${JSON.stringify(groups)}`,
      );
    }
    this.#groups = groups.map((g) => [...g]);
    await Promise.all(this.ports.map((_, i) => this.#sendPartition(i)));
    this.#log(`partition ${groups.map((g) => `{${g.map((m) => `S${m}`).join(' ')}}`).join(' | ')}`);
  }

  async heal(): Promise<void> {
    this.#groups = [];
    await Promise.all(this.ports.map((_, i) => this.#sendPartition(i)));
    this.#log('partition healed');
  }

  /** Turn the unreliable fault model on or off in every live member. */
  async setReliable(reliable: boolean): Promise<void> {
    await Promise.all(this.ports.map((_, i) => this.#admin(i, '/admin/faults', { reliable })));
  }

  /** A member's own account of itself, or null if it is down or does not answer. */
  async status(i: number): Promise<MemberStatus | null> {
    if (!this.isUp(i)) return null;
    try {
      const response = await fetch(`${this.url(i)}/admin/status`, { signal: timeoutSignal(2000) });
      return response.ok ? ((await response.json()) as MemberStatus) : null;
    } catch {
      return null;
    }
  }

  /** The member that believes it leads in the highest term, if any answers so. */
  async leader(): Promise<number | null> {
    const all = await Promise.all(this.ports.map((_, i) => this.status(i)));
    const leaders = all.filter((s): s is MemberStatus => s?.isLeader === true);
    leaders.sort((a, b) => b.term - a.term);
    return leaders[0]?.me ?? null;
  }

  /** Stop every member (SIGTERM, then SIGKILL after a grace period) and wait until all have exited. */
  async stop(): Promise<void> {
    this.#stopped = true;
    const children = this.#children.map((child, i) => {
      this.#children[i] = null;
      return child;
    });
    await Promise.all(
      children.map(async (child) => {
        if (child === null) return;
        const exited = waitForExit(child);
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        await exited;
        clearTimeout(timer);
      }),
    );
    process.off('exit', this.#onExit);
    this.#writeClusterFile();
    this.#log('cluster stopped');
  }

  async #sendPartition(i: number): Promise<void> {
    const mine = this.#groups.find((g) => g.includes(i));
    const blocked = mine === undefined ? [] : this.ports.map((_, p) => p).filter((p) => !mine.includes(p));
    await this.#admin(i, '/admin/partition', { blocked });
  }

  /** POST to a live member's admin route; a member that is down is skipped (it learns on restart). */
  async #admin(i: number, route: string, body: unknown): Promise<void> {
    if (!this.isUp(i)) return;
    try {
      await fetch(`${this.url(i)}${route}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: timeoutSignal(5000),
      });
    } catch {
      // It died meanwhile: the next restart reapplies the partition.
    }
  }

  #writeClusterFile(): void {
    const file: ClusterFile = {
      servers: this.ports.map((_, i) => ({
        index: i,
        url: this.url(i),
        pid: this.#children[i]?.pid ?? null,
      })),
      supervisorPid: process.pid,
      faults: this.faults,
    };
    const target = path.join(this.dir, CLUSTER_FILE);
    if (this.#stopped) {
      fs.rmSync(target, { force: true });
      return;
    }
    // Written beside, then renamed over: a reader (the kv client, a test) never sees a half-written file.
    const tmp = `${target}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, `${JSON.stringify(file, null, 2)}\n`);
    fs.renameSync(tmp, target);
  }

  #log(line: string): void {
    this.#options.log?.(line);
  }
}

let bundled: string | undefined;

/**
 * peer-main.ts and everything it imports, as one CommonJS file, built once per supervisor process.
 * Why: a restarted member should be back within a second, as a real server would be. Loading it
 * through tsx costs about 1.2 s of CPU per start (transpiling and resolving every module, msw's many);
 * the bundle starts in about 0.2 s. It is written beside node_modules (out/), where the native
 * codec addon that stays outside the bundle resolves, under a unique name renamed into place, so
 * concurrent clusters never read a half-written file.
 */
export function peerBundle(): string {
  if (bundled !== undefined) return bundled;
  const outfile = path.join(REPO_ROOT, 'out', 'cluster-peer.cjs');
  const tmp = `${outfile}.${process.pid}.tmp`;
  fs.mkdirSync(path.dirname(outfile), { recursive: true });
  // esbuild's API in a child process: in jest's sandbox the API refuses to run (its TextEncoder check).
  const options = {
    entryPoints: [PEER_MAIN],
    outfile: tmp,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    external: ['msgpackr-extract'],
    logLevel: 'error',
  };
  execFileSync(
    process.execPath,
    ['-e', 'require("esbuild").buildSync(JSON.parse(process.argv[1]))', JSON.stringify(options)],
    { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  fs.renameSync(tmp, outfile);
  bundled = outfile;
  return outfile;
}

/** An abort signal after `ms` of real time (AbortSignal.timeout is banned: it escapes the lab's clock). */
function timeoutSignal(ms: number): AbortSignal {
  const abort = new AbortController();
  setTimeout(() => abort.abort(), ms).unref();
  return abort.signal;
}

/** `n` distinct ports that were free a moment ago (all held open together, so no duplicates). */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<net.Server>((resolve, reject) => {
          const server = net.createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

function waitForReady(child: ChildProcess, i: number, logFile: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (why: string): void => {
      cleanup();
      const tail = fs.existsSync(logFile)
        ? fs.readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n')
        : '';
      reject(new ClusterError(`S${i} did not start: ${why}; last lines of ${logFile}:\n${tail}`));
    };
    const onMessage = (message: unknown): void => {
      if (typeof message === 'object' && message !== null && 'ready' in message) {
        cleanup();
        resolve();
      }
    };
    const onExit = (code: number | null, signal: string | null): void =>
      fail(`it exited (${signal ?? `code ${code}`}) before listening`);
    const timer = setTimeout(
      () => fail(`not listening after ${READY_TIMEOUT_MS / 1000} s`),
      READY_TIMEOUT_MS,
    );
    const cleanup = (): void => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}
