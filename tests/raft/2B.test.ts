import { registerWithJest } from '../harness/jest';
import { tests } from './2B.tests';

registerWithJest(tests);
