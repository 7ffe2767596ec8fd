/**
 * What explore prints and leaves behind for a shrunk failure:
 * - the story: the few faults that matter, each at its virtual time as the run carried it out (from the
 *   minimal run's trace: which server was the leader it isolated, which one it crashed), then the first
 *   violation with its rule id;
 * - a scripted test in a student-local folder (`.lab/explore/`, git-ignored, never graded) that replays
 *   exactly that run, and the command that runs it;
 * - the command that draws the timeline, opened at the violation.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describeEvent } from '../../tests/explore/plan';
import { formatVirtual } from '../../tests/harness/failure';
import type { Shrunk } from './shrink';

export interface StoryLine {
  readonly atMs: number;
  readonly text: string;
}

export interface Story {
  readonly lines: readonly StoryLine[];
  /** The failure's first line (the monitor's violation, with its rule id). */
  readonly violation: string;
  readonly violationAtMs: number;
  readonly scriptedTest: string;
  readonly replay: string;
  readonly timeline: string | null;
}

function quote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The explore faults the run carried out, from its saved trace. */
function faultsFromTrace(traceFile: string | undefined): StoryLine[] {
  if (traceFile === undefined || !fs.existsSync(traceFile)) return [];
  const lines: StoryLine[] = [];
  for (const text of fs.readFileSync(traceFile, 'utf8').split('\n')) {
    if (!text.includes('"explore')) continue;
    const e = JSON.parse(text) as { t: number; kind: string; action?: string; id?: number; what?: string };
    if (e.kind !== 'fault') continue;
    if (e.action === 'explore') lines.push({ atMs: e.t, text: `fault #${e.id}: ${e.what}` });
    else if (e.action === 'explore-heal') lines.push({ atMs: e.t, text: `fault #${e.id} healed` });
  }
  return lines;
}

function slug(text: string): string {
  return text.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

/** Write the scripted test for the minimal run into `dir`; its path. */
/** This checkout: where the replay module is unless explore ran on another copy (--root). */
const CHECKOUT = path.join(__dirname, '..', '..');

/**
 * Write the scripted test for the minimal run into `dir`; its path. It imports the test and the replay
 * module from `project`, the copy the run used: one harness per bundle.
 */
export function writeScriptedTest(shrunk: Shrunk, dir: string, project: string = CHECKOUT): string {
  const { minimal } = shrunk;
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(
    dir,
    `${slug(minimal.test.part)}-${slug(minimal.test.name.replace(/^Test \([^)]*\): /, ''))}-seed${minimal.seed}.tests.ts`,
  );
  const source = path.relative(dir, minimal.test.moduleFile).replace(/\\/g, '/').replace(/\.ts$/, '');
  const replayModule = path
    .relative(dir, path.join(project, 'tests', 'explore', 'replay'))
    .replace(/\\/g, '/');
  const faults = minimal.plan.events.map((e) => `//   ${formatVirtual(e.at)}  #${e.id} ${describeEvent(e)}`);
  const text = [
    '// Written by `npm run explore`: a failure it found and shrank, replayable. Student-local: this',
    '// folder is git-ignored and never graded. Replay it with the stress runner (command below).',
    `//   test: ${minimal.test.name}, seed ${minimal.seed}`,
    `//   ${minimal.judgement.kind === 'finding' ? minimal.judgement.headline : 'the run no longer fails'}`,
    '// The faults:',
    ...(faults.length === 0 ? ['//   (none: the test fails on this seed without any)'] : faults),
    `import * as source from '${source.startsWith('.') ? source : `./${source}`}';`,
    `import { exploreReplay } from '${replayModule.startsWith('.') ? replayModule : `./${replayModule}`}';`,
    '',
    `const plan = ${JSON.stringify(minimal.plan, null, 2)};`,
    '',
    `export const tests = [exploreReplay(source, ${JSON.stringify(minimal.test.name)}, plan, 'explore seed ${minimal.seed}')];`,
    '',
  ].join('\n');
  fs.writeFileSync(file, text);
  return file;
}

/** The story of `shrunk`; commands run from `project` (a copy under --root: they say `cd` first). */
export function makeStory(shrunk: Shrunk, scriptedTest: string, project: string = process.cwd()): Story {
  const { minimal, found } = shrunk;
  const judged = minimal.judgement.kind === 'finding' ? minimal.judgement : found.judgement;
  const headline = judged.kind === 'finding' ? judged.headline : '';
  const atMs = judged.kind === 'finding' ? judged.atMs : minimal.outcome.virtualMs;
  const title = `${minimal.test.name} [explore seed ${minimal.seed}]`; // exploreReplay's title
  const rel = path.relative(project, scriptedTest);
  const cd = path.resolve(project) === process.cwd() ? '' : `cd ${project} && `;
  const replay = `${cd}npm run stress -- ${quote(title)} --tests ${rel} -n 1 --seed ${minimal.seed} --keep-traces`;
  const trace = minimal.outcome.traceFile;
  const timeline =
    trace === undefined
      ? null
      : `${cd}npm run viz -- ${path.relative(project, trace)} --at ${(atMs / 1000).toFixed(3)}`;
  return {
    lines: faultsFromTrace(trace).filter((l) => l.atMs <= atMs),
    violation: headline.replace(/^LabCheckFailure: /, ''),
    violationAtMs: atMs,
    scriptedTest: rel,
    replay,
    timeline,
  };
}

/** The story as the terminal shows it. */
export function storyText(story: Story): string {
  const lines = story.lines.map((l) => `  ${formatVirtual(l.atMs).padStart(10)}  ${l.text}`);
  if (lines.length === 0) lines.push('  (no injected fault: the test fails on this seed by itself)');
  lines.push(`  ${formatVirtual(story.violationAtMs).padStart(10)}  ${story.violation}`);
  return lines.join('\n');
}
