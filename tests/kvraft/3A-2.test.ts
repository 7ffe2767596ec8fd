// Part 3A, share 2 of 3: every third test, from test 2 on (3A is the heaviest part; jest runs the three
// files in parallel). `npm test -- 3A` runs all three.
import { registerWithJest } from '../harness/jest';
import { tests } from './3A.tests';

registerWithJest(tests.filter((_, i) => i % 3 === 1));
