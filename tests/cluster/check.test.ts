/**
 * The check run's judgement and its page, without a cluster: lost acknowledged writes against the final
 * reads, the latency and throughput figures, and the page (history timeline plus uPlot charts) rendering
 * in headless Chromium with no console errors.
 *
 * Chromium comes from Debian's packages (.ci/run installs it); without /usr/bin/chromium the browser
 * test is skipped with a message saying how to get it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { renderCheckPage } from '../../cluster/check/page';
import type { CheckReport } from '../../cluster/check/run';
import { bucketize, summarize } from '../../cluster/check/stats';
import { lostWrites } from '../../cluster/check/verdict';
import type { KvOperation } from '../../cluster/check/workload';
import { checkOperations, kvModel, type KvInput } from '../linearizability';

const CHROMIUM = '/usr/bin/chromium';

function op(clientId: number, input: KvInput, call: number, ret: number, value = ''): KvOperation {
  return { clientId, input, output: { value }, call, return: ret };
}

describe('lost acknowledged writes', () => {
  test('an append missing from the final value is lost; present ones are not', () => {
    const a1 = op(0, { op: 'append', key: 'k', value: '[c0.1]' }, 0, 10);
    const a2 = op(1, { op: 'append', key: 'k', value: '[c1.1]' }, 5, 20);
    expect(lostWrites([a1, a2], new Map([['k', '[c0.1][c1.1]']]))).toEqual([]);
    expect(lostWrites([a1, a2], new Map([['k', '[c0.1]']])).map((l) => l.op)).toEqual([a2]);
  });

  test('a put that may come after an append excuses its absence; one that returned before does not', () => {
    const append = op(0, { op: 'append', key: 'k', value: '[c0.1]' }, 100, 110);
    const laterPut = op(1, { op: 'put', key: 'k', value: '[c1.1]' }, 105, 120);
    const earlierPut = op(1, { op: 'put', key: 'k', value: '[c1.0]' }, 0, 50);
    expect(lostWrites([earlierPut, append, laterPut], new Map([['k', '[c1.1]']]))).toEqual([]);
    const lost = lostWrites([earlierPut, append], new Map([['k', '[c1.0]']]));
    expect(lost.map((l) => l.op)).toEqual([append]);
  });

  test('a put must begin the final value unless a later put may have replaced it', () => {
    const put = op(0, { op: 'put', key: 'k', value: '[c0.1]' }, 0, 10);
    expect(lostWrites([put], new Map([['k', '[c0.1][c2.5]']]))).toEqual([]);
    expect(lostWrites([put], new Map([['k', '[c2.5]']])).map((l) => l.op)).toEqual([put]);
  });
});

test('latency percentiles (nearest rank) and throughput per second, by return time', () => {
  expect(summarize([5, 1, 4, 2, 3])).toEqual({ count: 5, p50: 3, p90: 5, p99: 5, max: 5 });
  const ops = [op(0, { op: 'get', key: 'k' }, 0, 100), op(0, { op: 'get', key: 'k' }, 100, 1500)];
  ops.push(op(1, { op: 'get', key: 'k' }, 1000, 1200));
  const buckets = bucketize(ops, 3000);
  expect(buckets.t).toEqual([0, 1, 2]);
  expect(buckets.throughput).toEqual([1, 2, 0]);
  expect(buckets.p50).toEqual([100, 200, null]);
  expect(buckets.p99).toEqual([100, 1400, null]);
});

/** A small report as runCheck would make it: two clients, a kill and a partition, checked for real. */
function sampleReport(): CheckReport {
  const ops: KvOperation[] = [];
  let value = '';
  for (let n = 0; n < 40; n++) {
    const t = n * 150;
    const token = `[c${n % 2}.${n}]`;
    if (n % 3 === 0) ops.push(op(n % 2, { op: 'get', key: 'k0' }, t, t + 60 + (n % 5) * 20, value));
    else {
      value += token;
      ops.push(op(n % 2, { op: 'append', key: 'k0', value: token }, t, t + 80));
    }
  }
  ops.push(op(2, { op: 'get', key: 'k0' }, 6100, 6150, value));
  const { result, info } = checkOperations(kvModel, ops, { verbose: true });
  const events = [
    { start: 1500, end: 2600, kind: 'crash' as const, label: 'S1 (leader) killed, restarted', leader: true },
    { start: 3000, end: 4500, kind: 'partition' as const, label: 'partition {S0 S2} | {S1}' },
  ];
  const loadOps = ops.filter((o) => o.clientId < 2);
  return {
    options: { servers: 3, clients: 2, seconds: 6, dir: '/tmp/x', killEvery: 3, partitionEvery: 3 },
    ops,
    stuck: [],
    finalValues: new Map([['k0', value]]),
    verdict: result,
    info,
    checkMs: 3,
    lost: [],
    events,
    loadMs: 6000,
    latency: summarize(loadOps.map((o) => o.return - o.call)),
    buckets: bucketize(loadOps, 6000),
    faultCounts: { partitioned: 12, delayed: 0, droppedRequests: 0, droppedReplies: 0 },
    leaderChanges: 1,
    pids: [],
    loadAverage: [1.5, 2],
  };
}

const browserTest = fs.existsSync(CHROMIUM) ? test : test.skip;
if (!fs.existsSync(CHROMIUM)) {
  process.stdout.write(
    `cluster check page browser test skipped: no ${CHROMIUM} (apt-get install -y chromium)\n`,
  );
}

test('the page is one self-contained file: uPlot and the data inline, nothing fetched', () => {
  const html = renderCheckPage(sampleReport());
  expect(html).toContain('id="cluster-data"');
  expect(html).toContain('uPlot');
  expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=/);
});

browserTest(
  'the page renders in Chromium: verdicts, both charts, the history timeline, no console errors',
  async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cluster-page-'));
    const file = path.join(dir, 'check.html');
    fs.writeFileSync(file, renderCheckPage(sampleReport()));
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(`file://${file}`);
      await page.waitForFunction('window.__clusterChartsReady === true', undefined, { timeout: 30_000 });
      expect(await page.textContent('#verdict')).toBe('linearizable');
      expect(await page.textContent('#lost')).toBe('0 lost acknowledged writes');
      // uPlot draws each chart on a canvas of the size asked for, with one legend row per series.
      for (const [id, series] of [
        ['#throughput-chart', 1],
        ['#latency-chart', 2],
      ] as const) {
        const box = await page.$eval(`${id} canvas`, (c) => [c.clientWidth, c.clientHeight]);
        expect(box[0]).toBeGreaterThan(300);
        expect(box[1]).toBeGreaterThan(100);
        expect(await page.$$eval(`${id} .u-legend .u-series`, (rows) => rows.length)).toBe(series + 1);
      }
      // The history timeline below: one partition (key k0), with the fault annotations on its axis.
      expect(await page.$$eval('#partitions details, #partitions section', (n) => n.length)).toBeGreaterThan(
        0,
      );
      expect(await page.content()).toContain('S1 (leader) killed, restarted');
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
  120_000,
);
