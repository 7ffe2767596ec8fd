/**
 * The words for a run the watchdog stopped (hung, out of memory, past its real-time limit), from what
 * hang-inspect.ts found inside it: whose code was running (the student's, or the framework's on the
 * student's behalf), the stack, the RPCs just before, and where the trace up to the last completed event
 * went. Without an inspection (it failed, or the worker died first) the report says so.
 */
import path from 'node:path';
import { isStudentFrame } from '../failure';
import type { HangInspection } from './hang-inspect';

/** How many frames of the stack a report shows. */
const SHOWN_FRAMES = 12;

export interface HangDetails {
  /** ", in your code at raft/x.ts:12 (fn)" or ", in the framework (…), called from your code at …"; or "". */
  readonly where: string;
  readonly diagnosis: string[];
  readonly traceFile?: string;
  readonly logFile?: string;
}

/** A frame's function and place, shorter: "sendAppendEntries (raft/append-entries.ts:133:9)". */
function short(frame: string): string {
  return frame
    .trim()
    .replace(/^at /, '')
    .replace(/\((\/[^:)]+)/, (_, file: string) => `(${path.relative(process.cwd(), file)}`);
}

/** Node's own frames and the worker's boot say nothing to a reader. */
function worthShowing(frame: string): boolean {
  return !/\(node:|\(<unknown>|[/\\]worker[/\\]boot\.js/.test(frame);
}

/** The top frame of a sample, and the first of the student's code in it. */
function placeOf(sample: readonly string[]): { top: string; student: string | undefined } {
  const frames = sample.filter(worthShowing);
  return { top: frames[0] ?? sample[0] ?? '', student: frames.find(isStudentFrame) };
}

/** Whose code a frame is: the framework's (labrpc, the harness, packages) or the tests' own. */
function ownerOf(frame: string): string {
  return /[/\\]tests[/\\]/.test(frame) && !/[/\\]tests[/\\]harness[/\\]|node_modules/.test(frame)
    ? "the tests' code"
    : 'the framework';
}

/** Where a sample was, as a reader needs it: whose code, and the student's line that led there. */
function whereOf(sample: readonly string[]): string {
  const { top, student } = placeOf(sample);
  if (top === '') return '';
  if (isStudentFrame(top)) return `in your code, at ${short(top)}`;
  if (student === undefined) return `in ${ownerOf(top)}, at ${short(top)}`;
  return `in ${ownerOf(top)}, called from your code at ${short(student)}`;
}

/** Where the samples were, commonest first, with how many were there. */
function ranked(samples: readonly (readonly string[])[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const sample of samples) counts.set(whereOf(sample), (counts.get(whereOf(sample)) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1]);
}

/** The report's parts (the samples' frames already mapped to their sources, isolated.ts). */
export function hangDetails(inspection: HangInspection | undefined): HangDetails {
  if (inspection === undefined) return { where: '', diagnosis: [] };
  const samples = inspection.samples;
  const diagnosis: string[] = [];
  const places = ranked(samples);
  if (places.length > 0) {
    const [commonest] = places[0];
    diagnosis.push(
      `where it was, in ${samples.length === 1 ? '1 pause' : `${samples.length} pauses`} of the worker ` +
        '~0.2 s apart (through the inspector): ' +
        places.map(([where, n]) => `${n}× ${where}`).join('; '),
    );
    const shown = samples.find((sample) => whereOf(sample) === commonest) ?? samples[0];
    const tops = [
      ...new Set(samples.filter((sample) => whereOf(sample) === commonest).map((x) => placeOf(x).top)),
    ];
    if (tops.length > 1) diagnosis.push(`innermost frames there: ${tops.map(short).join(', ')}`);
    diagnosis.push('the stack at one of them, innermost first:');
    for (const frame of shown.filter(worthShowing).slice(0, SHOWN_FRAMES)) {
      diagnosis.push(`  ${short(frame)}${isStudentFrame(frame) ? '   ← your code' : ''}`);
    }
    if (commonest.startsWith('in the framework') && commonest.includes('called from your code')) {
      diagnosis.push(
        'The framework was doing what your code asked of it (copying RPCs through the codec, for ' +
          'instance): look at how often, and how much, the marked line of your code sends (below).',
      );
    }
  }
  const probe = inspection.probe;
  if (probe !== undefined) diagnosis.push(...probe.rpcs);
  if (probe?.traceFile !== undefined) {
    const log =
      probe.logFile === undefined ? '' : '; the log also has the debug lines of the event that never ended';
    const at = (probe.completedMs / 1000).toFixed(3);
    diagnosis.push(`the trace ends with the last event that completed (virtual time ${at} s)${log}`);
  }
  if (probe?.problem !== undefined) diagnosis.push(`the trace could not be saved: ${probe.problem}`);
  for (const problem of inspection.problems) diagnosis.push(`(could not look further: ${problem})`);
  const where = places.length > 0 && places[0][0] !== '' ? `, ${places[0][0]}` : '';
  return { where, diagnosis, traceFile: probe?.traceFile, logFile: probe?.logFile };
}
