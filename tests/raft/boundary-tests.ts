/**
 * Every Raft test (2A–2E, the scripted ones too), by name: the tests the grader runs with the code under
 * test in a child process of its own (tests/harness/boundary/tester-main.ts), where the test modules are
 * the grader's own.
 */
import type { LabTest } from '../harness';
import { tests as t2A } from './2A.tests';
import { tests as t2AScripted } from './2A-scripted.tests';
import { tests as t2B } from './2B.tests';
import { tests as t2BScripted } from './2B-scripted.tests';
import { tests as t2C } from './2C.tests';
import { tests as t2CScripted } from './2C-scripted.tests';
import { tests as t2D } from './2D.tests';
import { tests as t2E } from './2E.tests';
import { tests as t2EScripted } from './2E-scripted.tests';

export const boundaryTests: readonly LabTest[] = [
  ...t2A,
  ...t2AScripted,
  ...t2B,
  ...t2BScripted,
  ...t2C,
  ...t2CScripted,
  ...t2D,
  ...t2E,
  ...t2EScripted,
];
