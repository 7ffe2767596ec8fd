/**
 * The timeline as one self-contained HTML page: inline style, script and data, nothing fetched, so it
 * opens from disk, from a CI artifact or an e-mail. The data is model.ts's VizData as JSON inside a
 * <script type="application/json"> element ("<" escaped, so no string in a trace can end it early);
 * page-groups.js (Lab 4's lane blocks), page-draw.js and page-main.js draw it, page.css styles it.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { VizData } from './types';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function asset(name: string): string {
  return fs.readFileSync(path.join(__dirname, name), 'utf8');
}

function summary(data: VizData): string {
  const badge =
    data.passed === null
      ? ''
      : `<span class="badge ${data.passed ? 'passed' : 'failed'}">${data.passed ? 'passed' : 'failed'}</span>`;
  const facts = [
    data.seed === null ? '' : `seed <b>${data.seed}</b>`,
    `${(data.endMs / 1000).toFixed(3)} s virtual`,
    `${data.servers.length} servers${data.groups.length > 0 ? ` in ${data.groups.length} groups` : ''}, ${data.rpcs.length} RPCs`,
    data.replay === null ? '' : `replay: <code>${escapeHtml(data.replay)}</code>`,
    data.history === null
      ? ''
      : `<a id="history-link" href="${escapeHtml(data.history)}">linearizability view →</a>`,
  ].filter(Boolean);
  const error = data.error === null ? '' : `<div class="error">${escapeHtml(data.error)}</div>`;
  return `<h1>${badge}${escapeHtml(data.title)}</h1><div>${facts.join(' · ')}</div>${error}`;
}

const LEGEND = [
  ['var(--follower)', 'follower'],
  ['var(--candidate)', 'candidate'],
  ['var(--leader)', 'leader'],
  ['var(--crashed)', 'crashed'],
  ['rgba(228,87,46,0.35)', 'disconnected'],
  ['var(--vote)', 'RequestVote'],
  ['var(--append)', 'AppendEntries'],
  ['var(--heartbeat)', 'heartbeat'],
  ['var(--late)', 'late reply'],
  ['var(--failed)', 'lost / unreachable'],
  ['var(--apply)', 'applied index'],
  ['var(--voter)', 'voter (2E)'],
  ['var(--leaving)', 'leaving (C_old only)'],
  ['var(--joining)', 'joining (C_new only)'],
  ['#2f7d32', 'config change (Lab 4)'],
  ['#8e44ad', 'shard move (Lab 4)'],
]
  .map(([colour, label]) => `<span><span class="swatch" style="background:${colour}"></span>${label}</span>`)
  .join('');

function controls(): string {
  const box = (id: string, label: string): string =>
    `<label><input type="checkbox" id="show-${id}"> ${label}</label>`;
  return [
    '<button id="fit" title="0">fit</button><button id="zoom-in" title="+">+</button><button id="zoom-out" title="−">−</button>',
    box('rpc', 'RPCs'),
    box('heartbeat', 'heartbeats'),
    box('unreachable', 'unreachable'),
    box('log', 'debug lines'),
    box('apply', 'applies'),
    `<span class="legend">${LEGEND}</span>`,
    '<span id="notice"></span>',
  ].join('\n');
}

export function renderPage(data: VizData): string {
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeHtml(data.title)}</title>`,
    `<style>\n${asset('page.css')}</style>`,
    '</head><body>',
    `<header id="summary">${summary(data)}</header>`,
    `<nav id="controls">${controls()}</nav>`,
    '<div id="layout"><main id="timeline"><svg id="chart"></svg></main><aside id="details"></aside></div>',
    '<footer>keys: ← → step through events (Shift: ×10) · + − zoom · 0 fit · Esc clear · wheel zooms, drag pans, click selects</footer>',
    `<script id="viz-data" type="application/json">${json}</script>`,
    `<script>\n${asset('page-groups.js')}\n${asset('page-draw.js')}\n${asset('page-main.js')}</script>`,
    '</body></html>',
    '',
  ].join('\n');
}
