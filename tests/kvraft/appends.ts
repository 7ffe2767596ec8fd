/**
 * The checks on an Append result (6.824 kvraft/test_test.go's checkClntAppends and
 * checkConcurrentAppends, catalog §7.3). Client `c`'s j-th append is the element "x c j y"; in the
 * final value each must occur exactly once (lost or applied twice otherwise) and in the order the
 * client issued them. The trailing " y" keeps "x 0 1 y" from matching inside "x 0 10 y".
 */
import { LabCheckFailure } from '../harness';
import { show } from './ops';

/** Client `clnt`'s elements 0..count-1 must each appear once in `v`, in order. */
export function checkClntAppends(clnt: number, v: string, count: number, where: string): void {
  let lastoff = -1;
  for (let j = 0; j < count; j++) {
    const wanted = `x ${clnt} ${j} y`;
    const off = v.indexOf(wanted);
    if (off < 0) {
      throw new LabCheckFailure(
        `${clnt} missing element "${wanted}" in Append result ${where}: an acknowledged Append was ` +
          `lost, or this Get was answered from stale state (a server that answers before it has ` +
          `applied its log up to the Get's own entry, e.g. a leader just restarted) (client ${clnt} ` +
          `appended ${count} elements; value ${show(v)})`,
      );
    }
    const off1 = v.lastIndexOf(wanted);
    if (off1 !== off) {
      throw new LabCheckFailure(
        `duplicate element "${wanted}" in Append result ${where}: it was applied twice (at offsets ` +
          `${off} and ${off1}) — are retried requests detected as duplicates?`,
      );
    }
    if (off <= lastoff) {
      throw new LabCheckFailure(
        `wrong order for element "${wanted}" in Append result ${where}: it is at offset ${off}, before ` +
          `element ${j - 1} of the same client (at ${lastoff})`,
      );
    }
    lastoff = off;
  }
}

/** Every client i's elements 0..counts[i]-1 must each appear once in `v`, in order per client. */
export function checkConcurrentAppends(v: string, counts: readonly number[], where: string): void {
  counts.forEach((count, i) => checkClntAppends(i, v, count, where));
}
