// The trace timeline page's drawing (scripts/viz): `vizDrawing(data, view, show)` returns `render()`,
// which redraws the SVG for the current view — one lane per server with roles and terms, crashed and
// disconnected stretches, the applied index, RPC arrows; in Lab 4 the lanes in blocks (the controllers,
// then each replica group), each group's moves to a new configuration and the shard moves between
// groups (page-groups.js) — and the scales the interaction part needs.
// page-main.js (loaded after this file) owns the state and the reactions. Plain browser JS, no libraries.
'use strict';
// eslint-disable-next-line no-unused-vars
function vizDrawing(data, view, show) {
  const SVG = 'http://www.w3.org/2000/svg';
  const LEFT = 48,
    TOP = 34,
    LANE = 74,
    ROLE_H = 20,
    APPLY_H = 22,
    GROUP_H = 18,
    MAX_RPCS = 2500;
  const svg = document.getElementById('chart');
  const box = document.getElementById('timeline');
  const notice = document.getElementById('notice');
  const details = document.getElementById('details');
  const laneById = new Map(data.lanes.map((l) => [l.id, l]));
  const name = (s) => (laneById.get(s) || { name: 'S' + s }).name;
  const { laneY, blocks, bottom: chartBottom } = vizBlocks(data, TOP, LANE, GROUP_H); // eslint-disable-line no-undef
  const chartH = chartBottom - TOP;
  const maxIndex = Math.max(1, ...data.applies.map((a) => a.index));

  function el(name, attrs, parent, text) {
    const node = document.createElementNS(SVG, name);
    for (const k in attrs) node.setAttribute(k, attrs[k]);
    if (text !== undefined) node.textContent = text;
    if (parent) parent.appendChild(node);
    return node;
  }
  const width = () => box.clientWidth;
  const x = (t) => LEFT + ((t - view.t0) / (view.t1 - view.t0)) * (width() - LEFT - 8);
  const tAt = (px) => view.t0 + ((px - LEFT) / (width() - LEFT - 8)) * (view.t1 - view.t0);
  const laneTop = (s) => laneY.get(s);
  const laneMid = (s) => laneTop(s) + ROLE_H + 12;
  const visible = (a, b) => b >= view.t0 && a <= view.t1;

  function drawAxis(g) {
    const span = view.t1 - view.t0;
    const step =
      [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000].find((s) => span / s <= 12) ||
      50000;
    for (let t = Math.ceil(view.t0 / step) * step; t <= view.t1; t += step) {
      el('line', { x1: x(t), x2: x(t), y1: TOP - 6, y2: TOP + chartH }, g);
      el('text', { x: x(t) + 2, y: TOP - 8 }, g, step >= 1000 ? t / 1000 + ' s' : t + ' ms');
    }
  }

  function drawNet(g) {
    for (const n of data.net) {
      if (!visible(n.start, n.end)) continue;
      const fill = n.kind === 'unreliable' ? '#f3b24a' : '#b58be0';
      el(
        'rect',
        { x: x(n.start), y: 2, width: Math.max(1, x(n.end) - x(n.start)), height: 8, fill, opacity: 0.7 },
        g,
      );
      el('text', { x: Math.max(LEFT, x(n.start)) + 3, y: 19, class: 'term' }, g, n.kind);
    }
  }

  function drawLane(s, g) {
    const top = laneTop(s);
    const lane = el('g', { class: 'lane', 'data-server': s }, g);
    el('rect', { x: LEFT, y: top, width: width() - LEFT, height: LANE - 6, fill: '#fafbfc' }, lane);
    el(
      'text',
      { x: 8, y: top + 24, class: 'lane-label' },
      lane,
      (laneById.get(s) || { label: 'S' + s }).label,
    );
    for (const r of data.roles) {
      if (r.server !== s || !visible(r.start, r.end)) continue;
      const x0 = Math.max(LEFT, x(r.start)),
        w = Math.max(1, Math.min(width(), x(r.end)) - x0);
      const rect = el(
        'rect',
        { x: x0, y: top, width: w, height: ROLE_H, fill: 'var(--' + r.role + ')' },
        lane,
      );
      el('title', {}, rect, name(s) + ' ' + r.role + ' in T' + r.term + ' — ' + r.source);
      if (w > 26)
        el(
          'text',
          { x: x0 + 3, y: top + 14, class: 'term' },
          lane,
          'T' + r.term + (w > 90 ? ' ' + r.role : ''),
        );
    }
    for (const v of data.voters) {
      if (v.server !== s || !visible(v.start, v.end)) continue;
      const x0 = Math.max(LEFT, x(v.start)),
        w = Math.max(1, Math.min(width(), x(v.end)) - x0);
      const rect = el(
        'rect',
        { x: x0, y: top + ROLE_H + 1, width: w, height: 4, fill: 'var(--' + v.membership + ')' },
        lane,
      );
      el('title', {}, rect, name(s) + ' ' + v.membership + ' in ' + v.config);
    }
    for (const d of data.down) {
      if (d.server !== s || !visible(d.start, d.end)) continue;
      const x0 = Math.max(LEFT, x(d.start)),
        w = Math.max(1, Math.min(width(), x(d.end)) - x0);
      const fill = d.kind === 'crashed' ? 'var(--crashed)' : 'url(#cut)';
      el(
        'title',
        {},
        el(
          'rect',
          { x: x0, y: top, width: w, height: LANE - 6, fill, opacity: d.kind === 'crashed' ? 0.55 : 1 },
          lane,
        ),
        name(s) + ' ' + d.kind,
      );
    }
    drawApplied(s, lane, top + LANE - 8);
  }

  function drawApplied(s, g, bottom) {
    let d = '',
      last = 0,
      lastT = 0;
    for (const a of data.applies) {
      if (a.server !== s) continue;
      if (a.t > view.t1) break;
      const y = bottom - (a.index / maxIndex) * APPLY_H;
      d +=
        (d === '' ? 'M' + Math.max(LEFT, x(a.t)) + ' ' + (bottom - (last / maxIndex) * APPLY_H) : '') +
        ' H' +
        Math.max(LEFT, x(a.t)) +
        ' V' +
        y;
      last = a.index;
      lastT = a.t;
    }
    if (d === '') return;
    el('path', { d: d + ' H' + (width() - 8), stroke: 'var(--apply)', fill: 'none', 'stroke-width': 1.5 }, g);
    el(
      'text',
      {
        x: Math.min(width() - 60, Math.max(LEFT, x(lastT)) + 4),
        y: bottom - (last / maxIndex) * APPLY_H - 3,
        class: 'term',
      },
      g,
      'applied ' + last,
    );
  }

  function rpcColour(r) {
    if (r.fate === 'drop-request' || r.fate === 'drop-reply' || r.fate === 'unreachable' || r.fate === 'dead')
      return 'var(--failed)';
    if (r.fate === 'late') return 'var(--late)';
    if (r.heartbeat) return 'var(--heartbeat)';
    if (/RequestVote/.test(r.method)) return 'var(--vote)';
    if (/InstallSnapshot/.test(r.method)) return 'var(--snapshot)';
    return 'var(--append)';
  }

  function drawRpc(r, g) {
    const yFrom = laneMid(r.from);
    const yTo = laneMid(r.to);
    const stroke = rpcColour(r);
    const failed = stroke === 'var(--failed)';
    const end = r.end === null ? data.endMs : r.end;
    let d;
    if (r.fate === 'unreachable') {
      // Its failure comes back 0-7 s later; a stub keeps the picture readable (times are in the details).
      d = 'M' + x(r.send) + ' ' + yFrom + ' l10 ' + (yTo - yFrom) / 4;
    } else {
      const arrive = r.deliver !== null ? r.deliver : end;
      d =
        'M' +
        x(r.send) +
        ' ' +
        yFrom +
        ' L' +
        x(arrive) +
        ' ' +
        (r.deliver !== null ? yTo : (yFrom + yTo) / 2);
      if (r.deliver !== null && r.fate !== 'pending') {
        const back = r.fate === 'ok' || r.fate === 'late' ? yFrom : (yFrom + yTo) / 2;
        d += ' M' + x(r.deliver) + ' ' + yTo + ' L' + x(end) + ' ' + back;
      }
    }
    const selected = view.selected >= 0 && data.events[view.selected].rpc === r.id;
    const attrs = { d, stroke, class: 'rpc' + (selected ? ' selected' : ''), 'data-rpc': r.id };
    attrs['marker-end'] = failed ? 'url(#cross)' : 'url(#arrow)';
    if (failed) attrs['stroke-dasharray'] = '4 3';
    el(
      'title',
      {},
      el('path', attrs, g),
      r.method + ' #' + r.id + ' ' + name(r.from) + '→' + name(r.to) + ' (' + r.fate + ')',
    );
  }

  function drawRpcs(g) {
    const kindShown = (r) =>
      show.rpc && (show.heartbeat || !r.heartbeat) && (show.unreachable || r.fate !== 'unreachable');
    const inView = data.rpcs.filter(
      (r) => kindShown(r) && visible(r.send, r.end === null ? data.endMs : r.end),
    );
    // Too many to draw: an even sample across the view, so the picture stays honest about where they are.
    const every = Math.ceil(inView.length / MAX_RPCS);
    const shown = every > 1 ? inView.filter((_, k) => k % every === 0) : inView;
    for (const r of shown) drawRpc(r, g);
    notice.textContent =
      shown.length < inView.length
        ? 'showing ' + shown.length + ' of ' + inView.length + ' RPCs in view: zoom in'
        : '';
  }

  function drawMarks(g) {
    const h = chartH;
    for (const e of data.events) {
      if ((e.kind === 'error' || e.kind === 'violation') && visible(e.t, e.t))
        el(
          'line',
          { x1: x(e.t), x2: x(e.t), y1: TOP - 4, y2: TOP + h, stroke: 'var(--failed)', 'stroke-width': 2 },
          g,
        );
    }
    if (view.selected >= 0) {
      const t = data.events[view.selected].t;
      el(
        'line',
        { x1: x(t), x2: x(t), y1: TOP - 10, y2: TOP + h, stroke: '#1d2430', 'stroke-dasharray': '2 2' },
        g,
      );
    }
  }

  function defs() {
    const d = el('defs', {}, svg);
    const arrow = el(
      'marker',
      {
        id: 'arrow',
        viewBox: '0 0 10 10',
        refX: 9,
        refY: 5,
        markerWidth: 6,
        markerHeight: 6,
        orient: 'auto-start-reverse',
      },
      d,
    );
    el('path', { d: 'M0 0 L10 5 L0 10 z', fill: 'context-stroke' }, arrow);
    const cross = el(
      'marker',
      { id: 'cross', viewBox: '0 0 10 10', refX: 5, refY: 5, markerWidth: 8, markerHeight: 8 },
      d,
    );
    el('path', { d: 'M1 1 L9 9 M9 1 L1 9', stroke: '#d0312d', 'stroke-width': 2 }, cross);
    const cut = el(
      'pattern',
      { id: 'cut', width: 8, height: 8, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' },
      d,
    );
    el('rect', { width: 3, height: 8, fill: 'rgba(228,87,46,0.28)' }, cut);
  }

  function render() {
    svg.textContent = '';
    svg.setAttribute('height', TOP + chartH + 10);
    defs();
    drawAxis(el('g', { class: 'axis' }, svg));
    drawNet(el('g', { class: 'net' }, svg));
    const lab4 = vizGroupDrawing(data, blocks, { el, x, visible, width, name, GROUP_H }); // eslint-disable-line no-undef
    lab4.drawGroups(el('g', { class: 'groups' }, svg));
    const lanes = el('g', { class: 'lanes' }, svg);
    for (const s of data.servers) drawLane(s, lanes);
    lab4.drawReconfigs(el('g', { class: 'reconfigs' }, svg));
    drawRpcs(el('g', { class: 'rpcs' }, svg));
    drawMarks(el('g', { class: 'marks' }, svg));
  }

  return { render, x, tAt, width, LEFT };
}
