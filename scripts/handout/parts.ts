/**
 * The lab parts a handout can hand out, and `--parts` parsing: "2A-2D,3A-3B", "3A,3B", "all".
 */

/** Bad input to the handout generator: the message says what was wrong and what to do. */
export class HandoutError extends Error {
  override name = 'HandoutError';
}

export const PARTS = ['2A', '2B', '2C', '2D', '2E', '3A', '3B', '4A', '4B'] as const;
export type Part = (typeof PARTS)[number];

/** The parts of each lab, in order: the reference of a later part builds on the earlier parts' code. */
const LABS: readonly (readonly Part[])[] = [
  ['2A', '2B', '2C', '2D', '2E'],
  ['3A', '3B'],
  ['4A', '4B'],
];

function partOf(text: string, spec: string): Part {
  const part = text.trim().toUpperCase();
  const known = PARTS.find((p) => p === part);
  if (known === undefined) {
    throw new HandoutError(
      `unknown part \`${text.trim()}\` in --parts \`${spec}\`: the parts are ${PARTS.join(', ')} (ranges like 2A-2D, comma-separated)`,
    );
  }
  return known;
}

/** The parts named by `spec` ("all", or comma-separated parts and ranges), checked. */
export function parseParts(spec: string): Set<Part> {
  if (spec.trim().toLowerCase() === 'all') return new Set(PARTS);
  const parts = new Set<Part>();
  for (const item of spec.split(',')) {
    if (item.trim() === '') {
      throw new HandoutError(`empty item in --parts \`${spec}\`: give parts like 2A-2D,3A-3B`);
    }
    const [from, to, ...rest] = item.split('-');
    if (rest.length > 0)
      throw new HandoutError(`malformed range \`${item}\` in --parts \`${spec}\`: write e.g. 2A-2D`);
    const first = PARTS.indexOf(partOf(from, spec));
    const last = to === undefined ? first : PARTS.indexOf(partOf(to, spec));
    if (last < first) {
      throw new HandoutError(
        `range \`${item}\` in --parts \`${spec}\` runs backwards: write ${PARTS[last]}-${PARTS[first]}`,
      );
    }
    for (let k = first; k <= last; k++) parts.add(PARTS[k]);
  }
  addExtensions(parts, spec);
  checkWhole(parts, spec);
  addLaterLabs(parts);
  checkClosed(parts, spec);
  return parts;
}

/**
 * A later lab whose reference holds an earlier lab's answers: Lab 4's servers run on kvraft/rsm.ts, the
 * replicated state-machine layer of the KV reference, and do duplicate detection and snapshots as Lab 3
 * does. Handing out the earlier lab hands out the later one too: its reference would not compile without
 * the stripped layer, and would show the earlier lab's answers if it did. `--parts 4A-4B` alone keeps
 * the Lab 3 reference (Lab 4 on a working KV service).
 */
const LATER_LABS: readonly { lab: readonly Part[]; later: readonly Part[] }[] = [
  { lab: ['3A', '3B'], later: ['4A', '4B'] },
];

function addLaterLabs(parts: Set<Part>): void {
  for (const { lab, later } of LATER_LABS) {
    if (lab.some((p) => parts.has(p))) for (const p of later) parts.add(p);
  }
}

/**
 * Labs whose parts share one body of reference code, so that a later part cannot go out on an earlier
 * part's reference: 3B's snapshots are taken and restored by 3A's replicated state-machine layer
 * (kvraft/rsm.ts), so a 3B handout on the 3A reference would ship 3B's answer.
 */
const WHOLE_LABS: readonly { lab: readonly Part[]; why: string }[] = [
  {
    lab: ['3A', '3B'],
    why: "3B's snapshots are written into 3A's replicated state-machine layer (kvraft/rsm.ts)",
  },
];

function checkWhole(parts: ReadonlySet<Part>, spec: string): void {
  for (const { lab, why } of WHOLE_LABS) {
    const missing = lab.filter((p) => !parts.has(p));
    if (missing.length === 0 || missing.length === lab.length) continue;
    const range = `${lab[0]}-${lab[lab.length - 1]}`;
    if (!parts.has(lab[0])) {
      throw new HandoutError(
        `--parts \`${spec}\` hands out ${lab.filter((p) => parts.has(p)).join(', ')} without ${missing.join(', ')}: ${why}, so hand out ${range}`,
      );
    }
  }
}

/**
 * Extension parts beyond the Go labs (2E, membership changes) build on the whole of their lab's
 * reference, so a handout of any part of that lab strips them too: `--parts 2A-2D` hands out 2E's
 * skeleton as well (its todo()s only run in the 2E tests), rather than shipping a 2E reference that
 * would not compile without 2A–2D.
 */
const EXTENSIONS: readonly { part: Part; lab: readonly Part[] }[] = [
  { part: '2E', lab: ['2A', '2B', '2C', '2D'] },
];

function addExtensions(parts: Set<Part>, spec: string): void {
  for (const { part, lab } of EXTENSIONS) {
    if (lab.some((p) => parts.has(p))) parts.add(part);
    else if (parts.has(part)) {
      throw new HandoutError(
        `--parts \`${spec}\` hands out ${part} alone: its reference is written into ${lab[0]}-${lab[lab.length - 1]}'s code, so hand out ${lab[0]}-${lab[lab.length - 1]} (which includes ${part})`,
      );
    }
  }
}

/**
 * Within a lab, handing out a part means handing out every later part too: the reference of 2B uses the
 * fields and helpers written in 2A, so a handout with 2A blank but 2B filled in would not compile (or
 * would hand out 2B's answers on top of a blank 2A).
 */
function checkClosed(parts: ReadonlySet<Part>, spec: string): void {
  for (const lab of LABS) {
    const first = lab.findIndex((p) => parts.has(p));
    if (first < 0) continue;
    const missing = lab.slice(first).filter((p) => !parts.has(p));
    if (missing.length > 0) {
      throw new HandoutError(
        `--parts \`${spec}\` hands out ${lab[first]} but not ${missing.join(', ')}: a later part's reference builds on the earlier parts' code, so hand out ${lab[first]}-${lab[lab.length - 1]}`,
      );
    }
  }
}

/** "2A-2D, 3A-3B" for messages and the commit. */
export function describeParts(parts: ReadonlySet<Part>): string {
  const runs: string[] = [];
  for (const lab of LABS) {
    const chosen = lab.filter((p) => parts.has(p));
    if (chosen.length === 0) continue;
    runs.push(chosen.length === 1 ? chosen[0] : `${chosen[0]}-${chosen[chosen.length - 1]}`);
  }
  return runs.join(', ');
}
