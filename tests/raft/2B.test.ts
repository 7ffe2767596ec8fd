import { registerWithJest } from '../harness/jest';

registerWithJest(require.resolve('./2B.tests'));
