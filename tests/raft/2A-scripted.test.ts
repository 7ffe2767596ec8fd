import { registerWithJest } from '../harness/jest';
import { tests } from './2A-scripted.tests';

registerWithJest(tests);
