/**
 * The scripted test explore writes for a failure it found and shrank: the original lab test, run with
 * the few fault events that matter (a fixed plan), under a title of its own. The generated file
 * (`.lab/explore/*.tests.ts`, git-ignored, never graded) is only this call:
 *
 *   import * as source from '../../tests/raft/2C.tests';
 *   export const tests = [exploreReplay(source, 'Test (2C): Figure 8 (unreliable)', plan, 'explore 1234')];
 *
 * and the stress runner replays it: `npm run stress -- '<title>' --tests .lab/explore/<file> -n 1 --seed S`.
 */
import { defineLabTest, type LabTest } from '../harness/lab-test';
import { labTestsOf } from '../harness/worker/discover';
import { encodePlan, type ExplorePlan } from './plan';

export function exploreReplay(
  source: Record<string, unknown>,
  testName: string,
  plan: ExplorePlan,
  label: string,
): LabTest {
  const test = labTestsOf(source).find((t) => t.name === testName);
  if (test === undefined) throw new Error(`exploreReplay: no test "${testName}" in its module any more`);
  const text = encodePlan(plan);
  return defineLabTest({
    part: test.part,
    title: `${test.title} [${label}]`,
    virtualLimitMs: test.virtualLimitMs,
    body: (ctx) => test.body({ ...ctx, plan: text }),
  });
}
