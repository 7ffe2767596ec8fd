// Part 3A, first share: the tests tests/kvraft/shares.ts does not give to 3A-2.test.ts (3A is the heaviest
// part; jest runs the two files in parallel, balanced by measured cost). `npm test -- 3A` runs both.
import { registerWithJest } from '../harness/jest';
import { SECOND_SHARE } from './shares';

registerWithJest(require.resolve('./3A.tests'), (test) => !SECOND_SHARE['3A'].has(test.title));
