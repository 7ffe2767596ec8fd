/**
 * Every page the tools write, opened in headless Chromium: the trace timeline (`npm run viz`, from a
 * real 2C run with a crash and a restart), the linearizability counterexample (`npm run check-history`)
 * and the cluster check report (`npm run cluster:check`). Each renders without console errors, draws
 * what it shows, and answers the keyboard or the mouse as a reader expects. One browser serves the
 * three pages: starting Chromium costs more CPU than all the checks together.
 *
 * Chromium comes from Debian's packages (.ci/run installs it; playwright-core drives it and downloads
 * nothing). Without /usr/bin/chromium the tests are skipped, saying so and how to get it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { renderCheckPage } from '../../cluster/check/page';
import { writeTimeline } from '../../scripts/viz';
import { sampleReport } from '../cluster/check-sample';
import { runLabTest, type LabTest } from '../harness';
import { checkOperations, kvModel, writeVisualization } from '../linearizability';
import { staleReadAnnotations, staleReadHistory } from '../linearizability/fixtures';
import { tests as tests2C } from '../raft/2C.tests';
import { tests as tests4B } from '../shardkv/4B.tests';

const CHROMIUM = '/usr/bin/chromium';
// No network on the test machines: without the background-networking flags Chromium floods refused connections.
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run'];
const QUIET = ['--disable-background-networking', '--disable-component-update', '--disable-sync'];
const OUT = path.resolve(__dirname, '../../out');

if (!fs.existsSync(CHROMIUM)) {
  // Jest lists skipped tests only with --verbose; say it in every run.
  console.warn(`browser: SKIPPED, no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);
  test.skip(`browser: SKIPPED, no Chromium at ${CHROMIUM} (apt-get install -y chromium)`, () => undefined);
} else {
  let browser: Browser;
  let tmp = '';
  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'browser-test-'));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: [...ARGS, ...QUIET] });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  /** Run `test` at seed 3 keeping its trace, and open its timeline in a tab that collects page errors. */
  async function openTimeline(
    test: LabTest,
    file: string,
    height: number,
  ): Promise<{ tab: Page; errors: string[] }> {
    const run = await runLabTest(test, {
      seed: 3,
      replay: '-',
      traceDir: tmp,
      keepTrace: true,
      write: () => {},
    });
    const page = writeTimeline(run.traceFile as string, path.join(tmp, file));
    const tab = await browser.newPage({ viewport: { width: 1400, height } });
    const errors: string[] = [];
    tab.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
    tab.on('pageerror', (e) => void errors.push(String(e)));
    await tab.goto(`file://${page}`);
    return { tab, errors };
  }

  test('the trace timeline renders: lanes, arrows, details, no console errors', async () => {
    const test = tests2C.find((t) => t.title.startsWith('partitioned leader')) ?? tests2C[0];
    const { tab, errors } = await openTimeline(test, 'timeline.html', 640);
    try {
      expect(await tab.locator('.lane').count()).toBe(3);
      expect(await tab.locator('.rpc').count()).toBeGreaterThan(0);
      for (let k = 0; k < 25; k++) await tab.keyboard.press('ArrowRight');
      expect(await tab.locator('#details h2').textContent()).toMatch(/^\d+\.\d{3} s · /);
      await tab.screenshot({ path: path.join(tmp, 'timeline.png') });
      expect(fs.statSync(path.join(tmp, 'timeline.png')).size).toBeGreaterThan(10_000);
      expect(errors).toEqual([]);
    } finally {
      await tab.close();
    }
  }, 60_000);

  // Lab 4: 12 servers share the numbers 0-2, so without blocks the groups' lanes fall on top of each
  // other. A real 4B run (one group joins, then leaves) must show the controllers and each group as a
  // labelled block of lanes, each group's move to every configuration, and the shards handed between them.
  test('the trace timeline of a 4B run: a lane block per group, configuration changes and shard moves marked', async () => {
    const test = tests4B.find((t) => t.title === 'Test: join then leave') ?? tests4B[0];
    const { tab, errors } = await openTimeline(test, 'timeline-4b.html', 1100);
    try {
      expect(await tab.locator('.group-label').allTextContents()).toEqual([
        'controllers',
        'gid 100',
        'gid 101',
        'gid 102',
      ]);
      expect(await tab.locator('.lane').count()).toBe(12);
      // Every group's lanes lie inside its own block, one block below the other.
      const blocks = await tab
        .locator('.group-frame')
        .evaluateAll((rects) =>
          rects.map((r) => [Number(r.getAttribute('y')), Number(r.getAttribute('height'))]),
        );
      for (let k = 1; k < blocks.length; k++)
        expect(blocks[k][0]).toBeGreaterThanOrEqual(blocks[k - 1][0] + blocks[k - 1][1]);
      // gid 100 joins (config 1); 101 and 102 join and take shards from 100; every group follows each config.
      const gid100 = tab.locator('.group-block[data-gid="100"]');
      expect(await gid100.count()).toBe(1);
      const configs = await tab.locator('.config-mark title').allTextContents();
      for (const gid of [100, 101, 102])
        for (const num of [1, 2])
          expect(configs).toContainEqual(
            expect.stringMatching(`^gid ${gid} took config ${num} \\(G${gid} S\\d first\\)$`),
          );
      const moves = await tab.locator('.shard-move title').allTextContents();
      expect(moves).toContainEqual(
        expect.stringMatching(/^config \d: shards? [\d ]+ from gid 100 to gid 10[12]$/),
      );
      // The steppable events name a group's server ("G101 S2"), not a bare number.
      const data = JSON.parse((await tab.locator('#viz-data').textContent()) ?? '{}') as {
        events: { kind: string; text: string }[];
      };
      const texts = data.events.map((e) => `${e.kind}: ${e.text}`);
      expect(texts).toContainEqual(expect.stringMatching(/^log: G101 S\d shard: took config 2/));
      expect(texts).toContainEqual(
        expect.stringMatching(/^shard-move: config \d: shards? [\d ]+ from gid 100 to gid 10[12]$/),
      );
      await tab.screenshot({ path: path.join(tmp, 'timeline-4b.png') });
      expect(errors).toEqual([]);
    } finally {
      await tab.close();
    }
  }, 60_000);

  // The HTML counterexample opens without errors or network requests, draws the timeline, and shows
  // the state after each step when an operation is hovered or clicked. Leaves a screenshot in out/.
  describe('the visual counterexample of the linearizability checker', () => {
    const html = path.join(OUT, 'linearizability/stale-read.html');
    let page: Page;
    const problems: string[] = [];

    beforeAll(async () => {
      const checked = checkOperations(kvModel, staleReadHistory, { verbose: true });
      writeVisualization(kvModel, checked.info, html, {
        annotations: staleReadAnnotations,
        title: 'stale read after a crash',
      });
      page = await browser.newPage({ viewport: { width: 1400, height: 760 } });
      page.setDefaultTimeout(10_000);
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning')
          problems.push(`console: ${message.text()}`);
      });
      page.on('request', (request) => {
        if (!request.url().startsWith('file:')) problems.push(`network request: ${request.url()}`);
      });
      await page.goto(pathToFileURL(html).href);
      await page.waitForSelector('body[data-rendered="true"]', { timeout: 10_000 });
    }, 60_000);

    afterAll(async () => {
      await page?.close();
    });

    test('it opens without errors and without network access', () => {
      expect(problems).toEqual([]);
    });

    test('it draws one timeline per key, one bar per operation, and the annotations', async () => {
      expect(await page.locator('details.partition').count()).toBe(2);
      // The linearizable key starts folded, so the illegal one is what the reader sees first.
      expect(await page.locator('details.partition[open]').count()).toBe(1);
      expect(await page.locator('g.op').count()).toBe(staleReadHistory.length);
      expect(await page.locator('g.op.candidate').count()).toBe(1);
      expect(await page.locator('.cut line').count()).toBe(1);
      expect(await page.locator('g.annotation').count()).toBe(2 * staleReadAnnotations.length);
      expect(await page.locator('#summary').innerText()).toContain('ILLEGAL');
    });

    test('annotation labels never overlap: faults one instant apart get label rows of their own', async () => {
      const crowded = path.join(OUT, 'linearizability/crowded-faults.html');
      const checked = checkOperations(kvModel, staleReadHistory, { verbose: true });
      writeVisualization(kvModel, checked.info, crowded, {
        annotations: [
          { start: 16, label: 'kill S2 (leader)', kind: 'crash' },
          { start: 17, end: 30, label: 'partition {S0 S1} | {S2 S3 S4}', kind: 'partition' },
          { start: 25, label: 'restart S2', kind: 'restart' },
        ],
        title: 'crowded faults',
      });
      const tab = await browser.newPage({ viewport: { width: 1000, height: 600 } });
      try {
        await tab.goto(pathToFileURL(crowded).href);
        await tab.waitForSelector('body[data-rendered="true"]', { timeout: 10_000 });
        // Page code as text: this project's TypeScript has no DOM types. Counts overlapping label pairs,
        // and the label rows used, in every key's timeline.
        const seen = (await tab.evaluate(`(() => {
          let overlaps = 0;
          let rows = 0;
          for (const svg of document.querySelectorAll('svg[data-partition]')) {
            const boxes = [...svg.querySelectorAll('text.annotation-label')].map((t) => t.getBBox());
            rows = Math.max(rows, new Set(boxes.map((b) => b.y)).size);
            boxes.forEach((a, i) => boxes.slice(i + 1).forEach((b) => {
              const apart = a.y + a.height <= b.y || b.y + b.height <= a.y;
              if (!apart && a.x < b.x + b.width && b.x < a.x + a.width) overlaps++;
            }));
          }
          return { overlaps, rows };
        })()`)) as { overlaps: number; rows: number };
        expect(seen.overlaps).toBe(0);
        expect(seen.rows).toBeGreaterThan(1);
      } finally {
        await tab.close();
      }
    });

    test('hovering an operation shows its longest linearization with the state after each step', async () => {
      await page.hover('svg[data-partition="1"] g.op[data-op="1"] rect');
      const details = await page.locator('#details').innerText();
      expect(details).toContain('append("b", "y")');
      expect(details).toMatch(/Longest linearizable prefix containing it: 4 step/);
      expect(await page.locator('#details table.steps tr').count()).toBe(5);
      expect(await page.locator('#details tr.current').innerText()).toContain('"xy"');
      await page.screenshot({ path: path.join(OUT, 'linearizability-timeline.png') });
    });

    test('clicking pins the selection until clicked again', async () => {
      await page.click('svg[data-partition="1"] g.op[data-op="3"] rect');
      await page.hover('svg[data-partition="1"] g.op[data-op="0"] rect');
      expect(await page.locator('#details h3').innerText()).toBe('get("b") -> "x"');
      expect(await page.locator('#details').innerText()).toContain('not legal in state "z"');
      expect(problems).toEqual([]);
    });
  });

  test('the cluster check page renders: verdicts, both charts, the history timeline, no console errors', async () => {
    const file = path.join(tmp, 'check.html');
    fs.writeFileSync(file, renderCheckPage(sampleReport()));
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    try {
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
      await page.close();
    }
  }, 120_000);
}
