/**
 * One core for both sides of an exchange (grading). The tester and its child take turns: one sends and
 * sleeps, the other wakes, works and answers. On different cores every turn wakes a sleeping core, which
 * on virtual machines (CI's, and many graders') costs tens of microseconds, thousands of times per KV
 * test. On one core a turn is a plain switch between the two. Only the two main threads are pinned: V8's
 * compiler and garbage-collector threads stay free to use the other cores, which matters most in the
 * child, whose code is cold in every run.
 *
 * Pinning uses `taskset` (util-linux, on every Debian and Ubuntu), on the thread whose id is the process
 * id: the main thread. Where there is no taskset (macOS, Windows), nothing is pinned.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';

let tasksetWorks: boolean | undefined;

/** Whether threads can be pinned here (Linux with taskset). */
export function canPin(): boolean {
  tasksetWorks ??=
    process.platform === 'linux' && spawnSync('taskset', ['--version'], { stdio: 'ignore' }).status === 0;
  return tasksetWorks;
}

/**
 * The CPUs this thread may run on, as Linux lists them ("0-3,6"), or undefined where it cannot say.
 * Read it before pinning: a child inherits the affinity of the thread that starts it.
 */
export function allowedCpuList(): string | undefined {
  try {
    const status = fs.readFileSync('/proc/thread-self/status', 'utf8');
    return /^Cpus_allowed_list:\s*(\S+)/m.exec(status)?.[1];
  } catch {
    return undefined;
  }
}

/** The CPU numbers in a Linux CPU list ("0-3,6" is 0, 1, 2, 3 and 6). */
export function parseCpuList(list: string): number[] {
  return list.split(',').flatMap((range) => {
    const match = /^(\d+)(?:-(\d+))?$/.exec(range.trim());
    if (match === null) return [];
    const from = Number(match[1]);
    const to = Number(match[2] ?? match[1]);
    return from <= to ? Array.from({ length: to - from + 1 }, (_, k) => from + k) : [];
  });
}

/** Pin the thread whose id is `tid` (a process id names its main thread) to `cpu`; false if it failed. */
export function pinThread(tid: number, cpu: number): boolean {
  if (process.platform !== 'linux') return false;
  try {
    execFileSync('taskset', ['-p', '-c', String(cpu), String(tid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false; // no taskset, a CPU this process may not use, or no permission: run unpinned
  }
}
