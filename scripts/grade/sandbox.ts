/**
 * The OS sandbox around each graded run's child process: the one that holds the submission's code
 * (tests/harness/boundary/child.ts).
 *
 * Tool: bubblewrap (`bwrap`, Debian's `bubblewrap` package), chosen over nsjail and firejail because it
 * does one thing — start a command in fresh namespaces with exactly the mounts it is given — with no
 * configuration language and no setuid bit (it runs on unprivileged user namespaces), it is what Flatpak
 * builds on (well kept, in every distribution), and it starts in a few milliseconds. Resource limits come
 * from `prlimit` and the user switch from `setpriv` (both util-linux, on every Debian and Ubuntu).
 *
 * A sandboxed run:
 * - runs as uid 65534 (nobody) when the grader is root (Gradescope's autograder, CI), else as the grader's
 *   user inside a user namespace that maps no one else;
 * - sees the runtime (/usr), its own workspace and the packages read-only, one scratch folder read-write
 *   (its trace), a private /tmp, and nothing else: not the grader's checkout, other submissions or the
 *   out folder;
 * - has no network (a new network namespace with only a loopback that is down), its own pid namespace
 *   (the whole tree dies with it), no access to the grader's session or terminal;
 * - is limited in all its memory (RLIMIT_DATA: heap and off-heap buffers alike), CPU time, processes
 *   (when it runs as nobody), file size and open files; what it prints is capped by the parent.
 *
 * Where bwrap is missing or cannot start (no user namespaces), `detectSandbox` says why, and every result
 * of that grading says the run was not sandboxed.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface SandboxPaths {
  /** Folders the run may read (its workspace, the packages). */
  readonly readOnly: readonly string[];
  /** The one folder it may write (its scratch folder). */
  readonly writable: string;
  readonly cwd: string;
}

export interface SandboxLimits {
  /** All of the run's private memory (V8's heap, buffers, code), in MB. */
  readonly memoryMb: number;
  /** CPU seconds, all threads together. */
  readonly cpuSeconds: number;
}

export interface Sandbox {
  /** 'bwrap' when runs are sandboxed, 'none' when they are not. */
  readonly kind: 'bwrap' | 'none';
  /** One line for results and the summary: how runs were confined, or why they were not. */
  readonly description: string;
  /** The command line that starts `command` inside the sandbox (unchanged when there is none). */
  wrap(command: readonly string[], paths: SandboxPaths, limits: SandboxLimits): string[];
}

/** The uid a run gets when the grader is root. */
const NOBODY = 65534;
const MAX_PROCESSES = 512; // threads count: a node process has about a dozen
const MAX_FILE_MB = 256;
const MAX_OPEN_FILES = 512;

function has(command: string): boolean {
  return spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Where the node binary lives, if not under /usr (e.g. /opt/node): that folder is shown read-only too. */
function runtimeRoots(): string[] {
  const prefix = path.dirname(path.dirname(fs.realpathSync(process.execPath)));
  return prefix === '/usr' || prefix.startsWith('/usr/') ? [] : [prefix];
}

/** The bwrap argument list (after any prlimit/setpriv prefix). */
function bwrapArgs(command: readonly string[], paths: SandboxPaths, asNobody: boolean): string[] {
  const args = ['bwrap', '--unshare-all', '--die-with-parent', '--new-session', '--ro-bind', '/usr', '/usr'];
  for (const link of ['bin', 'lib', 'lib64', 'sbin']) {
    const target = path.join('/', link);
    if (fs.existsSync(target) && fs.lstatSync(target).isSymbolicLink()) {
      args.push('--symlink', fs.readlinkSync(target), target);
    } else if (fs.existsSync(target)) {
      args.push('--ro-bind', target, target);
    }
  }
  for (const dir of runtimeRoots()) args.push('--ro-bind', dir, dir);
  args.push('--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp');
  for (const dir of paths.readOnly) args.push('--ro-bind', dir, dir);
  args.push('--bind', paths.writable, paths.writable, '--chdir', paths.cwd);
  if (!asNobody) args.push('--uid', String(NOBODY), '--gid', String(NOBODY));
  args.push('--clearenv', '--setenv', 'PATH', '/usr/bin:/bin', '--setenv', 'HOME', '/tmp');
  args.push('--setenv', 'NO_COLOR', '1', '--', ...command);
  return args;
}

function wrapper(asNobody: boolean, withLimits: boolean): Sandbox['wrap'] {
  return (command, paths, limits) => {
    const prefix: string[] = [];
    if (withLimits) {
      prefix.push(
        'prlimit',
        `--data=${limits.memoryMb * 2 ** 20}`,
        `--cpu=${limits.cpuSeconds}`,
        `--fsize=${MAX_FILE_MB * 2 ** 20}`,
        `--nofile=${MAX_OPEN_FILES}`,
        '--core=0',
      );
      if (asNobody) prefix.push(`--nproc=${MAX_PROCESSES}`);
      prefix.push('--');
    }
    if (asNobody) {
      prefix.push('setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', '--');
    }
    return [...prefix, ...bwrapArgs(command, paths, asNobody)];
  };
}

/** Try a sandbox on `probeDir` (a readable folder like a workspace): does node start in it? */
function works(wrap: Sandbox['wrap'], probeDir: string, readable: readonly string[]): string | undefined {
  const scratch = fs.mkdtempSync(path.join(probeDir, 'probe-'));
  fs.chmodSync(scratch, 0o777);
  // It lists each folder a run must read (the packages: they may sit in a checkout nobody else can
  // enter, a `mktemp -d` folder say), then says so in its scratch folder.
  const script =
    "const fs = require('fs'); for (const dir of process.argv.slice(2)) fs.readdirSync(dir);" +
    " fs.writeFileSync(process.argv[1] + '/ok', 'ok')";
  try {
    const argv = wrap(
      [process.execPath, '-e', script, scratch, ...readable],
      { readOnly: [probeDir, ...readable], writable: scratch, cwd: scratch },
      { memoryMb: 1024, cpuSeconds: 10 },
    );
    const result = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', timeout: 20_000 });
    if (fs.existsSync(path.join(scratch, 'ok'))) return undefined;
    return (result.stderr || result.error?.message || `exit ${result.status}`).trim().split('\n')[0];
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

function unsandboxed(why: string): Sandbox {
  return {
    kind: 'none',
    description: `NOT SANDBOXED (${why}): runs were separate processes but could read and write what the grader can; do not trust these results against hostile submissions`,
    wrap: (command) => [...command],
  };
}

/**
 * The best sandbox this machine offers, tried on `probeDir` (a folder made the way workspaces are:
 * world-readable, under a path nobody can traverse). `off` skips it (`--no-sandbox`).
 */
export function detectSandbox(probeDir: string, off = false, readable: readonly string[] = []): Sandbox {
  if (off) return unsandboxed('--no-sandbox was given');
  if (process.platform !== 'linux') return unsandboxed(`bubblewrap needs Linux, this is ${process.platform}`);
  if (!has('bwrap')) return unsandboxed('bwrap not found: apt-get install bubblewrap');
  const limits = has('prlimit');
  const root = process.getuid?.() === 0;
  const attempts: Array<[boolean, string]> = root
    ? [
        [true, `as uid ${NOBODY}`],
        [false, "as the grader's user in a user namespace"],
      ]
    : [[false, "as the grader's user in a user namespace"]];
  const failures: string[] = [];
  for (const [asNobody, who] of attempts) {
    if (asNobody && !has('setpriv')) {
      failures.push('setpriv not found');
      continue;
    }
    const wrap = wrapper(asNobody, limits);
    const why = works(wrap, probeDir, readable);
    if (why === undefined) {
      const limited = limits
        ? 'memory, CPU time, file size and open files limited (prlimit)'
        : 'NO resource limits (prlimit not found)';
      return {
        kind: 'bwrap',
        description: `sandboxed by bubblewrap ${who}: no network, only its own workspace visible, ${limited}`,
        wrap,
      };
    }
    failures.push(`${who}: ${why}`);
  }
  return unsandboxed(`bwrap could not start a run: ${failures.join('; ')}`);
}
