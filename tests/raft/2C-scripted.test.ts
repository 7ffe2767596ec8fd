import { registerWithJest } from '../harness/jest';
import { tests } from './2C-scripted.tests';

registerWithJest(tests);
