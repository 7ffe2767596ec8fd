/**
 * The run-side half of debug logging. Raft/KV code calls `debugLog(server, topic, msg)` (labrpc/debug.ts);
 * during a run this sink stamps the line with virtual time, records it in the trace, keeps the last
 * lines in a bounded buffer (saved beside the trace when the run fails), and prints it when LAB_DEBUG
 * selects its topic: to the run's output (under `npm test`, jest's stderr), never through jest's console,
 * which is ~10× slower.
 *
 *   LAB_DEBUG=1 or LAB_DEBUG=all     every topic
 *   LAB_DEBUG=vote,append            only these topics
 *   LAB_DEBUG=all,-heartbeat         every topic but these
 */
import type { Trace } from './trace';

export const LOG_BUFFER_LINES = 20_000;

export interface TopicFilter {
  (topic: string): boolean;
}

/** Parse LAB_DEBUG into a topic filter; undefined when debug printing is off. */
export function parseDebugTopics(spec: string | undefined): TopicFilter | undefined {
  if (spec === undefined || spec === '' || spec === '0') return undefined;
  const words = spec
    .split(',')
    .map((word) => word.trim().toLowerCase())
    .filter(Boolean);
  const ignored = new Set(words.filter((w) => w.startsWith('-')).map((w) => w.slice(1)));
  const wanted = new Set(words.filter((w) => !w.startsWith('-')));
  const all = wanted.size === 0 || wanted.has('1') || wanted.has('all') || wanted.has('true');
  return (topic) => {
    const t = topic.toLowerCase();
    return !ignored.has(t) && (all || wanted.has(t));
  };
}

/**
 * One debug line as text: "   4.210 S2 vote     granted vote to S1 in T5"; a line of a Lab 4 replica
 * group names the group first: "   4.210 G101 S2 shard    took config 3 …".
 */
export function formatLogLine(t: number, server: number, topic: string, msg: string, group?: number): string {
  const who = group === undefined ? `S${server}` : `G${group} S${server}`;
  return `${(t / 1000).toFixed(3).padStart(8)} ${who} ${topic.padEnd(8)} ${msg}`;
}

export class DebugLog {
  // A ring: #next is where the next line goes once the buffer is full.
  readonly #buffer: string[] = [];
  #next = 0;
  #dropped = 0;

  constructor(
    private readonly trace: Trace,
    private readonly now: () => number,
    private readonly printFilter: TopicFilter | undefined,
    private readonly write: (text: string) => void,
  ) {}

  add(server: number, topic: string, msg: string, group?: number): void {
    // `group` only when given, so that the traces of Labs 2 and 3 hash as before
    this.trace.record('log', group === undefined ? { server, topic, msg } : { server, group, topic, msg });
    const line = formatLogLine(this.now(), server, topic, msg, group);
    if (this.#buffer.length < LOG_BUFFER_LINES) {
      this.#buffer.push(line);
    } else {
      this.#buffer[this.#next] = line;
      this.#next = (this.#next + 1) % LOG_BUFFER_LINES;
      this.#dropped += 1;
    }
    if (this.printFilter?.(topic)) this.write(`${line}\n`);
  }

  /** The buffered lines, oldest first, with a note if older ones were dropped. */
  text(): string {
    const head = this.#dropped > 0 ? [`(${this.#dropped} earlier lines dropped)`] : [];
    const ordered = [...this.#buffer.slice(this.#next), ...this.#buffer.slice(0, this.#next)];
    return [...head, ...ordered].join('\n') + '\n';
  }

  get size(): number {
    return this.#buffer.length;
  }
}
