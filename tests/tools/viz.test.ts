/**
 * The trace timeline: roles are derived from RPCs alone for an implementation that logs nothing, and
 * from the peer's own "became …" lines when it logs them; faults become shaded stretches; and the page,
 * generated from a real 2C run (a crash and restart), renders in headless Chromium — a lane per
 * server, arrows, no console errors, stepping with the keyboard fills the details — with a screenshot.
 *
 * Chromium comes from Debian's packages (.ci/run installs it); without /usr/bin/chromium the browser
 * test is skipped with a message saying how to get it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { runLabTest } from '../harness';
import { tests as tests2C } from '../raft/2C.tests';
import { writeTimeline } from '../../scripts/viz';
import { buildVizData } from '../../scripts/viz/model';
import type { TraceEvent } from '../../scripts/viz/trace-file';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run'];
const MORE_ARGS = ['--disable-background-networking', '--disable-component-update', '--disable-sync'];

const ev = (t: number, kind: string, fields: Record<string, unknown> = {}): TraceEvent => ({
  t,
  kind,
  ...fields,
});
const vote = (t: number, rpc: number, from: number, to: number, term: number): TraceEvent =>
  ev(t, 'rpc.send', { rpc, from, to, svcMeth: 'Raft.RequestVote', bytes: 9, args: { term } });
const append = (t: number, rpc: number, from: number, to: number, term: number): TraceEvent =>
  ev(t, 'rpc.send', { rpc, from, to, svcMeth: 'Raft.AppendEntries', bytes: 9, args: { term, entries: [] } });

test('roles come from the RPCs when the peers log nothing (Figure 2)', () => {
  const events = [
    ev(0, 'fault', { action: 'start', server: 0 }),
    ev(0, 'fault', { action: 'start', server: 1 }),
    vote(300, 1, 0, 1, 1), // S0 asks for votes in T1: candidate
    ev(300, 'rpc.deliver', { rpc: 1 }), // S1 sees T1: follower in T1
    append(310, 2, 0, 1, 1), // S0 sends AppendEntries in T1: leader
    ev(500, 'fault', { action: 'crash', server: 0 }),
    ev(800, 'fault', { action: 'start', server: 0 }), // back as a follower in its last term
  ];
  const data = buildVizData({ meta: undefined, events });
  const spans = data.roles.map((r) => [r.server, r.start, r.end, r.role, r.term]);
  expect(spans).toEqual([
    [0, 0, 300, 'follower', 0],
    [0, 300, 310, 'candidate', 1],
    [0, 310, 500, 'leader', 1],
    [1, 0, 300, 'follower', 0],
    [1, 300, 800, 'follower', 1], // the run ends at 800, when S0 restarts
  ]);
  expect(data.down).toEqual([{ server: 0, start: 500, end: 800, kind: 'crashed' }]);
});

test("the peer's own role lines win over inference when it logs them", () => {
  const events = [
    ev(0, 'fault', { action: 'start', server: 2 }),
    ev(100, 'log', { server: 2, topic: 'role', msg: 'T3 became candidate (election timeout)' }),
    vote(100, 1, 2, 0, 3),
    ev(120, 'log', { server: 2, topic: 'role', msg: 'T3 became leader (log [0 (T0) .. 0 (T0)])' }),
    ev(400, 'log', { server: 2, topic: 'role', msg: 'T4 became follower (AppendEntries from leader S0)' }),
    ev(900, 'print', { line: '  ... Passed' }),
  ];
  const data = buildVizData({ meta: undefined, events });
  expect(data.roles.map((r) => [r.role, r.term, r.start])).toEqual([
    ['follower', 0, 0],
    ['candidate', 3, 100],
    ['leader', 3, 120],
    ['follower', 4, 400],
  ]);
});

const browserTest = fs.existsSync(CHROMIUM) ? test : test.skip;
if (!fs.existsSync(CHROMIUM)) {
  process.stdout.write(`viz browser test skipped: no ${CHROMIUM} (apt-get install -y chromium)\n`);
}

browserTest(
  'a generated page renders in Chromium: lanes, arrows, details, no console errors',
  async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'viz-test-'));
    const test = tests2C.find((t) => t.title.startsWith('partitioned leader')) ?? tests2C[0];
    const run = await runLabTest(test, {
      seed: 3,
      replay: '-',
      traceDir: dir,
      keepTrace: true,
      write: () => {},
    });
    const page = writeTimeline(run.traceFile as string, path.join(dir, 'timeline.html'));
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: [...ARGS, ...MORE_ARGS] });
    try {
      const tab = await browser.newPage({ viewport: { width: 1400, height: 640 } });
      const errors: string[] = [];
      tab.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
      tab.on('pageerror', (e) => void errors.push(String(e)));
      await tab.goto(`file://${page}`);
      expect(await tab.locator('.lane').count()).toBe(3);
      expect(await tab.locator('.rpc').count()).toBeGreaterThan(0);
      for (let k = 0; k < 25; k++) await tab.keyboard.press('ArrowRight');
      expect(await tab.locator('#details h2').textContent()).toMatch(/^\d+\.\d{3} s · /);
      await tab.screenshot({ path: path.join(dir, 'timeline.png') });
      expect(fs.statSync(path.join(dir, 'timeline.png')).size).toBeGreaterThan(10_000);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
  60_000,
);
