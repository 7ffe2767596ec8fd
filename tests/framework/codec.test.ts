// The codec's self-tests (labgob's role).
import { registerWithJest } from '../harness/jest';
import { codecTests } from './codec.tests';

registerWithJest(codecTests);
