import { registerWithJest } from '../harness/jest';
import { tests } from './2E-scripted.tests';

registerWithJest(tests);
