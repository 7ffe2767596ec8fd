/**
 * The victim of crash-safety.cluster.ts: saves version after version as fast as it can, each version n
 * a state of n-dependent size filled with n's low byte and a snapshot holding n, until it is killed.
 * Prints "saving" once the first save is done.
 */
import { FilePersister } from '../../cluster/file-persister';

export function version(n: number): { state: Uint8Array; snapshot: Uint8Array } {
  const state = new Uint8Array(200_000 + (n % 7) * 150_000).fill(n & 0xff);
  const snapshot = new TextEncoder().encode(`version ${n}`);
  return { state, snapshot };
}

if (require.main === module) {
  const persister = new FilePersister(process.argv[2]);
  for (let n = 1; ; n++) {
    const { state, snapshot } = version(n);
    persister.saveStateAndSnapshot(state, snapshot);
    if (n === 1) process.stdout.write('saving\n');
  }
}
