// Part 3B, share 2 of 2: every other test, from test 2 on (3B is the second heaviest part; jest runs the
// two files in parallel). `npm test -- 3B` runs both.
import { registerWithJest } from '../harness/jest';

registerWithJest(require.resolve('./3B.tests'), (_, i) => i % 2 === 1);
