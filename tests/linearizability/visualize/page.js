/*
 * The script of the linearizability timeline page (inlined into the HTML by visualize/index.ts).
 * It reads the JSON in #history-data (built by view-data.ts) and draws, per partition, an SVG timeline:
 * one row per client, one bar per operation from call to return, annotations on the same axis, the
 * longest linearization as points joined by a line, and the cut where it cannot be extended. Hover an
 * operation to see the longest linearization containing it and the state after each step; click to pin.
 * Plain browser JavaScript with no libraries and no network access.
 */
(function () {
  'use strict';
  const data = JSON.parse(document.getElementById('history-data').textContent);
  const SVG_NS = 'http://www.w3.org/2000/svg';
  const ROW = 28;
  const BAR = 18;
  const LEFT = 84;
  const TOP = 40;
  /** Annotation labels that would overlap go on further rows this far apart (px), the timeline moved down. */
  const LABEL_ROW = 13;
  /** The width of one character of an annotation label, roughly (px): labels are short, a guess will do. */
  const LABEL_CHAR = 6.8;
  const MIN_UNIT = 12;
  const KIND_COLORS = { partition: '#e67e22', crash: '#c0392b', restart: '#2f8f4e', heal: '#2463b5' };
  const views = [];
  let pinned = null;

  function svg(tag, attrs, parent, text) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    if (parent) parent.appendChild(node);
    return node;
  }

  function html(tag, attrs, parent, text) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    if (parent) parent.appendChild(node);
    return node;
  }

  function kindColor(kind) {
    return KIND_COLORS[kind] || '#7d3c98';
  }

  // Fractional rank of a time on a partition's axis (times between two known ones interpolate).
  function rankOf(times, t) {
    let lo = 0;
    let hi = times.length - 1;
    if (hi < 0) return 0;
    if (t <= times[0]) return 0;
    if (t >= times[hi]) return hi;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (times[mid] <= t) lo = mid;
      else hi = mid;
    }
    return lo + (t - times[lo]) / (times[hi] - times[lo]);
  }

  function renderSummary() {
    const header = document.getElementById('summary');
    html('h1', {}, header, data.title);
    const line = html('div', {}, header);
    html('span', { class: 'badge ' + data.result }, line, data.result.toUpperCase());
    const counts = data.partitions.map((p) => p.verdict);
    const illegal = counts.filter((v) => v === 'illegal').length;
    line.append(
      ` model ${data.model} · ${data.partitions.length} partition(s), ${illegal} illegal · ` +
        `${data.partitions.reduce((n, p) => n + p.ops.length, 0)} operations · initial state ${data.initialState}`,
    );
    const legend = html('div', { class: 'legend' }, header);
    const items = [
      ['#cfe8d6', 'in the longest linearizable prefix'],
      ['#f8d7d3', 'could come next, but cannot'],
      ['#e7e9ee', 'not linearized'],
      ['#bcd5f5', 'linearization of the operation under the pointer'],
    ];
    for (const [color, label] of items) {
      const item = html('span', {}, legend);
      html('span', { class: 'swatch', style: `background:${color}` }, item);
      item.append(label);
    }
  }

  function explain(p) {
    const longest = p.linearizations[0];
    const n = longest ? longest.ops.length : 0;
    if (p.verdict === 'ok') return `Linearizable: all ${p.ops.length} operations.`;
    const prefix = `Longest linearizable prefix: ${n} of ${p.ops.length} operations`;
    if (p.verdict === 'unknown') {
      // A timed-out search proves nothing: say what was found, not that nothing else exists.
      return `Undecided: the check ran out of time. ${prefix} found so far${p.cut ? ` (red line: t=${p.cut.time})` : ''}.`;
    }
    if (!p.cut) return `Not linearizable. ${prefix}.`;
    return (
      `Not linearizable. ${prefix}, ending in state ${p.cut.stateBefore}. Nothing extends it past ` +
      `t=${p.cut.time} (red line): ${p.cut.candidates.length} operation(s) could come next (red), and each fails.`
    );
  }

  function renderPartition(p, index) {
    const main = document.getElementById('partitions');
    const anyBad = data.partitions.some((q) => q.verdict !== 'ok');
    const box = html('details', { class: 'partition', id: `partition-${index}` }, main);
    if (p.verdict !== 'ok' || !anyBad) box.open = true;
    const summary = html('summary', {}, box);
    html('span', { class: 'badge ' + p.verdict }, summary, p.verdict);
    summary.append(` ${p.label} · ${p.ops.length} operations`);
    html('p', { class: 'explain' }, box, explain(p));
    const scroll = html('div', { class: 'scroll' }, box);
    views.push(drawTimeline(p, index, scroll));
  }

  function layout(p) {
    const available = Math.max(600, document.documentElement.clientWidth - 460) - LEFT - 40;
    const unit = Math.max(MIN_UNIT, available / Math.max(1, p.times.length - 1));
    const rowOf = new Map(p.clients.map((c, i) => [c, i]));
    const x = (rank) => LEFT + rank * unit;
    const lanes = labelLanes(p, x);
    const shift = Math.max(0, ...lanes.values()) * LABEL_ROW;
    return {
      unit,
      width: LEFT + unit * Math.max(1, p.times.length - 1) + 40,
      height: TOP + shift + ROW * p.clients.length + 10,
      x,
      y: (client) => TOP + shift + ROW * rowOf.get(client),
      /** The label row of annotation i, and how far the rows below the labels moved down. */
      lane: (i) => lanes.get(i) ?? 0,
      shift,
    };
  }

  /** Label rows for the annotations: each on the first row where it clears the label before it. */
  function labelLanes(p, x) {
    const ends = [];
    const lanes = new Map();
    data.annotations
      .map((a, i) => ({ i, x1: x(rankOf(p.times, a.start)), width: a.label.length * LABEL_CHAR + 8 }))
      .sort((a, b) => a.x1 - b.x1)
      .forEach(({ i, x1, width }) => {
        let lane = ends.findIndex((end) => end <= x1);
        if (lane < 0) lane = ends.length;
        ends[lane] = x1 + width;
        lanes.set(i, lane);
      });
    return lanes;
  }

  function drawTimeline(p, index, parent) {
    const geo = layout(p);
    const root = svg('svg', { width: geo.width, height: geo.height, 'data-partition': index }, parent);
    p.clients.forEach((c) => {
      const y = geo.y(c) + ROW / 2;
      svg('line', { class: 'row-line', x1: LEFT, x2: geo.width, y1: y, y2: y }, root);
      svg('text', { class: 'client-label', x: 6, y: y + 4 }, root, `client ${c}`);
    });
    drawAnnotations(p, geo, root);
    const bars = drawOperations(p, index, geo, root);
    if (p.cut) drawCut(p, geo, root);
    const overlay = svg('g', { class: 'lin' }, root);
    root.addEventListener('click', (event) => {
      if (event.target === root) unpin();
    });
    return { p, index, geo, bars, overlay };
  }

  function drawAnnotations(p, geo, root) {
    const top = 14 + geo.shift;
    data.annotations.forEach((a, i) => {
      const x1 = geo.x(rankOf(p.times, a.start));
      const x2 = a.end === null ? x1 : geo.x(rankOf(p.times, a.end));
      const color = kindColor(a.kind);
      const g = svg('g', { class: `annotation kind-${a.kind}` }, root);
      svg('title', {}, g, `${a.kind}: ${a.label} (t=${a.start}${a.end === null ? '' : `..${a.end}`})`);
      if (a.end === null) {
        svg('line', { x1, x2: x1, y1: top, y2: geo.height, stroke: color, 'stroke-width': 2 }, g);
      } else {
        const width = Math.max(2, x2 - x1);
        svg('rect', { x: x1, y: top, width, height: geo.height - top, fill: color, opacity: 0.12 }, g);
        svg('rect', { x: x1, y: top, width, height: 6, fill: color }, g);
      }
      const y = 11 + geo.lane(i) * LABEL_ROW;
      svg('text', { class: 'annotation-label', x: x1 + 3, y, fill: color }, g, a.label);
    });
  }

  function drawOperations(p, index, geo, root) {
    const longest = new Set(p.linearizations.length ? p.linearizations[0].ops : []);
    const candidates = new Set(p.cut ? p.cut.candidates.map((c) => c.id) : []);
    return p.ops.map((op) => {
      const status = candidates.has(op.id) ? 'candidate' : longest.has(op.id) ? 'in-prefix' : 'outside';
      const g = svg('g', { class: `op ${status}`, 'data-op': op.id }, root);
      const x = geo.x(op.callRank);
      const width = Math.max(6, geo.x(op.retRank) - x);
      const y = geo.y(op.client) + (ROW - BAR) / 2;
      svg('rect', { x, y, width, height: BAR, rx: 3 }, g);
      svg('title', {}, g, `${op.text}\nclient ${op.client}, call ${op.call}, return ${op.ret}`);
      const chars = Math.floor((width - 6) / 6.2);
      if (chars >= 3) {
        const label = op.text.length > chars ? op.text.slice(0, chars - 1) + '…' : op.text;
        svg('text', { x: x + 3, y: y + BAR - 5 }, g, label);
      }
      g.addEventListener('mouseenter', () => {
        if (!pinned) select(index, op.id);
      });
      g.addEventListener('click', (event) => {
        event.stopPropagation();
        pinned = pinned && pinned.index === index && pinned.op === op.id ? null : { index, op: op.id };
        select(index, op.id);
      });
      return g;
    });
  }

  function drawCut(p, geo, root) {
    const x = geo.x(p.cut.rank);
    const g = svg('g', { class: 'cut' }, root);
    svg('line', { x1: x, x2: x, y1: 22 + geo.shift, y2: geo.height }, g);
    const label = p.verdict === 'illegal' ? 'cannot linearize past here' : 'search stopped here (timeout)';
    // Near the right edge, put the label on the left of the line so the scroll box does not clip it.
    const leftOfLine = x > geo.width - 360;
    svg(
      'text',
      { x: leftOfLine ? x - 4 : x + 4, y: 32 + geo.shift, 'text-anchor': leftOfLine ? 'end' : 'start' },
      g,
      label,
    );
  }

  // Linearization points: in order, each at the earliest moment after the previous one within its bar.
  function drawLinearization(view, lin, selectedOp) {
    const { p, geo, overlay } = view;
    overlay.replaceChildren();
    if (!lin) return;
    let previous = -Infinity;
    const points = lin.ops.map((id, step) => {
      const op = p.ops[id];
      const x = Math.min(geo.x(op.retRank), Math.max(geo.x(op.callRank) + 2, previous + 3));
      previous = x;
      return { x, y: geo.y(op.client) + ROW / 2, id, step };
    });
    svg('polyline', { class: 'lin-path', points: points.map((pt) => `${pt.x},${pt.y}`).join(' ') }, overlay);
    for (const pt of points) {
      const dot = svg(
        'circle',
        { class: 'lin-point', cx: pt.x, cy: pt.y, r: pt.id === selectedOp ? 5 : 3.5 },
        overlay,
      );
      svg('title', {}, dot, `step ${pt.step + 1}: ${p.ops[pt.id].text}\nstate after: ${lin.states[pt.step]}`);
    }
  }

  function select(index, opId) {
    const view = views[index];
    const op = view.p.ops[opId];
    const lin = op.longest >= 0 ? view.p.linearizations[op.longest] : null;
    const inLin = new Set(lin ? lin.ops : []);
    for (const other of views) {
      other.bars.forEach((bar, id) => {
        bar.classList.toggle('in-selection', other === view && inLin.has(id));
        bar.classList.toggle('selected', other === view && id === opId);
      });
      if (other !== view) drawLinearization(other, other.p.linearizations[0], -1);
    }
    drawLinearization(view, lin, opId);
    showDetails(view.p, op, lin);
  }

  function unpin() {
    pinned = null;
  }

  function showDetails(p, op, lin) {
    const panel = document.getElementById('details');
    panel.replaceChildren();
    html('h3', {}, panel, op.text);
    html(
      'div',
      { class: 'muted' },
      panel,
      `${p.label} · client ${op.client} · call ${op.call} · return ${op.ret}`,
    );
    html(
      'div',
      { class: 'muted' },
      panel,
      pinned ? 'pinned (click the bar again to release)' : 'click to pin',
    );
    const why = p.cut ? p.cut.candidates.find((c) => c.id === op.id) : undefined;
    if (why) html('p', {}, panel, `At the cut this operation is ${why.why}.`);
    if (!lin) {
      html('p', {}, panel, 'No linearizable prefix contains this operation.');
      return;
    }
    html('p', {}, panel, `Longest linearizable prefix containing it: ${lin.ops.length} step(s).`);
    const table = html('table', { class: 'steps' }, panel);
    const head = html('tr', {}, table);
    for (const title of ['#', 'operation', 'state after']) html('th', {}, head, title);
    lin.ops.forEach((id, step) => {
      const row = html('tr', { class: id === op.id ? 'current' : '' }, table);
      html('td', {}, row, String(step + 1));
      html('td', {}, row, p.ops[id].text);
      html('td', {}, row).appendChild(html('code', {}, null, lin.states[step]));
    });
  }

  function showOverview() {
    const panel = document.getElementById('details');
    const bad =
      data.partitions.find((p) => p.verdict === 'illegal') || data.partitions.find((p) => p.verdict !== 'ok');
    html('h3', {}, panel, bad ? `${bad.label}: ${bad.verdict}` : 'Every partition is linearizable');
    if (bad) html('p', {}, panel, explain(bad));
    if (bad && bad.cut) {
      const list = html('ul', {}, panel);
      for (const c of bad.cut.candidates) html('li', {}, list, `${bad.ops[c.id].text}: ${c.why}`);
    }
    html(
      'p',
      { class: 'muted' },
      panel,
      'Hover an operation for its longest linearization; click to pin it.',
    );
  }

  renderSummary();
  data.partitions.forEach(renderPartition);
  for (const view of views) drawLinearization(view, view.p.linearizations[0], -1);
  showOverview();
  document.body.setAttribute('data-rendered', 'true');
})();
