// labrpc's self-tests, in virtual time: Go's 11 labrpc tests, then the failure model number by number.
import { registerWithJest } from '../harness/jest';
import { goLabrpcTests } from './labrpc.tests';
import { faultTests } from './labrpc-faults.tests';

registerWithJest(goLabrpcTests);
registerWithJest(faultTests);
