/**
 * How the KV parts' tests are split between two jest files, so that `npm test -- 3A` (and 3B) keeps both
 * cores busy and neither file bounds the run: the second file takes the tests named here, the first file
 * every other test (a new test lands there, never nowhere). Balanced by each test's mean CPU time over
 * 200 seeds of `npm run stress -- <part> -n 200 -p 2 --seed 3000` (2026-11-30, in ms, beside each title);
 * re-balance with the same command when the tests change. tests/framework/shares.test.ts checks that
 * every title named here is a test of its part.
 */
export const SECOND_SHARE: Readonly<Record<'3A' | '3B', ReadonlySet<string>>> = {
  // First share (3.6 s): random keys 1063, many clients 895, unreliable restarts 444, restarts one
  // client 404, unreliable restarts partitions 374, one client 358, concurrent append 20, majority 16.
  '3A': new Set([
    'restarts, many clients', // 997
    'restarts, partitions, many clients', // 935
    'partitions, many clients', // 864
    'unreliable net, many clients', // 389
    'partitions, one client', // 346
    'ops complete fast enough', // 264
  ]),
  // First share (2.5 s): random keys 951, unreliable many clients 375, restarts one client 352, unreliable
  // restarts partitions 331, ops complete fast enough 250, snapshot size 196, InstallSnapshot RPC 23.
  '3B': new Set([
    'restarts, snapshots, many clients', // 2080
    'unreliable net, restarts, snapshots, many clients', // 396
  ]),
};
