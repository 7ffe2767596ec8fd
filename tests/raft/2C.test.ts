import { registerWithJest } from '../harness/jest';

registerWithJest(require.resolve('./2C.tests'));
