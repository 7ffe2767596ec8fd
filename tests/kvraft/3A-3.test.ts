// Part 3A, share 3 of 3: every third test, from test 3 on (3A is the heaviest part; jest runs the three
// files in parallel). `npm test -- 3A` runs all three.
import { registerWithJest } from '../harness/jest';

registerWithJest(require.resolve('./3A.tests'), (_, i) => i % 3 === 2);
