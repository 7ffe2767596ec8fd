/**
 * labrpc's self-tests: the 11 tests of Go's labrpc (catalog §1.8), then one test per number of the
 * failure model (catalog §1.4, §1.6), each run in virtual time so delays are measured exactly.
 * Statistical bounds use samples large enough that a correct network fails them with negligible
 * probability on any seed (each bound is ≥ 4.5 standard deviations from the expected value).
 */
import { sleep } from '../../labrpc';
import { check, defineLabTest, type LabTest } from '../harness';
import { junkNetwork, type JunkReply } from './junk-server';

const part = 'labrpc';

// Go: TestBasic
const basic = defineLabTest({
  part,
  title: 'basic',
  async body(ctx) {
    const { end } = junkNetwork(ctx);
    const e = end('end1-99');
    const reply2 = await e.call<number, string>('JunkServer.Handler2', 111);
    check(reply2 === 'handler2-111', `wrong reply from Handler2: ${reply2}`);
    const reply1 = await e.call<string, number>('JunkServer.Handler1', '9099');
    check(reply1 === 9099, `wrong reply from Handler1: ${reply1}`);
  },
});

// Go: TestTypes — in TypeScript both of Go's cases are plain objects; both must dispatch.
const types = defineLabTest({
  part,
  title: 'argument and reply types',
  async body(ctx) {
    const { end } = junkNetwork(ctx);
    const e = end('end1-99');
    const r4 = await e.call<{ x: number }, JunkReply>('JunkServer.Handler4', { x: 1 });
    check(r4?.x === 'pointer', `wrong reply from Handler4: ${JSON.stringify(r4)}`);
    const r5 = await e.call<{ x: number }, JunkReply>('JunkServer.Handler5', { x: 2 });
    check(r5?.x === 'no pointer', `wrong reply from Handler5: ${JSON.stringify(r5)}`);
  },
});

// Go: TestDisconnect
const disconnect = defineLabTest({
  part,
  title: 'disconnect',
  async body(ctx) {
    const { net } = junkNetwork(ctx);
    const e = net.makeEnd('end1-99');
    net.connect('end1-99', 99); // connected but not enabled
    const before = await e.call<number, string>('JunkServer.Handler2', 111);
    check(before === null, `a call on a disabled end returned ${JSON.stringify(before)}, expected null`);
    net.enable('end1-99', true);
    const after = await e.call<string, number>('JunkServer.Handler1', '9099');
    check(after === 9099, `after enable, wrong reply ${after}`);
  },
});

// Go: TestCounts
const counts = defineLabTest({
  part,
  title: 'counts',
  async body(ctx) {
    const { net, end } = junkNetwork(ctx);
    const e = end('end1-99');
    for (let i = 0; i < 17; i++) {
      const reply = await e.call<number, string>('JunkServer.Handler2', i);
      check(reply === `handler2-${i}`, `wrong reply ${reply}`);
    }
    check(net.getCount(99) === 17, `wrong getCount() ${net.getCount(99)}, expected 17`);
    check(net.getTotalCount() === 17, `wrong getTotalCount() ${net.getTotalCount()}, expected 17`);
  },
});

// Go: TestBytes. Go's bounds (4828..6000, 1800..2500) are gob's; ours are MessagePack's, exactly:
// - Handler6 with a 284-char string: request = 3-byte str16 header + 284 bytes; reply 284 = 3-byte
//   uint16. So 17 calls carry at least the 17 × 284 = 4828 payload bytes and at most 17 × 290 = 4930.
// - Handler7(107): request 107 = 1-byte fixint; reply = 2-byte str8 header + 107 bytes. So at least
//   17 × 107 = 1819 payload bytes and at most 17 × 110 = 1870.
const bytes = defineLabTest({
  part,
  title: 'byte counts',
  async body(ctx) {
    const { net, end } = junkNetwork(ctx);
    const e = end('end1-99');
    const arg = 'x'.repeat(284);
    for (let i = 0; i < 17; i++)
      check((await e.call('JunkServer.Handler6', arg)) === 284, 'wrong Handler6 reply');
    const n = net.getTotalBytes();
    check(n >= 4828 && n <= 4930, `wrong total bytes ${n} after Handler6 calls, expected 4828..4930`);
    for (let i = 0; i < 17; i++) {
      const reply = await e.call<number, string>('JunkServer.Handler7', 107);
      check(reply === 'y'.repeat(107), 'wrong Handler7 reply');
    }
    const extra = net.getTotalBytes() - n;
    check(
      extra >= 1819 && extra <= 1870,
      `wrong extra bytes ${extra} after Handler7 calls, expected 1819..1870`,
    );
  },
});

// Go: TestConcurrentMany
const concurrentMany = defineLabTest({
  part,
  title: 'concurrent many',
  async body(ctx) {
    const { net, end } = junkNetwork(ctx);
    const clients = Array.from({ length: 20 }, async (_, c) => {
      const e = end(`end-${c}`);
      let ok = 0;
      for (let j = 0; j < 10; j++) {
        const arg = 100 * c + j;
        if ((await e.call('JunkServer.Handler2', arg)) === `handler2-${arg}`) ok += 1;
      }
      return ok;
    });
    const total = (await Promise.all(clients)).reduce((a, b) => a + b, 0);
    check(total === 200, `only ${total} of 200 calls succeeded`);
    check(net.getCount(99) === 200, `wrong getCount() ${net.getCount(99)}, expected 200`);
  },
});

// Go: TestUnreliable
const unreliable = defineLabTest({
  part,
  title: 'unreliable',
  async body(ctx) {
    const { net, end } = junkNetwork(ctx);
    net.reliable(false);
    const replies = await Promise.all(
      Array.from({ length: 300 }, (_, c) => end(`end-${c}`).call('JunkServer.Handler2', c)),
    );
    const ok = replies.filter((r) => r !== null).length;
    check(ok > 0 && ok < 300, `${ok} of 300 unreliable calls succeeded; expected some but not all`);
  },
});

// Go: TestConcurrentOne
const concurrentOne = defineLabTest({
  part,
  title: 'concurrent one',
  async body(ctx) {
    const { net, junk, end } = junkNetwork(ctx);
    const e = end('end1-99');
    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) => e.call('JunkServer.Handler2', 100 + i)),
    );
    check(
      replies.every((r, i) => r === `handler2-${100 + i}`),
      'a concurrent call got a wrong reply',
    );
    check(junk.log2.length === 20, `handler log has ${junk.log2.length} entries, expected 20`);
    check(net.getCount(99) === 20, `wrong getCount() ${net.getCount(99)}, expected 20`);
  },
});

// Go: TestRegression1 — calls that failed on a disabled end must not delay or duplicate later ones.
const regression1 = defineLabTest({
  part,
  title: 'regression: failed calls do not delay later ones',
  async body(ctx) {
    const { net, junk } = junkNetwork(ctx);
    const e = net.makeEnd('end1-99');
    net.connect('end1-99', 99);
    const failed = Array.from({ length: 20 }, (_, i) => e.call('JunkServer.Handler2', 100 + i));
    await sleep(100);
    net.enable('end1-99', true);
    const t0 = ctx.now();
    const reply = await e.call('JunkServer.Handler2', 99);
    check(reply === 'handler2-99', `wrong reply ${JSON.stringify(reply)}`);
    check(ctx.now() - t0 <= 30, `the call took ${ctx.now() - t0} ms, expected at most 30 ms`);
    check(
      (await Promise.all(failed)).every((r) => r === null),
      'a call on the disabled end succeeded',
    );
    check(junk.log2.length === 1, `handler ran ${junk.log2.length} times, expected 1`);
    check(net.getCount(99) === 1, `wrong getCount() ${net.getCount(99)}, expected 1`);
  },
});

// Go: TestKilled — a call whose server is deleted while its handler runs returns null within 100 ms.
const killed = defineLabTest({
  part,
  title: 'killed',
  async body(ctx) {
    const { net, end } = junkNetwork(ctx);
    let reply: number | null | undefined;
    void end('end1-99')
      .call<number, number>('JunkServer.Handler3', 99)
      .then((r) => (reply = r));
    await sleep(1000);
    check(reply === undefined, 'the call returned before its handler did');
    net.deleteServer(99);
    const t0 = ctx.now();
    while (reply === undefined && ctx.now() - t0 <= 100) await sleep(1);
    check(reply === null, `after deleteServer the call returned ${reply} instead of null within 100 ms`);
  },
});

// Go: TestBenchmark — here a correctness check over many sequential calls; speed is `npm run bench`.
const manySequential = defineLabTest({
  part,
  title: 'many sequential calls',
  async body(ctx) {
    const { net, end } = junkNetwork(ctx);
    const e = end('end1-99');
    for (let i = 0; i < 20_000; i++) {
      if ((await e.call('JunkServer.Handler2', 111)) !== 'handler2-111') throw new Error(`call ${i} failed`);
    }
    check(net.getCount(99) === 20_000, `wrong getCount() ${net.getCount(99)}`);
  },
});

export const goLabrpcTests: LabTest[] = [
  basic,
  types,
  disconnect,
  counts,
  bytes,
  concurrentMany,
  unreliable,
  concurrentOne,
  regression1,
  killed,
  manySequential,
];
