// Measurement only (not committed): CPU of the parts' tests in process, at fixed seeds.
import { benchParts } from './bench-parts';
import type { Part } from '../tests/harness';
async function main(): Promise<void> {
  const parts = process.argv.slice(2) as Part[];
  for (const seed of [7, 8, 9]) {
    const f = await benchParts(parts, seed);
    console.log(seed, f.map((r) => `${r.part} ${(r.cpuMs / 1000).toFixed(2)}s${r.failed.length ? ' FAILED ' + r.failed.join(';') : ''}`).join('  '));
  }
}
void main();
