/**
 * The tester's clerk operations (6.824 kvraft/test_test.go's Get/Put/Append wrappers, catalog §7.3):
 * each one counts an op for the Passed line and, given a log, records the operation with its call and
 * return times for the linearizability check. Direct `ck.get(...)` calls (the speed test) count nothing.
 *
 * Times: virtual ms, plus a thousandth of a ms per earlier event at the same virtual ms. JavaScript runs
 * one thing at a time, so events at the same virtual instant still happen in a definite order; keeping
 * that order (as Go's nanosecond clock does) lets the checker see that an operation returned before the
 * next one was called, instead of treating the two as concurrent.
 */
import type { KvClerk as Clerk } from './student-objects';
import type { KvInput, KvOutput, Operation } from '../linearizability';
import type { KvConfig } from './config';

export type KvOperation = Operation<KvInput, KvOutput>;

/** The history of one test: every logged operation, in the order it returned. */
export class OpLog {
  readonly #ops: KvOperation[] = [];
  #lastMs = -1;
  #sameMs = 0;

  /** A timestamp strictly after every earlier one in the same virtual ms (up to 1000 of them). */
  stamp(cfg: { readonly ctx: { now(): number } }): number {
    const now = cfg.ctx.now();
    if (now !== this.#lastMs) {
      this.#lastMs = now;
      this.#sameMs = 0;
    }
    return now + Math.min(this.#sameMs++, 999) / 1000;
  }

  append(op: KvOperation): void {
    this.#ops.push(op);
  }

  /** Run one clerk operation (`run` gives its result: '' for Put and Append) and log it under client `cli`. */
  async record(
    cfg: { readonly ctx: { now(): number } },
    cli: number,
    input: KvInput,
    run: () => Promise<string>,
  ): Promise<string> {
    const call = this.stamp(cfg);
    const value = await run();
    this.append({ clientId: cli, input, output: { value }, call, return: this.stamp(cfg) });
    return value;
  }

  read(): KvOperation[] {
    return [...this.#ops];
  }

  get length(): number {
    return this.#ops.length;
  }
}

/** Get through `ck`, counted; logged under client `cli` if a log is given. */
export async function get(
  cfg: KvConfig,
  ck: Clerk,
  key: string,
  log: OpLog | null,
  cli: number,
): Promise<string> {
  const run = (): Promise<string> => ck.get(key);
  const value = await (log === null ? run() : log.record(cfg, cli, { op: 'get', key }, run));
  cfg.op();
  return value;
}

/** Put or Append through `ck`, counted; logged under client `cli` if a log is given. */
async function write(
  op: 'put' | 'append',
  cfg: KvConfig,
  ck: Clerk,
  key: string,
  value: string,
  log: OpLog | null,
  cli: number,
): Promise<void> {
  const run = async (): Promise<string> => {
    await (op === 'put' ? ck.put(key, value) : ck.append(key, value));
    return '';
  };
  await (log === null ? run() : log.record(cfg, cli, { op, key, value }, run));
  cfg.op();
}

export function put(
  cfg: KvConfig,
  ck: Clerk,
  key: string,
  value: string,
  log: OpLog | null,
  cli: number,
): Promise<void> {
  return write('put', cfg, ck, key, value, log, cli);
}

export function append(
  cfg: KvConfig,
  ck: Clerk,
  key: string,
  value: string,
  log: OpLog | null,
  cli: number,
): Promise<void> {
  return write('append', cfg, ck, key, value, log, cli);
}

/** Go's check(): a Get (not logged) that must return `value`. */
export async function check(cfg: KvConfig, ck: Clerk, key: string, value: string): Promise<void> {
  const v = await get(cfg, ck, key, null, -1);
  if (v !== value) {
    cfg.fail(
      `Get(${JSON.stringify(key)}) by ${cfg.clientName(ck)}: expected:\n${show(value)}\nreceived:\n${show(v)}`,
    );
  }
}

/** A value for a message: quoted, and cut in the middle when long. */
export function show(value: string): string {
  if (value.length <= 200) return JSON.stringify(value);
  return `${JSON.stringify(value.slice(0, 90))} …(${value.length} chars)… ${JSON.stringify(value.slice(-90))}`;
}
