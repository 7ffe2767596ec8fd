/**
 * Every lab test (2A–4B, the scripted ones too), by name: the tests the grader runs with the code under
 * test in a child process of its own (tests/harness/boundary/tester-main.ts), where the test modules are
 * the grader's own.
 */
import type { LabTest } from './harness';
import { tests as t2A } from './raft/2A.tests';
import { tests as t2AScripted } from './raft/2A-scripted.tests';
import { tests as t2B } from './raft/2B.tests';
import { tests as t2BScripted } from './raft/2B-scripted.tests';
import { tests as t2C } from './raft/2C.tests';
import { tests as t2CScripted } from './raft/2C-scripted.tests';
import { tests as t2D } from './raft/2D.tests';
import { tests as t2E } from './raft/2E.tests';
import { tests as t2EScripted } from './raft/2E-scripted.tests';
import { tests as t3A } from './kvraft/3A.tests';
import { tests as t3B } from './kvraft/3B.tests';
import { tests as t3C } from './kvraft/3C.tests';
import { tests as t4A } from './shardctrler/4A.tests';
import { tests as t4B } from './shardkv/4B.tests';
import { tests as t4BChallenges } from './shardkv/4B-challenges.tests';
import { tests as t4BScripted } from './shardkv/4B-scripted.tests';

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
  ...t3A,
  ...t3B,
  ...t3C,
  ...t4A,
  ...t4B,
  ...t4BChallenges,
  ...t4BScripted,
];
