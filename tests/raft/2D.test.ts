import { registerWithJest } from '../harness/jest';
import { tests } from './2D.tests';

registerWithJest(tests);
