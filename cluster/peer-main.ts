/**
 * One cluster member, as its own process: a KVServer and its Raft, unchanged, on real timers, reached
 * over HTTP, saving to a FilePersister. The supervisor (supervisor.ts) starts it as
 *
 *   node out/cluster-peer.cjs --me 2 --ports 40101,40102,40103 --dir DATA/server-2   (peer-main.ts bundled)
 *                                [--faults unreliable] [--maxraftstate 65536] [--debug]
 *
 * Besides the /rpc/ routes, it answers the supervisor on /admin/: `GET /admin/status` (term, leader,
 * fault counts), `POST /admin/partition {"blocked":[…]}` (peers it cannot reach from now on) and
 * `POST /admin/faults {"reliable":bool}`. It writes its log to stdout (the supervisor sends that to
 * DATA/server-<me>.log) and exits when its supervisor goes away (the IPC channel closes), so a killed
 * supervisor leaves no orphans behind.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import type http from 'node:http';
import { Server, Service, setDebugSink } from '../labrpc';
import { KVServer } from '../kvraft';
import { FaultState, installFaults } from './faults';
import { FilePersister } from './file-persister';
import { HttpClientEnd, serveRpc } from './transport';

interface PeerOptions {
  me: number;
  ports: number[];
  dir: string;
  faults: 'reliable' | 'unreliable';
  maxraftstate: number;
  debug: boolean;
}

function parseIndex(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`expected an index >= 0, got "${value}"`);
  return n;
}

function parsePorts(value: string): number[] {
  const ports = value.split(',').map(Number);
  if (ports.some((p) => !Number.isInteger(p) || p <= 0 || p > 65535)) {
    throw new InvalidArgumentError(`expected comma-separated ports, got "${value}"`);
  }
  return ports;
}

function log(line: string): void {
  process.stdout.write(`${new Date().toISOString()} ${line}\n`);
}

function readJson(body: Buffer): Record<string, unknown> {
  const value: unknown = JSON.parse(body.toString('utf8') || '{}');
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

async function main(options: PeerOptions): Promise<void> {
  const { me, ports } = options;
  if (me >= ports.length) throw new InvalidArgumentError(`--me ${me} but only ${ports.length} ports`);
  if (options.debug) setDebugSink((server, topic, message) => log(`S${server} ${topic} ${message}`));
  const persister = new FilePersister(options.dir);
  const restored = persister.raftStateSize();
  const ends = ports.map((port, peer) => new HttpClientEnd(`S${me}->S${peer}`, `http://127.0.0.1:${port}`));
  const faults = new FaultState(options.faults === 'reliable');
  const interceptor = installFaults(ports, faults);
  const kv = new KVServer(ends, me, persister, options.maxraftstate);
  const rpc = new Server();
  rpc.addService(Service.of(kv));
  rpc.addService(Service.of(kv.rf));

  const admin = (request: http.IncomingMessage, body: Buffer, response: http.ServerResponse): boolean => {
    const json = (value: unknown): void => {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    };
    const { term, isLeader } = kv.rf.getState();
    if (request.method === 'GET' && request.url === '/admin/status') {
      json({
        me,
        pid: process.pid,
        term,
        isLeader,
        reliable: faults.reliable,
        blocked: [...faults.blocked],
        faults: faults.counts,
        saves: persister.saves,
        raftStateBytes: persister.raftStateSize(),
        snapshotBytes: persister.snapshotSize(),
      });
      return true;
    }
    if (request.method === 'POST' && request.url === '/admin/partition') {
      const blocked = readJson(body).blocked;
      if (!Array.isArray(blocked) || !blocked.every((p) => Number.isInteger(p))) {
        response.writeHead(400).end('expected {"blocked": [peer indexes]}\n');
        return true;
      }
      faults.blocked = new Set(blocked as number[]);
      log(
        blocked.length === 0
          ? 'partition healed'
          : `partitioned away from ${blocked.map((p) => `S${p}`).join(' ')}`,
      );
      json({ ok: true });
      return true;
    }
    if (request.method === 'POST' && request.url === '/admin/faults') {
      faults.reliable = readJson(body).reliable !== false;
      log(`network ${faults.reliable ? 'reliable' : 'unreliable'}`);
      json({ ok: true });
      return true;
    }
    return false;
  };

  const httpServer = await serveRpc(rpc, {
    port: ports[me],
    extra: admin,
    onError: (message) => log(`error ${message}`),
  });
  log(
    `S${me} serving on 127.0.0.1:${ports[me]} (pid ${process.pid}, ${options.faults} network, ` +
      `${restored > 0 ? `restored ${restored} bytes of raft state` : 'fresh start'})`,
  );

  // Role changes, from the outside: the reference logs nothing unless --debug, and these lines are
  // what a reader of DATA/server-<me>.log wants first.
  let last = '';
  const watch = setInterval(() => {
    const { term, isLeader } = kv.rf.getState();
    const now = `${isLeader ? 'leader' : 'not leader'} in term ${term}`;
    if (now !== last) log(`S${me} ${now}`);
    last = now;
  }, 50);

  const stop = (why: string): void => {
    log(`S${me} stopping: ${why}`);
    clearInterval(watch);
    kv.kill();
    interceptor.close();
    httpServer.close();
    httpServer.closeAllConnections();
    process.exit(0);
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('disconnect', () => stop('the supervisor went away'));
  process.send?.({ ready: true, port: ports[me] });
}

const program = new Command()
  .name('cluster-peer')
  .description('One KV server of the cluster (started by the supervisor, not by hand).')
  .requiredOption('--me <index>', 'this server’s index into --ports', parseIndex)
  .requiredOption('--ports <list>', 'every server’s port, comma-separated', parsePorts)
  .requiredOption('--dir <folder>', 'where this server keeps its raft state')
  .addOption(new Option('--faults <model>').choices(['reliable', 'unreliable']).default('reliable'))
  .option(
    '--maxraftstate <bytes>',
    'snapshot when the raft state reaches this size (-1: never)',
    Number,
    65536,
  )
  .option('--debug', 'also log the Raft and KV debug lines', false)
  .action((options: PeerOptions) =>
    main(options).catch((error: unknown) => {
      log(`fatal: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      process.exit(1);
    }),
  );

program.parse();
