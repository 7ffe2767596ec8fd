// Part 3A, second share: the tests tests/kvraft/shares.ts names (3A is the heaviest part; jest runs the
// two files in parallel, balanced by measured cost). `npm test -- 3A` runs both.
import { registerWithJest } from '../harness/jest';
import { SECOND_SHARE } from './shares';

registerWithJest(require.resolve('./3A.tests'), (test) => SECOND_SHARE['3A'].has(test.title));
