/**
 * The virtual-time driver's own tests: every guard rail fires with its message and the virtual time;
 * seeds make runs reproducible; nothing a run leaves behind reaches the next one.
 */
import os from 'node:os';
import path from 'node:path';
import _ from 'lodash';
import { Network, Server, Service, sleep } from '../../labrpc';
import { defineLabTest, runLabTest, type LabContext, type RunResult } from '../harness';

const traceDir = path.join(os.tmpdir(), 'raftlab-driver-tests');
const quiet = (): void => {};

function run(
  body: (ctx: LabContext) => Promise<void>,
  seed = 1,
  virtualLimitMs?: number,
): Promise<RunResult> {
  const test = defineLabTest({ part: 'harness', title: 'driver probe', body, virtualLimitMs });
  return runLabTest(test, { seed, replay: `LAB_SEED=${seed} replay-command`, write: quiet, traceDir });
}

async function failure(body: (ctx: LabContext) => Promise<void>, virtualLimitMs?: number): Promise<string> {
  const result = await run(body, 1, virtualLimitMs);
  expect(result.passed).toBe(false);
  return result.error?.message ?? '';
}

describe('guard rails', () => {
  test('a body waiting on nothing is a deadlock, reported with its virtual time', async () => {
    const message = await failure(async () => {
      await sleep(1000);
      await new Promise(() => {});
    });
    expect(message).toMatch(/^DeadlockError: deadlock at virtual time 1\.000 s/);
  });

  test('the virtual-time limit stops a test that never ends', async () => {
    const message = await failure(async () => {
      setInterval(() => {}, 100);
      await new Promise(() => {});
    }, 5000);
    expect(message).toMatch(/^VirtualTimeLimitError: virtual time limit of 5\.000 s exceeded/);
  });

  test('the wall-clock limit stops a run that is too slow in real time', async () => {
    const realNow = performance.now.bind(performance);
    const test = defineLabTest({
      part: 'harness',
      title: 'slow',
      async body() {
        for (;;) {
          const until = realNow() + 0.05;
          while (realNow() < until); // real CPU work per virtual event
          await sleep(1);
        }
      },
    });
    const result = await runLabTest(test, { seed: 1, replay: 'x', write: quiet, traceDir, wallLimitMs: 100 });
    expect(result.error?.message).toMatch(
      /^WallClockLimitError: wall-clock limit of 100 ms exceeded at virtual time/,
    );
  });

  test('a busy-wait on the clock is caught and explained', async () => {
    const message = await failure(async () => {
      await sleep(300);
      const until = Date.now() + 10;
      while (Date.now() < until);
    });
    expect(message).toMatch(/^BusyWaitError: busy-wait detected at virtual time 0\.300 s/);
    expect(message).toContain('await sleep(ms)');
  });

  test('an unhandled rejection fails the run at the virtual time it happened', async () => {
    const message = await failure(async () => {
      setTimeout(() => void Promise.reject(new Error('student bug')), 705);
      await sleep(2000);
    });
    expect(message).toMatch(
      /^UncaughtError: unhandled promise rejection at virtual time 0\.705 s: Error: student bug/,
    );
  });

  test('a throw inside a timer callback fails the run', async () => {
    const message = await failure(async () => {
      setTimeout(() => {
        throw new Error('boom');
      }, 500);
      await sleep(2000);
    });
    expect(message).toMatch(
      /^UncaughtError: uncaught exception in a timer callback at virtual time 0\.500 s: Error: boom/,
    );
  });

  test('ctx.fail() from a callback ends the run at once', async () => {
    const message = await failure(async (ctx) => {
      setTimeout(() => ctx.fail(new Error('apply out of order')), 250);
      await sleep(60_000);
    });
    expect(message).toMatch(/^Error: apply out of order/);
    expect(message).toContain('failed at virtual time 0.250 s');
  });

  test('an RPC to an unknown method fails the test and lists the methods', async () => {
    class Echo {
      Say(x: string): string {
        return x;
      }
    }
    const message = await failure(async () => {
      const net = new Network();
      const server = new Server();
      server.addService(Service.of(new Echo()));
      net.addServer(1, server);
      const end = net.makeEnd('e');
      net.connect('e', 1);
      net.enable('e', true);
      expect(await end.call('Echo.Shout', 'hi')).toBeNull();
      await sleep(10);
    });
    expect(message).toContain('unknown method "Shout" of service "Echo"; methods: Say');
  });
});

describe('failure reports', () => {
  test('a failure prints the seed, the virtual time, the trace file and the replay command', async () => {
    const result = await run(async (ctx) => {
      ctx.trace.record('fault', { action: 'disconnect', server: 2 });
      await sleep(1500);
      throw new Error('only 1 decided for index 3; wanted 2');
    }, 77);
    const message = result.error?.message ?? '';
    expect(message).toContain('seed:   77 (failed at virtual time 1.500 s)');
    expect(message).toContain('replay: LAB_SEED=77 replay-command');
    expect(result.traceFile).toBeDefined();
    expect(message).toContain(`trace:  ${result.traceFile}`);
  });

  test('the same seed fails the same way at the same virtual time', async () => {
    const flaky = async (): Promise<void> => {
      for (;;) {
        await sleep(1 + Math.floor(Math.random() * 100));
        if (Math.random() < 0.05) throw new Error(`unlucky draw`);
      }
    };
    const [a, b] = [await run(flaky, 4242), await run(flaky, 4242)];
    expect(a.error?.message).toBe(b.error?.message);
    expect(a.virtualMs).toBe(b.virtualMs);
    expect(a.traceHash).toBe(b.traceHash);
  });
});

describe('determinism', () => {
  /** An unreliable network with 20 concurrent callers: every random choice shows up in the trace. */
  async function chatter(ctx: LabContext): Promise<void> {
    const net = new Network();
    net.reliable(false);
    net.longReordering(true);
    const server = new Server();
    server.addService(new Service('Echo', { Say: (x: number) => x }));
    net.addServer(0, server);
    net.observe((event) => ctx.trace.record(event.kind, { rpc: event.rpc }));
    await Promise.all(
      Array.from({ length: 20 }, async (_, c) => {
        const end = net.makeEnd(`c${c}`);
        net.connect(`c${c}`, 0);
        net.enable(`c${c}`, true);
        for (let i = 0; i < 20; i++) await end.call('Echo.Say', i);
      }),
    );
  }

  test('the same seed gives the same trace hash; different seeds differ', async () => {
    const a = await run(chatter, 7);
    const b = await run(chatter, 7);
    const c = await run(chatter, 8);
    expect(a.passed && b.passed && c.passed).toBe(true);
    expect(a.traceHash).toBe(b.traceHash);
    expect(c.traceHash).not.toBe(a.traceHash);
  });

  test("lodash's random and shuffle are seeded too (it captured Math.random when it loaded)", async () => {
    const draws: string[] = [];
    const body = async (): Promise<void> => {
      draws.push(`${_.random(0, 1_000_000)} ${_.shuffle([1, 2, 3, 4, 5, 6, 7, 8]).join('')}`);
    };
    await run(body, 11);
    await run(body, 11);
    await run(body, 12);
    expect(draws[0]).toBe(draws[1]);
    expect(draws[2]).not.toBe(draws[0]);
  });

  test("setTimeout(f, 0) waits 1 ms, as Node's clamp does, even from an await continuation", async () => {
    const times: number[] = [];
    await run(async (ctx) => {
      await Promise.resolve();
      await new Promise((resolve) => setTimeout(resolve, 0));
      times.push(ctx.now());
      await new Promise((resolve) => setImmediate(resolve));
      times.push(ctx.now());
    });
    expect(times).toEqual([1, 2]);
  });
});

describe('isolation between runs', () => {
  test('timers left by a run never fire in the next one, and the real clock comes back', async () => {
    const ticks: string[] = [];
    await run(async () => {
      setInterval(() => ticks.push('left behind'), 10);
      await sleep(35);
    });
    const before = ticks.length;
    await run(async () => {
      await sleep(1000);
    });
    expect(before).toBe(3);
    expect(ticks.length).toBe(before);
    expect((setTimeout as { clock?: unknown }).clock).toBeUndefined();
    expect(Date.now()).toBeGreaterThan(1_750_000_000_000); // real time again, not the virtual epoch
  });

  test('Math.random is unseeded again after a run', async () => {
    await run(async () => {});
    const a = Math.random();
    await run(async () => {});
    expect(Math.random()).not.toBe(a);
  });
});

describe('real time (LAB_REALTIME=1)', () => {
  test('the same body runs on real timers', async () => {
    const test = defineLabTest({
      part: 'harness',
      title: 'real',
      async body(ctx) {
        await sleep(30);
        expect(ctx.now()).toBeGreaterThanOrEqual(25);
      },
    });
    const result = await runLabTest(test, { seed: 3, replay: 'x', realtime: true, write: quiet, traceDir });
    expect(result.error).toBeUndefined();
    expect(result.virtualMs).toBeGreaterThanOrEqual(25);
  });
});

describe('instants', () => {
  test('the step hook (the boundary) runs once an instant is over, after every timer due in it', async () => {
    const log: string[] = [];
    const result = await run(async (ctx) => {
      ctx.afterEachStep(async () => void log.push(`settle at ${ctx.now()}`));
      const fired = (name: string) => () => log.push(`${name} at ${ctx.now()}`);
      setTimeout(fired('a'), 5);
      setTimeout(fired('b'), 5);
      setTimeout(() => {
        log.push(`c at ${ctx.now()}`);
        setTimeout(fired('d'), 0); // Node's 1 ms minimum: the next instant
      }, 5);
      await sleep(7);
    });
    expect(result.error).toBeUndefined();
    const fiveAndSix = log.filter((line) => / at [56]$/.test(line));
    expect(fiveAndSix).toEqual(['a at 5', 'b at 5', 'c at 5', 'settle at 5', 'd at 6', 'settle at 6']);
  });
});
