import { registerWithJest } from '../harness/jest';
import { tests } from './2B-scripted.tests';

registerWithJest(tests);
