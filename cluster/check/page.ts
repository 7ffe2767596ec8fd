/**
 * The check page: the linearizability history page (tests/linearizability/visualize), with the run's
 * faults drawn on its time axis, and above it what the run measured — verdicts, latency percentiles,
 * and throughput and latency over time as charts (uPlot, inlined with its stylesheet: the page stays a
 * single self-contained file that opens without a network).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { kvModel, renderVisualization } from '../../tests/linearizability';
import type { CheckReport } from './run';

/** What page-chart.js reads from the page. */
export interface ChartData {
  title: string;
  verdict: CheckReport['verdict'];
  lost: number;
  stuck: number;
  rows: [string, string][];
  buckets: CheckReport['buckets'];
  faults: { start: number; end: number; kind: string; label: string }[];
}

const MARKER = '<header id="summary">';

function asset(file: string): string {
  return readFileSync(file, 'utf8');
}

function uplotFile(name: string): string {
  return path.join(path.dirname(require.resolve('uplot/package.json')), 'dist', name);
}

const fmt = (x: number, unit = ''): string => (Number.isFinite(x) ? `${x.toFixed(1)}${unit}` : '-');

export function chartData(report: CheckReport): ChartData {
  const o = report.options;
  const { latency: l, faultCounts: f } = report;
  const loadOps = report.ops.filter((op) => op.clientId < o.clients).length;
  const kills = report.events.filter((e) => e.kind === 'crash');
  const every = (s: number | undefined): string => (s === undefined ? 'never' : `every ${s} s`);
  return {
    title: `cluster check: ${o.servers} servers, ${o.clients} clients, ${o.seconds} s`,
    verdict: report.verdict,
    lost: report.lost.length,
    stuck: report.stuck.length,
    rows: [
      [
        'network',
        `${o.faults ?? 'reliable'}; SIGKILL ${every(o.killEvery)}, partition ${every(o.partitionEvery)}`,
      ],
      ['operations', `${loadOps} by the clients, ${report.ops.length - loadOps} final reads`],
      [
        'throughput',
        `${fmt(loadOps / (report.loadMs / 1000))} ops/s over ${fmt(report.loadMs / 1000, ' s')}`,
      ],
      [
        'latency',
        `p50 ${fmt(l.p50, ' ms')} · p90 ${fmt(l.p90, ' ms')} · p99 ${fmt(l.p99, ' ms')} · max ${fmt(l.max, ' ms')}`,
      ],
      [
        'faults',
        `${kills.length} SIGKILLs (${kills.filter((k) => k.leader === true).length} of the leader), ` +
          `${report.events.length - kills.length} partitions, ${report.leaderChanges} leader changes`,
      ],
      [
        'msw',
        `${f.partitioned} peer calls cut by partitions, ${f.droppedRequests} requests and ` +
          `${f.droppedReplies} replies dropped, ${f.delayed} delayed`,
      ],
      ['checker', `${report.verdict} in ${fmt(report.checkMs / 1000, ' s')}`],
      [
        'machine',
        `${os.cpus().length} cores, load average ${fmt(report.loadAverage[0])} at the start, ` +
          `${fmt(report.loadAverage[1])} at the end of the load`,
      ],
    ],
    buckets: report.buckets,
    faults: report.events.map((e) => ({
      start: e.start,
      end: e.end ?? e.start,
      kind: e.kind,
      label: e.label,
    })),
  };
}

/** The page as a string. */
export function renderCheckPage(report: CheckReport): string {
  const data = chartData(report);
  const history = renderVisualization(kvModel, report.info, {
    annotations: report.events,
    title: `History of the ${data.title.replace(/^cluster check: /, '')} run, one row per client`,
  });
  if (history.split(MARKER).length !== 2) {
    throw new Error(`the history page no longer has one ${MARKER}; update cluster/check/page.ts`);
  }
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  const section = [
    '<section id="cluster-run"></section>',
    `<style>\n${asset(uplotFile('uPlot.min.css'))}\n${asset(path.join(__dirname, 'page-chart.css'))}</style>`,
    `<script id="cluster-data" type="application/json">${json}</script>`,
    `<script>\n${asset(uplotFile('uPlot.iife.min.js'))}</script>`,
    `<script>\n${asset(path.join(__dirname, 'page-chart.js'))}</script>`,
  ].join('\n');
  return history.replace(MARKER, `${section}\n${MARKER}`);
}

export function writeCheckPage(report: CheckReport, file: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, renderCheckPage(report));
}
