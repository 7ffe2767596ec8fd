import { registerWithJest } from '../harness/jest';
import { tests } from './3B.tests';

registerWithJest(tests);
