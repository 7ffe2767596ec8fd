// labrpc's self-tests, in virtual time: Go's 11 labrpc tests, then the failure model number by number.
// Listed by path, like the labs: the modules load only in the worker that runs them, not in jest's sandbox.
import { registerWithJest } from '../harness/jest';

registerWithJest(require.resolve('./labrpc.tests'));
registerWithJest(require.resolve('./labrpc-faults.tests'));
