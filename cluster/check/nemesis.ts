/**
 * The faults of a check run (Jepsen calls this part the nemesis): SIGKILL a server every so often and
 * restart it after a short outage; split the servers into a majority and a minority every so often and
 * heal the split a little later. Every fault is recorded as an interval for the history page.
 *
 * Kills alternate between the current leader (the interesting case: a leader dies with operations in
 * flight) and a random server; the first kill takes the leader. At most one server is down at a time.
 */
import _ from 'lodash';
import type { Annotation } from '../../tests/linearizability';
import type { Cluster } from '../supervisor';

export interface NemesisOptions {
  /** Milliseconds between kills; undefined: no kills. */
  killEveryMs?: number;
  /** Milliseconds between partitions; undefined: none. */
  partitionEveryMs?: number;
  now: () => number;
  log: (line: string) => void;
}

export interface FaultInterval extends Annotation {
  readonly kind: 'crash' | 'partition';
  /** For kills: whether the victim was the leader when it was killed. */
  readonly leader?: boolean;
}

/** Longest outage of a killed server, and longest partition: short against the spacing of faults. */
const MAX_DOWN_MS = 1500;
const MAX_PARTITION_MS = 3000;

export class Nemesis {
  readonly events: FaultInterval[] = [];
  readonly #cluster: Cluster;
  readonly #options: NemesisOptions;
  #stopped = false;
  #wake: (() => void)[] = [];
  #loops: Promise<void>[] = [];

  constructor(cluster: Cluster, options: NemesisOptions) {
    this.#cluster = cluster;
    this.#options = options;
  }

  get kills(): number {
    return this.events.filter((e) => e.kind === 'crash').length;
  }

  get partitions(): number {
    return this.events.filter((e) => e.kind === 'partition').length;
  }

  start(): void {
    const { killEveryMs, partitionEveryMs } = this.#options;
    if (killEveryMs !== undefined) this.#loops.push(this.#killer(killEveryMs));
    if (partitionEveryMs !== undefined && this.#cluster.size > 1)
      this.#loops.push(this.#partitioner(partitionEveryMs));
  }

  /** Stop injecting; every server ends up running and the network whole. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const wake of this.#wake) wake();
    await Promise.all(this.#loops);
  }

  /** Wait `ms`, or less if the nemesis is stopped meanwhile. */
  #pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#wake = this.#wake.filter((w) => w !== done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#wake.push(done);
    });
  }

  async #killer(everyMs: number): Promise<void> {
    for (let n = 0; ; n++) {
      await this.#pause(everyMs);
      if (this.#stopped) return;
      const leader = n % 2 === 0 ? await this.#leader() : null;
      const victim = leader ?? _.random(this.#cluster.size - 1);
      const start = this.#options.now();
      await this.#cluster.kill(victim);
      const role = leader === null ? '' : ' (leader)';
      this.#options.log(`nemesis: SIGKILL S${victim}${role}`);
      await this.#pause(Math.min(everyMs / 2, MAX_DOWN_MS) * (0.5 + Math.random() / 2));
      await this.#cluster.restart(victim);
      const end = this.#options.now();
      this.events.push({
        start,
        end,
        kind: 'crash',
        label: `kill S${victim}${role}`,
        leader: leader !== null,
      });
      this.#options.log(`nemesis: S${victim} restarted`);
    }
  }

  /** The leader, waiting a little for one (an election may be under way); null if none shows up. */
  async #leader(): Promise<number | null> {
    for (let tries = 0; tries < 20 && !this.#stopped; tries++) {
      const leader = await this.#cluster.leader();
      if (leader !== null) return leader;
      await this.#pause(250);
    }
    return null;
  }

  async #partitioner(everyMs: number): Promise<void> {
    const n = this.#cluster.size;
    for (;;) {
      await this.#pause(everyMs);
      if (this.#stopped) return;
      const order = _.shuffle(_.range(n));
      const minority = order.slice(0, Math.floor((n - 1) / 2) || 1).sort((a, b) => a - b);
      const majority = order.slice(minority.length).sort((a, b) => a - b);
      const start = this.#options.now();
      await this.#cluster.partition([majority, minority]);
      const label = `{${majority.map((m) => `S${m}`).join(' ')}} | {${minority.map((m) => `S${m}`).join(' ')}}`;
      this.#options.log(`nemesis: partition ${label}`);
      await this.#pause(Math.min(everyMs * 0.6, MAX_PARTITION_MS));
      await this.#cluster.heal();
      this.events.push({ start, end: this.#options.now(), kind: 'partition', label });
      this.#options.log('nemesis: healed');
    }
  }
}
