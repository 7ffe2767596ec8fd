import { registerWithJest } from '../harness/jest';
import { tests } from './2A.tests';

registerWithJest(tests);
