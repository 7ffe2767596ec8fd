/**
 * Stack frames of an isolated run, from the bundle back to the TypeScript sources. Workers run without
 * source-map support (parsing a bundle's map at load costs about as much as loading the bundle, on every
 * run), so the parent rewrites `…/.lab/build/<bundle>.js:line:col` in whatever text the worker sent —
 * a failure message, its frames, a call site — using the bundle's `.map` file, read once per bundle.
 */
import fs from 'node:fs';
import { SourceMap } from 'node:module';
import path from 'node:path';

const maps = new Map<string, SourceMap | null>();

function mapOf(bundle: string): SourceMap | null {
  let map = maps.get(bundle);
  if (map === undefined) {
    try {
      map = new SourceMap(JSON.parse(fs.readFileSync(`${bundle}.map`, 'utf8')));
    } catch {
      map = null; // no map (removed meanwhile): leave the frames as they are
    }
    maps.set(bundle, map);
  }
  return map;
}

/** `text` with every position in `bundle` replaced by the source file, line and column it came from. */
export function mapBundleFrames(text: string, bundle: string): string {
  if (!text.includes(bundle)) return text;
  const map = mapOf(bundle);
  if (map === null) return text;
  const escaped = bundle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return text.replace(new RegExp(`${escaped}:(\\d+):(\\d+)`, 'g'), (whole, line: string, column: string) => {
    const entry = map.findEntry(Number(line) - 1, Number(column) - 1) as {
      originalSource?: string;
      originalLine?: number;
      originalColumn?: number;
    };
    if (entry.originalSource === undefined || entry.originalLine === undefined) return whole;
    const source = path.resolve(path.dirname(bundle), entry.originalSource.replace(/^file:\/\//, ''));
    return `${source}:${entry.originalLine + 1}:${(entry.originalColumn ?? 0) + 1}`;
  });
}
