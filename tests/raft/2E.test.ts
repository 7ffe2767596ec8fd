import { registerWithJest } from '../harness/jest';
import { tests } from './2E.tests';

registerWithJest(tests);
