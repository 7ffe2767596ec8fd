/** Where a handout may be written: a new or empty folder, outside the repository it is made from. */
import fs from 'node:fs';
import path from 'node:path';
import { HandoutError } from './parts';

export function checkOut(source: string, out: string): void {
  const rel = path.relative(source, out);
  if (rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))) {
    throw new HandoutError(
      `--out ${out} is inside the source repository ${source}: choose a folder outside it, e.g. ../handout`,
    );
  }
  if (!fs.existsSync(out)) return;
  if (!fs.statSync(out).isDirectory())
    throw new HandoutError(`--out ${out} exists and is not a folder: choose a new folder`);
  if (fs.readdirSync(out).length > 0) {
    throw new HandoutError(
      `--out ${out} exists and is not empty: choose a new folder, or empty this one first`,
    );
  }
}
