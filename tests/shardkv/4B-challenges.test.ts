import { registerWithJest } from '../harness/jest';

registerWithJest(require.resolve('./4B-challenges.tests'));
