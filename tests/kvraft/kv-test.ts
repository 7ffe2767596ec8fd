/**
 * `kvTest(spec)`: a lab test of Lab 3 whose jest name is Go's printed title, `Test: one client (3A)`
 * (the kv tests print the part at the end, unlike Raft's `Test (2A): …`). The body gets the context and
 * that title, which it prints with cfg.begin.
 */
import { defineLabTest, type LabContext, type LabTest } from '../harness';

export interface KvTestSpec {
  part: '3A' | '3B' | '3C';
  /** The title without "Test: " and the part: "unreliable net, many clients". */
  title: string;
  virtualLimitMs?: number;
  body: (ctx: LabContext, name: string) => Promise<void>;
}

/** Go's printed title: "Test: <title> (<part>)". */
export function kvTitle(part: string, title: string): string {
  return `Test: ${title} (${part})`;
}

export function kvTest(spec: KvTestSpec): LabTest {
  const name = kvTitle(spec.part, spec.title);
  const test = defineLabTest({
    part: spec.part,
    title: spec.title,
    virtualLimitMs: spec.virtualLimitMs,
    body: (ctx) => spec.body(ctx, name),
  });
  return { ...test, name };
}
