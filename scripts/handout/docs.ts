/**
 * README.md and GUIDE.md, rewritten for students. The source documents speak to instructors and
 * students at once; two kinds of marked blocks let one source produce the students' copy:
 *
 *   <!-- #region INSTRUCTORS -->        dropped from the handout
 *   …
 *   <!-- #endregion -->
 *
 *   <!-- STUDENTS                       unwrapped in the handout (invisible in the source's rendering)
 *   …
 *   -->
 *
 * Each marker stands alone on its line; blocks do not nest. A malformed block names the file and line.
 */
import { HandoutError } from './parts';

const INSTRUCTORS_START = /^<!--\s*#region INSTRUCTORS\s*-->$/;
const END = /^<!--\s*#endregion\s*-->$/;
const STUDENTS_START = /^<!--\s*STUDENTS\s*$/;
const STUDENTS_END = /^-->$/;
const ANY_MARKER = /^<!--\s*(#region|#endregion|STUDENTS)/;

/** The students' copy of a markdown document. */
export function studentMarkdown(file: string, text: string): string {
  const out: string[] = [];
  let open: { kind: 'instructors' | 'students'; line: number } | null = null;
  text.split('\n').forEach((raw, k) => {
    const line = raw.trim();
    const where = `${file}:${k + 1}`;
    if (open === null) {
      if (INSTRUCTORS_START.test(line)) open = { kind: 'instructors', line: k + 1 };
      else if (STUDENTS_START.test(line)) open = { kind: 'students', line: k + 1 };
      else if (ANY_MARKER.test(line) || END.test(line)) {
        throw new HandoutError(
          `${where}: malformed or unpaired marker \`${line}\`: use \`<!-- #region INSTRUCTORS -->\` … \`<!-- #endregion -->\` or \`<!-- STUDENTS\` … \`-->\``,
        );
      } else out.push(raw);
      return;
    }
    if (open.kind === 'instructors') {
      if (END.test(line)) open = null;
      else if (ANY_MARKER.test(line)) {
        throw new HandoutError(
          `${where}: \`${line}\` inside the INSTRUCTORS block opened at line ${open.line}: blocks do not nest`,
        );
      }
      return;
    }
    if (STUDENTS_END.test(line)) open = null;
    else if (ANY_MARKER.test(line)) {
      throw new HandoutError(
        `${where}: \`${line}\` inside the STUDENTS block opened at line ${open.line}: blocks do not nest`,
      );
    } else out.push(raw);
  });
  const unclosed = open as { kind: string; line: number } | null;
  if (unclosed !== null) {
    throw new HandoutError(
      `${file}:${unclosed.line}: the ${unclosed.kind.toUpperCase()} block is never closed (${unclosed.kind === 'students' ? '`-->`' : '`<!-- #endregion -->`'})`,
    );
  }
  return out.join('\n').replace(/\n{3,}/g, '\n\n');
}
