// Part 3B, second share: the tests tests/kvraft/shares.ts names (jest runs the two files in parallel,
// balanced by measured cost). `npm test -- 3B` runs both.
import { registerWithJest } from '../harness/jest';
import { SECOND_SHARE } from './shares';

registerWithJest(require.resolve('./3B.tests'), (test) => SECOND_SHARE['3B'].has(test.title));
