// The trace timeline's Lab 4 layer (scripts/viz), loaded before page-draw.js. `vizBlocks` places the
// lanes: one after the other, or in Lab 4 in blocks (the controllers, then each replica group by gid),
// each block starting with a header band for its label. `vizGroupDrawing` draws the blocks, each
// group's move to a new configuration (a line across its block) and the shard moves between groups
// (an arrow from the old owner's block to the new owner's). Plain browser JS, no libraries.
'use strict';
// eslint-disable-next-line no-unused-vars
function vizBlocks(data, top, laneH, groupH) {
  const laneY = new Map();
  const blocks = [];
  let bottom = top;
  const grouped = data.groups.length > 0;
  for (const group of grouped ? data.groups : [{ gid: null, label: '', lanes: data.servers }]) {
    const block = { group, top: bottom };
    if (grouped) bottom += groupH;
    for (const s of group.lanes) {
      laneY.set(s, bottom);
      bottom += laneH;
    }
    block.bottom = bottom;
    blocks.push(block);
  }
  return { laneY, blocks, bottom };
}

// `d` is what page-draw.js draws with: el, x, visible, width, name (a lane's name), GROUP_H.
// eslint-disable-next-line no-unused-vars
function vizGroupDrawing(data, blocks, d) {
  const { el, x, visible, width, name, GROUP_H } = d;
  const blockOf = (gid) => blocks.find((b) => b.group.gid === gid);

  function drawGroups(g) {
    if (data.groups.length === 0) return;
    for (const b of blocks) {
      const block = el('g', { class: 'group-block', 'data-gid': b.group.gid === null ? '' : b.group.gid }, g);
      el(
        'rect',
        { x: 2, y: b.top, width: width() - 4, height: b.bottom - b.top - 4, class: 'group-frame' },
        block,
      );
      el('text', { x: 8, y: b.top + 13, class: 'group-label' }, block, b.group.label);
    }
  }

  function drawReconfigs(g) {
    for (const m of data.configMarks) {
      const b = blockOf(m.gid);
      if (b === undefined || !visible(m.t, m.t)) continue;
      const mark = el('g', { class: 'config-mark', 'data-num': m.num }, g);
      el('line', { x1: x(m.t), x2: x(m.t), y1: b.top + 2, y2: b.bottom - 6 }, mark);
      el('text', { x: x(m.t) + 3, y: b.top + 13 }, mark, 'config ' + m.num);
      el('title', {}, mark, 'gid ' + m.gid + ' took config ' + m.num + ' (' + name(m.lane) + ' first)');
    }
    for (const m of data.shardMoves) {
      const from = blockOf(m.from),
        to = blockOf(m.to);
      if (from === undefined || to === undefined || !visible(m.t, m.t)) continue;
      const move = el('g', { class: 'shard-move' }, g);
      const y0 = from.top + GROUP_H / 2,
        y1 = to.top + GROUP_H / 2;
      const path = 'M' + x(m.t) + ' ' + y0 + ' L' + (x(m.t) + 6) + ' ' + y1;
      el('path', { d: path, 'marker-end': 'url(#arrow)' }, move);
      el('text', { x: x(m.t) + 8, y: y1 - 4 }, move, 'shard ' + m.shards.join(' ') + ' ← ' + m.from);
      const shards = 'shard' + (m.shards.length > 1 ? 's ' : ' ') + m.shards.join(' ');
      el('title', {}, move, 'config ' + m.num + ': ' + shards + ' from gid ' + m.from + ' to gid ' + m.to);
    }
  }

  return { drawGroups, drawReconfigs };
}
