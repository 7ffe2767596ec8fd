import { registerWithJest } from '../harness/jest';
import { tests } from './3A.tests';

registerWithJest(tests);
