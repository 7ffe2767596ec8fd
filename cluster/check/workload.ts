/**
 * The load of a check run: clients, each with its own Clerk over HTTP, issuing one operation at a time
 * against a few shared keys, and recording every operation with its real call and return times.
 *
 * The mix follows the Go lab's linearizability tests: mostly appends and gets, some puts, keys shared
 * between clients so that their operations overlap. Every written value is a unique token, `[c<client>.
 * <n>]`, so the final contents of a key say which writes it holds (verdict.ts counts the lost ones).
 */
import { Clerk } from '../../kvraft';
import type { ClientEnd } from '../../labrpc';
import type { KvInput, KvOutput, Operation } from '../../tests/linearizability';

export type KvOperation = Operation<KvInput, KvOutput>;

/** A write that was still in flight when the run gave up waiting: it may or may not have happened. */
export interface PendingWrite {
  clientId: number;
  input: KvInput;
  call: number;
}

export interface WorkloadOptions {
  clients: number;
  keys: number;
  /** Milliseconds since the run's origin, e.g. `() => performance.now() - t0`. */
  now: () => number;
  /** Ends for a new Clerk (one set per client). */
  ends: () => ClientEnd[];
}

export class Workload {
  readonly ops: KvOperation[] = [];
  readonly #options: WorkloadOptions;
  readonly #inFlight = new Map<number, { input: KvInput; call: number }>();
  #stopping = false;
  #loops: Promise<void>[] = [];

  constructor(options: WorkloadOptions) {
    this.#options = options;
  }

  keyName(k: number): string {
    return `k${k}`;
  }

  start(): void {
    this.#loops = Array.from({ length: this.#options.clients }, (_, cli) => this.#client(cli));
  }

  /** Issue no new operations; resolves when every client's last operation has returned. */
  stop(): Promise<void> {
    this.#stopping = true;
    return Promise.all(this.#loops).then(() => undefined);
  }

  /** Operations still waiting for an answer (their writes may or may not take effect). */
  inFlight(): PendingWrite[] {
    return [...this.#inFlight].map(([clientId, op]) => ({ clientId, ...op }));
  }

  async #client(cli: number): Promise<void> {
    const clerk = new Clerk(this.#options.ends());
    for (let n = 0; !this.#stopping; n++) {
      const key = this.keyName(Math.floor(Math.random() * this.#options.keys));
      const dice = Math.random();
      const input: KvInput =
        dice < 0.4 ? { op: 'get', key } : { op: dice < 0.5 ? 'put' : 'append', key, value: `[c${cli}.${n}]` };
      await this.record(cli, clerk, input);
    }
  }

  /** Run one operation through `clerk` and log it. */
  async record(cli: number, clerk: Clerk, input: KvInput): Promise<string> {
    const call = this.#options.now();
    this.#inFlight.set(cli, { input, call });
    let value = '';
    if (input.op === 'get') value = await clerk.get(input.key);
    else if (input.op === 'put') await clerk.put(input.key, input.value);
    else await clerk.append(input.key, input.value);
    const ret = this.#options.now();
    this.#inFlight.delete(cli);
    this.ops.push({ clientId: cli, input, output: { value }, call, return: ret });
    return value;
  }
}
