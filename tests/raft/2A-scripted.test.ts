import { registerWithJest } from '../harness/jest';

registerWithJest(require.resolve('./2A-scripted.tests'));
