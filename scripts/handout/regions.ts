/**
 * Solution regions: parse the markers of a raft/ or kvraft/ file and strip the regions of the parts
 * handed out. The convention (raft/raft.ts says it for students' instructors too):
 *
 *   // #region SOLUTION 2A
 *   // SKELETON: return todo('2A: getState');      ← becomes the student's line, uncommented
 *   …reference code…                                ← dropped
 *   // #endregion
 *
 * `// #region INSTRUCTORS` … `// #endregion` holds notes for instructors (how the markup works): it is
 * replaced by its skeleton lines in every handout, whatever the parts.
 *
 * Regions do not nest. Every `#region` line in these files must be one of these two markers;
 * anything else (an unpaired or nested marker, a SKELETON line outside a region) is a HandoutError that
 * names the file and line, so a typo never ships the reference.
 */
import { HandoutError, PARTS, type Part } from './parts';

const REGION = /^(\s*)\/\/\s*#region\b(.*)$/;
const SOLUTION = /^\s+SOLUTION (\S+)\s*$/;
const INSTRUCTORS = /^\s+INSTRUCTORS\s*$/;
const END = /^\s*\/\/\s*#endregion\b(.*)$/;
const SKELETON = /^(\s*)\/\/ SKELETON:(?: (.*))?$/;

export interface Region {
  /** The part whose solution this is, or 'INSTRUCTORS' for notes that no handout keeps. */
  readonly part: Part | 'INSTRUCTORS';
  /** 1-based line numbers of the two markers. */
  readonly startLine: number;
  readonly endLine: number;
  /** The student's lines (already uncommented, with the marker's indentation). */
  readonly skeleton: readonly string[];
}

/** The regions of one file, checked; `file` is only for messages (a path relative to the project). */
export function parseRegions(file: string, text: string): Region[] {
  const lines = text.split('\n');
  const regions: Region[] = [];
  let open: { part: Part | 'INSTRUCTORS'; line: number; skeleton: string[] } | null = null;
  lines.forEach((line, k) => {
    const where = `${file}:${k + 1}`;
    const region = REGION.exec(line);
    const end = END.exec(line);
    const skeleton = SKELETON.exec(line);
    if (region !== null) {
      const solution = SOLUTION.exec(region[2]);
      if (solution === null && !INSTRUCTORS.test(region[2])) {
        throw new HandoutError(
          `${where}: malformed region marker \`${line.trim()}\`: expected \`// #region SOLUTION <part>\` with a part of ${PARTS.join(', ')}, or \`// #region INSTRUCTORS\``,
        );
      }
      const part = solution === null ? 'INSTRUCTORS' : solution[1];
      if (part !== 'INSTRUCTORS' && !isPart(part)) {
        throw new HandoutError(
          `${where}: unknown part \`${part}\` in \`${line.trim()}\`: the parts are ${PARTS.join(', ')}`,
        );
      }
      if (open !== null) {
        throw new HandoutError(
          `${where}: region ${part} opens inside region ${open.part} (opened at line ${open.line}): regions do not nest; close the first with \`// #endregion\``,
        );
      }
      open = { part, line: k + 1, skeleton: [] };
    } else if (end !== null) {
      if (open === null) {
        throw new HandoutError(
          `${where}: \`// #endregion\` without a \`// #region SOLUTION <part>\` before it`,
        );
      }
      if (end[1].trim() !== '') {
        throw new HandoutError(`${where}: malformed \`${line.trim()}\`: write just \`// #endregion\``);
      }
      regions.push({ part: open.part, startLine: open.line, endLine: k + 1, skeleton: open.skeleton });
      open = null;
    } else if (skeleton !== null) {
      if (open === null) {
        throw new HandoutError(`${where}: \`// SKELETON:\` line outside a solution region`);
      }
      open.skeleton.push(`${skeleton[1]}${skeleton[2] ?? ''}`);
    }
  });
  const unclosed = open as { part: string; line: number } | null;
  if (unclosed !== null) {
    throw new HandoutError(
      `${file}:${unclosed.line}: region ${unclosed.part} is never closed: add \`// #endregion\``,
    );
  }
  return regions;
}

/** `text` with each region of a part in `parts` replaced by its skeleton lines; other regions keep the reference, markers dropped. */
export function stripRegions(file: string, text: string, parts: ReadonlySet<Part>): string {
  const regions = parseRegions(file, text);
  const lines = text.split('\n');
  const out: string[] = [];
  let next = 0; // 0-based index of the first line not yet copied
  for (const region of regions) {
    out.push(...lines.slice(next, region.startLine - 1));
    if (region.part === 'INSTRUCTORS' || parts.has(region.part)) {
      out.push(...region.skeleton);
    } else {
      const body = lines.slice(region.startLine, region.endLine - 1);
      out.push(...body.filter((line) => SKELETON.exec(line) === null));
    }
    next = region.endLine;
  }
  out.push(...lines.slice(next));
  return out.join('\n');
}

function isPart(text: string): text is Part {
  return (PARTS as readonly string[]).includes(text);
}
