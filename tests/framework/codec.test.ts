// The codec's self-tests (labgob's role), run by the lab runner like the labs.
import { registerWithJest } from '../harness/jest';

registerWithJest(require.resolve('./codec.tests'));
