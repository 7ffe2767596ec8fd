import { registerWithJest } from '../harness/jest';
import { tests } from './3C.tests';

registerWithJest(tests);
