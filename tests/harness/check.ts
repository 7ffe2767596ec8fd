/** `check(condition, message)`: the runner-agnostic assertion of lab tests (no jest `expect` needed). */
import { LabCheckFailure } from './errors';

export function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new LabCheckFailure(message);
}
