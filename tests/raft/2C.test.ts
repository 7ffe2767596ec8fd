import { registerWithJest } from '../harness/jest';
import { tests } from './2C.tests';

registerWithJest(tests);
