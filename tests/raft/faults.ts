/**
 * `recordFault(ctx, fields)`: what the tester does to the cluster (crash, start, connect, disconnect,
 * partition, unreliable on/off, …) goes into the run's trace, where the timeline and `npm run logs`
 * draw it, and, when LAB_DEBUG selects the `fault` topic (`LAB_DEBUG=1` does), is printed in line with
 * the peers' debug output, so a live log shows why S2 stopped answering:
 *
 *      2.431 S2 fault    disconnect
 *      2.431 net fault    unreliable on=true
 *
 * The printed line never enters the trace, so a run's trace hash is the same with or without LAB_DEBUG.
 */
import { formatVirtual, parseDebugTopics, type LabContext } from '../harness';

export interface FaultFields {
  action: string;
  server?: number;
  [field: string]: unknown;
}

export function recordFault(ctx: LabContext, fields: FaultFields): void {
  ctx.trace.record('fault', fields);
  if (printFaults()) process.stdout.write(`${formatFault(ctx.now(), fields)}\n`);
}

/** One fault as a debug line: "   2.431 S2 fault    disconnect", as the peers' lines look. */
export function formatFault(t: number, fields: FaultFields): string {
  const { action, server, ...rest } = fields;
  const who = server === undefined ? 'net' : `S${server}`;
  const details = Object.entries(rest).map(
    ([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`,
  );
  const time = formatVirtual(t).replace(' s', '').padStart(8);
  return `${time} ${who} ${'fault'.padEnd(8)} ${[action, ...details].join(' ')}`;
}

function printFaults(): boolean {
  return parseDebugTopics(process.env.LAB_DEBUG)?.('fault') ?? false;
}
