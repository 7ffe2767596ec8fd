/**
 * The visual counterexample: a self-contained HTML page (inline styles, script and data; no network)
 * showing a checked history as a timeline per partition, one row per client, each operation a bar from
 * call to return. The longest linearizable prefix is drawn as linearization points joined by a line, the
 * cut where it cannot be extended is a red line, and hovering or clicking an operation shows the
 * longest linearization containing it with the state after each step. Test annotations (partitions,
 * crashes, restarts) are drawn on the same time axis.
 *
 * `writeVisualization` needs the `info` of a check run with `verbose: true`.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { VisualizationError } from '../errors';
import { resolveModel } from '../models/resolve';
import type { Annotation, LinearizationInfo, Model } from '../types';
import { buildViewData } from './view-data';

export interface VisualizationOptions {
  /** Faults and other test events, in the operations' time unit. */
  readonly annotations?: readonly Annotation[];
  /** Page title; default "<model> history". */
  readonly title?: string;
}

/** The HTML page as a string. */
export function renderVisualization<S, I, O>(
  model: Model<S, I, O>,
  info: LinearizationInfo<I, O> | undefined,
  options: VisualizationOptions = {},
): string {
  if (!info) {
    throw new VisualizationError(
      'no linearization info to draw: run checkOperations/checkEvents with { verbose: true }',
    );
  }
  const resolved = resolveModel(model);
  const data = buildViewData(
    resolved,
    info,
    options.annotations ?? [],
    options.title ?? `${model.name} history`,
  );
  // JSON inside a <script> element: escape "<" so no string in the data can close the element early.
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  const asset = (name: string): string => readFileSync(join(__dirname, name), 'utf8');
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeHtml(data.title)}</title>`,
    `<style>\n${asset('page.css')}</style>`,
    '</head><body>',
    '<header id="summary"></header><main id="partitions"></main><aside id="details"></aside>',
    `<script id="history-data" type="application/json">${json}</script>`,
    `<script>\n${asset('page.js')}</script>`,
    '</body></html>',
    '',
  ].join('\n');
}

/** Write the page to `path`, creating its folder. */
export function writeVisualization<S, I, O>(
  model: Model<S, I, O>,
  info: LinearizationInfo<I, O> | undefined,
  path: string,
  options: VisualizationOptions = {},
): void {
  const html = renderVisualization(model, info, options);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, html);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
}
