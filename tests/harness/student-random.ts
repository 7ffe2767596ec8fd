/**
 * The student code's own random stream (boundary/open.ts seeds it apart from the tester's), made
 * skewable for `npm run explore`: a 'timeouts' fault (tests/explore/injector.ts) pushes every number the
 * peers draw for a while to an edge of [0, 1), so their election timeouts land at the ends of whatever
 * range they chose — all short (candidates in lockstep, split votes in one term), all long, or each one
 * at either end. A correct peer must work with any timeout in its range, so this is a fault, not a bug.
 *
 * Only runs with an explore plan get the wrapper; without one the stream is returned as it is, so every
 * ordinary run draws exactly as before. Each draw still takes one number from the stream, skewed or not.
 */
import type { LabContext } from './lab-test';

export type Edge = 'low' | 'high' | 'both';

/** How far in from an edge a skewed draw lands: the lowest (highest) 5 % of the range. */
const BAND = 0.05;
const LARGEST_BELOW_ONE = 1 - 2 ** -53;

export class StudentRandomSkew {
  /** The active skews, latest last; the latest one applies. */
  readonly #active: { edge: Edge }[] = [];

  /** Skew every draw toward `edge` until the returned function is called. */
  push(edge: Edge): () => void {
    const entry = { edge };
    this.#active.push(entry);
    return () => {
      const k = this.#active.indexOf(entry);
      if (k >= 0) this.#active.splice(k, 1);
    };
  }

  apply(u: number): number {
    const top = this.#active.at(-1);
    if (top === undefined) return u;
    const edge = top.edge === 'both' ? (u < 0.5 ? 'low' : 'high') : top.edge;
    // 'both' spends the draw's first bit on the side; the band is filled from the rest of it.
    const v = top.edge === 'both' ? (u < 0.5 ? u * 2 : (u - 0.5) * 2) : u;
    return edge === 'low' ? v * BAND : Math.min(1 - BAND + v * BAND, LARGEST_BELOW_ONE);
  }
}

const skews = new WeakMap<LabContext, StudentRandomSkew>();

/** The stream the student code draws from in this run: `base`, skewable when the run carries a plan. */
export function studentRandom(ctx: LabContext, base: () => number): () => number {
  if (ctx.plan === undefined) return base;
  const skew = new StudentRandomSkew();
  skews.set(ctx, skew);
  return () => skew.apply(base());
}

/** The skew of this run's student stream, if it has one (an explore run with the student code in-process). */
export function studentRandomSkew(ctx: LabContext): StudentRandomSkew | undefined {
  return skews.get(ctx);
}
