// The trace timeline page's script (scripts/viz), after page-draw.js: reads the data that model.ts
// computed from the trace (#viz-data) and reacts — wheel to zoom, drag to pan, click for details,
// ←/→ to step through events (Shift: 10 at a time), +/− to zoom, 0 to fit, Esc to clear. #t=<ms> or
// #rpc=<id> in the URL selects a moment, so other pages (the linearizability view) can link to it.
'use strict';
(function () {
  const data = JSON.parse(document.getElementById('viz-data').textContent);
  const view = { t0: 0, t1: data.endMs, selected: -1 };
  const show = { heartbeat: false, unreachable: false, rpc: true, log: true, apply: false };
  const { render, tAt, width, LEFT } = vizDrawing(data, view, show); // eslint-disable-line no-undef
  const box = document.getElementById('timeline');
  const details = document.getElementById('details');
  const svg = document.getElementById('chart');
  const rpcById = new Map(data.rpcs.map((r) => [r.id, r]));
  const secs = (t) => (t / 1000).toFixed(3) + ' s';
  const laneNames = new Map(data.lanes.map((l) => [l.id, l.name]));
  const laneName = (s) => laneNames.get(s) || 'S' + s;
  const rpcShown = (r) =>
    show.rpc && (show.heartbeat || !r.heartbeat) && (show.unreachable || r.fate !== 'unreachable');

  // ---- details of the selected event ----

  const steppable = (e) =>
    (e.kind !== 'rpc' || rpcShown(rpcById.get(e.rpc))) &&
    (e.kind !== 'log' || show.log) &&
    (e.kind !== 'apply' || show.apply);

  function stateAt(s, t) {
    const role = data.roles.filter((r) => r.server === s && r.start <= t && t < r.end).pop();
    const down = data.down.filter((d) => d.server === s && d.start <= t && t < d.end).map((d) => d.kind);
    const applied = data.applies.filter((a) => a.server === s && a.t <= t);
    const logLine = data.events
      .filter((e) => e.kind === 'log' && e.server === s && e.t <= t && /\blog \[/.test(e.text))
      .pop();
    const lines = [
      laneName(s) +
        ': ' +
        (role ? role.role + ' in T' + role.term : 'not running') +
        (down.length ? ' (' + down.join(', ') + ')' : ''),
    ];
    if (logLine)
      lines.push('last log description: ' + logLine.text.replace(/^(?:G\d+ |controller )?S\d+ \S+: /, ''));
    lines.push(
      'applied through index ' +
        (applied.length ? applied[applied.length - 1].index : 0) +
        (applied.length ? ', last ' + Math.min(8, applied.length) + ':' : ''),
    );
    for (const a of applied.slice(-8)) lines.push('  ' + a.index + ': ' + JSON.stringify(a.command));
    return lines.join('\n');
  }

  function showDetails() {
    details.textContent = '';
    const add = (tag, text, cls) => {
      const node = document.createElement(tag);
      node.textContent = text;
      if (cls) node.className = cls;
      details.appendChild(node);
      return node;
    };
    if (view.selected < 0) {
      add('h2', 'Details');
      add('pre', 'Click an arrow or press → to step through events.');
      return;
    }
    const e = data.events[view.selected];
    add('h2', secs(e.t) + ' · ' + e.kind);
    add('pre', e.text);
    const detail = e.kind === 'rpc' ? rpcById.get(e.rpc) : e.detail;
    if (detail !== null) {
      add('h3', e.kind === 'rpc' ? 'RPC' : 'Event');
      add('pre', JSON.stringify(detail, null, 2));
    }
    const servers =
      e.kind === 'rpc'
        ? [rpcById.get(e.rpc).from, rpcById.get(e.rpc).to]
        : e.server === null
          ? []
          : [e.server];
    for (const s of servers) {
      add('h3', laneName(s) + ' at this moment');
      add('pre', stateAt(s, e.t));
    }
    add('h3', 'Nearby events');
    const near = add('div', '', 'near');
    for (let k = Math.max(0, view.selected - 4); k < Math.min(data.events.length, view.selected + 5); k++) {
      const row = document.createElement('div');
      row.textContent = secs(data.events[k].t) + '  ' + data.events[k].text;
      if (k === view.selected) row.className = 'current';
      near.appendChild(row);
    }
  }

  function select(k) {
    view.selected = k;
    if (k >= 0) {
      const t = data.events[k].t,
        span = view.t1 - view.t0;
      if (t < view.t0 || t > view.t1) [view.t0, view.t1] = clampView(t - span / 2, t + span / 2);
      history.replaceState(
        null,
        '',
        '#' + (data.events[k].rpc !== undefined ? 'rpc=' + data.events[k].rpc : 't=' + t),
      );
    }
    render();
    showDetails();
  }

  function step(delta) {
    let k = view.selected,
      moved = 0;
    while (moved < Math.abs(delta)) {
      const next = k + Math.sign(delta);
      let j = next;
      while (j >= 0 && j < data.events.length && !steppable(data.events[j])) j += Math.sign(delta);
      if (j < 0 || j >= data.events.length) break;
      k = j;
      moved++;
    }
    if (k !== view.selected) select(k);
  }

  // ---- zoom, pan, keys, clicks ----

  function clampView(t0, t1) {
    const span = Math.min(Math.max(t1 - t0, 5), data.endMs);
    const start = Math.min(Math.max(t0, 0), data.endMs - span);
    return [start, start + span];
  }

  function zoom(factor, around) {
    const c = around === undefined ? (view.t0 + view.t1) / 2 : around;
    [view.t0, view.t1] = clampView(c - (c - view.t0) * factor, c + (view.t1 - c) * factor);
    render();
  }

  box.addEventListener(
    'wheel',
    (ev) => {
      ev.preventDefault();
      zoom(ev.deltaY > 0 ? 1.25 : 0.8, tAt(ev.offsetX));
    },
    { passive: false },
  );

  let drag = null;
  box.addEventListener(
    'mousedown',
    (ev) => (drag = { x: ev.clientX, t0: view.t0, t1: view.t1, moved: false }),
  );
  window.addEventListener('mouseup', () => {
    drag = null;
    box.classList.remove('dragging');
  });
  window.addEventListener('mousemove', (ev) => {
    if (drag === null) return;
    const dt = ((ev.clientX - drag.x) / (width() - LEFT - 8)) * (drag.t1 - drag.t0);
    if (Math.abs(ev.clientX - drag.x) > 3) {
      drag.moved = true;
      box.classList.add('dragging');
    }
    [view.t0, view.t1] = clampView(drag.t0 - dt, drag.t1 - dt);
    render();
  });

  svg.addEventListener('click', (ev) => {
    const id = ev.target.getAttribute && ev.target.getAttribute('data-rpc');
    if (id !== null && id !== undefined) return select(data.events.findIndex((e) => e.rpc === Number(id)));
    const t = tAt(ev.offsetX);
    let best = -1;
    data.events.forEach((e, k) => {
      if (steppable(e) && (best < 0 || Math.abs(e.t - t) < Math.abs(data.events[best].t - t))) best = k;
    });
    select(best);
  });

  document.addEventListener('keydown', (ev) => {
    const keys = {
      ArrowRight: () => step(ev.shiftKey ? 10 : 1),
      ArrowLeft: () => step(ev.shiftKey ? -10 : -1),
      '+': () => zoom(0.5),
      '=': () => zoom(0.5),
      '-': () => zoom(2),
      0: () => zoom(Infinity),
      Escape: () => select(-1),
    };
    if (keys[ev.key]) {
      ev.preventDefault();
      keys[ev.key]();
    }
  });

  document.getElementById('fit').addEventListener('click', () => zoom(Infinity));
  document.getElementById('zoom-in').addEventListener('click', () => zoom(0.5));
  document.getElementById('zoom-out').addEventListener('click', () => zoom(2));
  for (const key of Object.keys(show)) {
    const box = document.getElementById('show-' + key);
    box.checked = show[key];
    box.addEventListener('change', () => {
      show[key] = box.checked;
      render();
    });
  }
  window.addEventListener('resize', render);

  function fromHash() {
    const m = /^#(t|rpc)=(\d+(?:\.\d+)?)$/.exec(location.hash);
    if (m === null) return -1;
    const v = Number(m[2]);
    const k =
      m[1] === 'rpc' ? data.events.findIndex((e) => e.rpc === v) : data.events.findIndex((e) => e.t >= v);
    if (k >= 0) [view.t0, view.t1] = clampView(data.events[k].t - 1000, data.events[k].t + 1000);
    return k;
  }

  select(fromHash());
})();
