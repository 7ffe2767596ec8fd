/**
 * `npm run bench`: what the virtual-time framework costs, as ratios against baselines measured in the
 * same run on the same machine (absolute numbers vary with the machine and its load; ratios much less).
 *
 *   hop        a bare native setImmediate round trip: the floor of one driver step
 *   timer      one timer event through the driver (fire one timer, drain continuations): cost vs a hop
 *   codec      the codec's encode (with its checks) + decode of an AppendEntries and its reply, vs
 *              msgpackr's own pack + unpack of the same two messages
 *   rpc        labrpc calls delivered per wall second in virtual time, reliable and unreliable, and the
 *              cost of one delivered RPC vs msgpackr's pack + unpack of the same arguments and reply
 *   parts      CPU time of this tree's labs (the reference, or a student's code) on every 2A–4B test vs a bare timer loop, and the invariant
 *              monitor's overhead: the same runs with it and without it (bench-parts.ts)
 *   suite      whole tests in a worker, under jest and under stress, vs in-process (scripts/bench/suite.ts)
 *   boundary   a heavy test of 2C, 3A, 3B and 4B with the code under test in a child process (the
 *              grader's way) vs in this thread, with the exchanges and bytes (scripts/bench/boundary.ts)
 *
 * `npm run bench -- parts` (or `framework`, `suite`, `boundary`, several) runs only those sections.
 */
import '../tests/harness/random-setup';
import Table from 'cli-table3';
import { Network, Server, Service, decode, encode, sleep } from '../labrpc';
import { Packr } from 'msgpackr';
import { PACK_OPTIONS } from '../labrpc/codec';
import { defineLabTest, runLabTest } from '../tests/harness';
import { benchParts, LAB_PARTS, partsTable, tableStyle, timerLoopCpuMs } from './bench-parts';
import { boundaryRows } from './bench/boundary';
import { suiteRows } from './bench/suite';

const realNow = performance.now.bind(performance);

/** A typical AppendEntries request with one entry, used by both the RPC and the codec measurements. */
const args = {
  term: 7,
  leaderId: 2,
  prevLogIndex: 41,
  prevLogTerm: 6,
  entries: [{ term: 7, command: 123 }],
  leaderCommit: 40,
};

async function hopMicros(n: number): Promise<number> {
  const start = realNow();
  for (let i = 0; i < n; i++) await new Promise<void>((resolve) => setImmediate(resolve));
  return ((realNow() - start) * 1000) / n;
}

async function virtual(
  title: string,
  body: () => Promise<void>,
): Promise<{ wallMs: number; virtualMs: number }> {
  const test = defineLabTest({ part: 'harness', title, body, virtualLimitMs: 10_000_000 });
  const result = await runLabTest(test, { seed: 1, replay: 'bench', write: () => {} });
  if (result.error) throw result.error;
  return { wallMs: result.wallMs, virtualMs: result.virtualMs };
}

async function timerMicros(n: number): Promise<number> {
  const { wallMs } = await virtual('timers', async () => {
    for (let i = 0; i < n; i++) await sleep(1);
  });
  return (wallMs * 1000) / n;
}

interface RpcFigures {
  delivered: number;
  perWallSecond: number;
  virtualSeconds: number;
}

/**
 * 20 clients calling back to back: for `seconds` of virtual time on an unreliable network; on a reliable
 * one (where a call takes no virtual time at all) for `seconds` × 1000 calls each.
 */
async function rpcRate(reliable: boolean, seconds: number): Promise<RpcFigures> {
  let delivered = 0;
  const { wallMs, virtualMs } = await virtual('rpc', async () => {
    const net = new Network();
    net.reliable(reliable);
    const server = new Server();
    server.addService(new Service('Raft', { AppendEntries: () => ({ term: 7, success: true }) }));
    net.addServer(0, server);
    const deadline = Date.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: 20 }, async (_, c) => {
        const end = net.makeEnd(`c${c}`);
        net.connect(`c${c}`, 0);
        net.enable(`c${c}`, true);
        for (let i = 0; reliable ? i < seconds * 1000 : Date.now() < deadline; i++) {
          if ((await end.call('Raft.AppendEntries', args)) !== null) delivered += 1;
          else await sleep(1);
        }
      }),
    );
  });
  return { delivered, perWallSecond: delivered / (wallMs / 1000), virtualSeconds: virtualMs / 1000 };
}

const reply = { term: 7, success: true };

/** The codec's encode (checks included) and decode of the arguments and the reply. */
function codecMicros(n: number): number {
  const start = realNow();
  for (let i = 0; i < n; i++) {
    decode(encode(args, 'args'));
    decode(encode(reply, 'reply'));
  }
  return ((realNow() - start) * 1000) / n;
}

/**
 * The baseline for the codec and the RPCs: msgpackr itself packing and unpacking the same two messages
 * (with a copy of each, as the codec keeps its own), which no change to our code makes faster or slower.
 */
const packr = new Packr(PACK_OPTIONS); // its own instance, with the codec's options

function msgpackrMicros(n: number): number {
  const start = realNow();
  for (let i = 0; i < n; i++) {
    packr.unpack(new Uint8Array(packr.pack(args)));
    packr.unpack(new Uint8Array(packr.pack(reply)));
  }
  return ((realNow() - start) * 1000) / n;
}

const SECTIONS = ['framework', 'parts', 'suite', 'boundary'] as const;

async function framework(): Promise<void> {
  await hopMicros(20_000); // warm-up
  await timerMicros(20_000);
  const hop = await hopMicros(200_000);
  const timer = await timerMicros(200_000);
  msgpackrMicros(20_000); // warm-up
  codecMicros(20_000);
  const msgpackr = msgpackrMicros(200_000);
  const codec = codecMicros(200_000);
  const reliable = await rpcRate(true, 20);
  const unreliable = await rpcRate(false, 60);
  const rpcMicros = (figures: RpcFigures): number => 1e6 / figures.perWallSecond;

  const table = new Table({ style: tableStyle(), head: ['measure', 'result', 'baseline', 'ratio'] });
  table.push(
    ['setImmediate hop (baseline)', `${hop.toFixed(2)} µs`, '–', '1.0×'],
    [
      'timer event through the driver',
      `${timer.toFixed(2)} µs`,
      `hop ${hop.toFixed(2)} µs`,
      `${(timer / hop).toFixed(1)}×`,
    ],
    ['msgpackr pack+unpack args and reply (baseline)', `${msgpackr.toFixed(2)} µs`, '–', '1.0×'],
    [
      'codec encode+decode args and reply (checks included)',
      `${codec.toFixed(2)} µs`,
      `msgpackr ${msgpackr.toFixed(2)} µs`,
      `${(codec / msgpackr).toFixed(1)}×`,
    ],
    ...[
      ['reliable', reliable],
      ['unreliable', unreliable],
    ].map(([label, f]) => {
      const figures = f as RpcFigures;
      return [
        `RPCs delivered, ${label as string} (${figures.delivered} in ${figures.virtualSeconds.toFixed(0)} virtual s)`,
        `${Math.round(figures.perWallSecond).toLocaleString('en')}/s (${rpcMicros(figures).toFixed(1)} µs each)`,
        `msgpackr ${msgpackr.toFixed(2)} µs`,
        `${(rpcMicros(figures) / msgpackr).toFixed(1)}×`,
      ];
    }),
  );
  process.stdout.write(`raftlab framework benchmark (node ${process.version})\n${table.toString()}\n`);
}

async function main(): Promise<void> {
  const asked = process.argv.slice(2);
  const unknown = asked.filter((a) => !(SECTIONS as readonly string[]).includes(a));
  if (unknown.length > 0) {
    process.stderr.write(`npm run bench: unknown section ${unknown.join(', ')} (${SECTIONS.join(', ')})\n`);
    process.exit(2);
  }
  const run = (section: (typeof SECTIONS)[number]): boolean => asked.length === 0 || asked.includes(section);
  if (run('framework')) await framework();
  if (run('parts')) {
    const seed = 1;
    const baseline = await timerLoopCpuMs(seed);
    const parts = await benchParts(LAB_PARTS, seed);
    process.stdout.write(partsTable(parts, baseline, seed));
  }
  if (run('suite')) {
    // Whole tests: isolation, jest and stress against an in-process run (scripts/bench/suite.ts).
    const suite = new Table({ style: tableStyle(), head: ['suite', 'result', 'baseline', 'ratio'] });
    suite.push(...(await suiteRows()));
    process.stdout.write(`${suite.toString()}\n`);
  }
  if (run('boundary')) {
    const boundary = new Table({
      style: tableStyle(),
      head: ['behind the boundary', 'result', 'baseline', 'ratio'],
    });
    boundary.push(...(await boundaryRows()));
    process.stdout.write(`${boundary.toString()}\n`);
  }
}

void main();
