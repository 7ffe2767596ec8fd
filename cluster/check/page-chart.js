// The cluster check section: verdicts, the run's figures, and two uPlot charts over the run's time —
// throughput (operations completed per second) and latency (p50 and p99 of the operations completed in
// each second) — with SIGKILLs (red) and partitions (orange) shaded behind the lines.
(function () {
  'use strict';
  const data = JSON.parse(document.getElementById('cluster-data').textContent);
  const root = document.getElementById('cluster-run');

  function el(tag, attrs, parent, text) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    if (parent) parent.append(node);
    return node;
  }

  el('h1', {}, root, data.title);
  const verdicts = el('div', { class: 'verdicts' }, root);
  const lin = {
    ok: ['pass', 'linearizable'],
    illegal: ['fail', 'NOT linearizable'],
    unknown: ['undecided', 'linearizability undecided (checker timed out)'],
  }[data.verdict];
  el('span', { class: lin[0], id: 'verdict' }, verdicts, lin[1]);
  el(
    'span',
    { class: data.lost === 0 ? 'pass' : 'fail', id: 'lost' },
    verdicts,
    `${data.lost} lost acknowledged writes`,
  );
  if (data.stuck > 0) el('span', { class: 'fail' }, verdicts, `${data.stuck} operations never returned`);
  const table = el('table', {}, root);
  for (const [name, value] of data.rows) {
    const tr = el('tr', {}, table);
    el('th', {}, tr, name);
    el('td', {}, tr, value);
  }

  const COLORS = { crash: 'rgba(198, 40, 40, 0.16)', partition: 'rgba(245, 124, 0, 0.16)' };
  // Shade every fault interval (ms on the run's clock; the x axis is in seconds).
  function faultBands(u) {
    const ctx = u.ctx;
    const top = u.bbox.top;
    const height = u.bbox.height;
    ctx.save();
    for (const f of data.faults) {
      const x0 = u.valToPos(f.start / 1000, 'x', true);
      const x1 = u.valToPos(Math.max(f.end, f.start + 100) / 1000, 'x', true);
      ctx.fillStyle = COLORS[f.kind] || 'rgba(0,0,0,0.08)';
      ctx.fillRect(x0, top, Math.max(1, x1 - x0), height);
    }
    ctx.restore();
  }

  const charts = el('div', { class: 'charts' }, root);
  const width = Math.max(360, Math.min(800, (root.clientWidth - 60) / 2));
  function chart(id, title, series, values, yLabel) {
    const box = el('div', { class: 'chart', id }, charts);
    el('h2', {}, box, title);
    return new uPlot(
      {
        width,
        height: 220,
        series: [{ label: 'time (s)' }, ...series],
        axes: [{ label: 'seconds since start' }, { label: yLabel }],
        scales: { x: { time: false } },
        hooks: { drawClear: [faultBands] },
      },
      [data.buckets.t, ...values],
      box,
    );
  }
  chart(
    'throughput-chart',
    'Throughput (shaded: red SIGKILL until restart, orange partition)',
    [{ label: 'ops/s', stroke: '#1565c0', width: 2, fill: 'rgba(21, 101, 192, 0.08)' }],
    [data.buckets.throughput],
    'operations / s',
  );
  chart(
    'latency-chart',
    'Latency of the operations completed each second',
    [
      { label: 'p50 (ms)', stroke: '#2e7d32', width: 2, spanGaps: false },
      { label: 'p99 (ms)', stroke: '#c62828', width: 2, spanGaps: false },
    ],
    [data.buckets.p50, data.buckets.p99],
    'ms',
  );
  window.__clusterChartsReady = true;
})();
