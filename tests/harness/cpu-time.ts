/**
 * CPU time of the calling thread, in ms: what one run costs, apart from other runs sharing the process
 * (the stress runner's worker threads) and, unlike wall time, apart from other programs on the machine.
 * On Linux it is the thread's own scheduler count (/proc/thread-self/schedstat: nanoseconds on a CPU);
 * elsewhere the whole process's CPU time (process.cpuUsage), which counts every thread.
 */
import fs from 'node:fs';

const SCHEDSTAT = '/proc/thread-self/schedstat';
const perThread = fs.existsSync(SCHEDSTAT);

export function threadCpuMs(): number {
  if (perThread) return Number(fs.readFileSync(SCHEDSTAT, 'utf8').split(' ')[0]) / 1e6;
  const used = process.cpuUsage();
  return (used.user + used.system) / 1000;
}
