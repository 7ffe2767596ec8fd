/**
 * The tester's record of the committed configurations (2E), built from the `config` messages servers
 * apply, and the check that they follow joint consensus (§6): from a plain configuration C_old the next
 * one must be C_old,new (whose old part is C_old), and from C_old,new the next one must be C_new. A
 * peer that switches directly from C_old to C_new, or starts a second change inside a joint one, fails
 * at the first server that applies the offending entry. Agreement between servers on a configuration
 * entry is CommittedLogs' job: configValue() is what it compares.
 */
import type { Configuration } from '../../raft';

/** "{0,1,2}", or "{0,1,2}->{2,3,4}" while joint. */
export function describeServers(config: Configuration): string {
  const set = (servers: readonly number[]): string => `{${[...servers].sort((a, b) => a - b).join(',')}}`;
  return config.newServers === null
    ? set(config.servers)
    : `${set(config.servers)}->${set(config.newServers)}`;
}

/** What the tester records at a configuration entry's index: a string, so servers must agree on it. */
export function configValue(config: Configuration): string {
  return `config ${describeServers(config)}`;
}

function same(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((s) => b.includes(s));
}

export class ConfigHistory {
  /** Committed configurations by index; index 0 holds the initial one. Ascending indices. */
  readonly #indices: number[] = [0];
  readonly #configs = new Map<number, Configuration>();

  constructor(initial: readonly number[]) {
    this.#configs.set(0, { servers: [...initial], newServers: null });
  }

  /** The committed configuration with the highest index, and that index. */
  latest(): { index: number; config: Configuration } {
    const index = this.#indices[this.#indices.length - 1];
    return { index, config: this.#configs.get(index) as Configuration };
  }

  /** The configuration in effect at `index`, as far as the applied entries tell. */
  at(index: number): Configuration {
    let found = 0;
    for (const at of this.#indices) if (at <= index) found = at;
    return this.#configs.get(found) as Configuration;
  }

  /** Every committed configuration so far, in log order. */
  all(): { index: number; config: Configuration }[] {
    return this.#indices.map((index) => ({ index, config: this.#configs.get(index) as Configuration }));
  }

  /** A server applied `config` at `index`: check it follows the one before. Returns an error or null. */
  record(index: number, config: Configuration): string | null {
    if (this.#configs.has(index)) return null; // another server applied it first; CommittedLogs compares
    if (!Array.isArray(config?.servers) || config.servers.length === 0) {
      return `configuration at index ${index} has no servers: ${JSON.stringify(config)}`;
    }
    const before = this.at(index);
    const error = transitionError(before, config);
    const k = this.#indices.findIndex((at) => at > index);
    if (k < 0) this.#indices.push(index);
    else this.#indices.splice(k, 0, index);
    this.#configs.set(index, config);
    return error === null ? null : `configuration at index ${index}: ${error}`;
  }
}

/** Why `next` may not follow `prev` in the log (joint consensus, §6), or null if it may. */
function transitionError(prev: Configuration, next: Configuration): string | null {
  const from = describeServers(prev);
  const to = describeServers(next);
  if (prev.newServers === null) {
    if (next.newServers === null) {
      return (
        `${to} follows ${from} directly: a change must go through the joint configuration C_old,new ` +
        `(${from}->${to}) first, or two disjoint majorities could each elect a leader in one term ([M.2])`
      );
    }
    if (!same(next.servers, prev.servers)) {
      return `joint ${to} follows ${from}: its old part must be the configuration it replaces ([M.3])`;
    }
    return null;
  }
  if (next.newServers !== null) {
    return `joint ${to} follows joint ${from}: one change at a time, C_new comes next ([M.3], [M.4])`;
  }
  if (!same(next.servers, prev.newServers)) {
    return `${to} follows joint ${from}: after C_old,new comes exactly its C_new ([M.4])`;
  }
  return null;
}
