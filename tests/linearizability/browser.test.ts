// The HTML counterexample in a real browser: headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core) opens it without errors or network requests, draws the timeline, and shows the
// state after each step when an operation is hovered or clicked. Leaves a screenshot in out/.
// Skipped, saying so, where /usr/bin/chromium is absent (CI installs it).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { checkOperations, kvModel, writeVisualization } from './index';
import { staleReadAnnotations, staleReadHistory } from './fixtures';

const CHROMIUM = '/usr/bin/chromium';
const OUT = resolve(__dirname, '../../out');
const HTML = resolve(OUT, 'linearizability/stale-read.html');
const SCREENSHOT = resolve(OUT, 'linearizability-timeline.png');
// No network on the test machines: without the background-networking flags Chromium floods refused connections.
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run'];
const QUIET = ['--disable-background-networking', '--disable-component-update', '--disable-sync'];

if (!existsSync(CHROMIUM)) {
  // Jest lists skipped tests only with --verbose; say it in every run.
  console.warn(`browser: SKIPPED, no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);
  test.skip(`browser: SKIPPED, no Chromium at ${CHROMIUM} (apt-get install -y chromium)`, () => undefined);
} else {
  describe('the visual counterexample in headless Chromium', () => {
    let browser: Browser;
    let page: Page;
    const problems: string[] = [];

    beforeAll(async () => {
      const checked = checkOperations(kvModel, staleReadHistory, { verbose: true });
      writeVisualization(kvModel, checked.info, HTML, {
        annotations: staleReadAnnotations,
        title: 'stale read after a crash',
      });
      browser = await chromium.launch({ executablePath: CHROMIUM, args: [...ARGS, ...QUIET] });
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
      await page.goto(pathToFileURL(HTML).href);
      await page.waitForSelector('body[data-rendered="true"]', { timeout: 10_000 });
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
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

    test('hovering an operation shows its longest linearization with the state after each step', async () => {
      await page.hover('svg[data-partition="1"] g.op[data-op="1"] rect');
      const details = await page.locator('#details').innerText();
      expect(details).toContain('append("b", "y")');
      expect(details).toMatch(/Longest linearizable prefix containing it: 4 step/);
      expect(await page.locator('#details table.steps tr').count()).toBe(5);
      expect(await page.locator('#details tr.current').innerText()).toContain('"xy"');
      await page.screenshot({ path: SCREENSHOT });
    });

    test('clicking pins the selection until clicked again', async () => {
      await page.click('svg[data-partition="1"] g.op[data-op="3"] rect');
      await page.hover('svg[data-partition="1"] g.op[data-op="0"] rect');
      expect(await page.locator('#details h3').innerText()).toBe('get("b") -> "x"');
      expect(await page.locator('#details').innerText()).toContain('not legal in state "z"');
      expect(problems).toEqual([]);
    });
  });
}
