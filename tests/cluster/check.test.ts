/**
 * The check run's judgement and its page, without a cluster: lost acknowledged writes against the final
 * reads, the latency and throughput figures, and the page (history timeline plus uPlot charts) as one
 * self-contained file. The page rendering in headless Chromium is checked in tests/tools/browser.tools.ts,
 * with the other tools' pages (one browser for all of them).
 */
import { renderCheckPage } from '../../cluster/check/page';
import { bucketize, summarize } from '../../cluster/check/stats';
import { lostWrites } from '../../cluster/check/verdict';
import { op, sampleReport } from './check-sample';

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

test('the page is one self-contained file: uPlot and the data inline, nothing fetched', () => {
  const html = renderCheckPage(sampleReport());
  expect(html).toContain('id="cluster-data"');
  expect(html).toContain('uPlot');
  expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=/);
});
