import { registerWithJest } from '../harness/jest';

registerWithJest(require.resolve('./3A.tests'));
