/**
 * Turns a verbose check result into the plain data the HTML page draws, so the page's script only
 * lays out and reacts, and every model-specific string is computed here, in TypeScript.
 *
 * Per partition: operations with descriptions; each kept partial linearization with the state after
 * every step (replayed with the model; a step that fails on replay means the model's `step` is not a
 * pure function, reported as a `ModelError`); and, when the partition is not `ok`, the cut: the earliest
 * return among the operations left out of the longest linearization (nothing can be linearized past it
 * without them) and why each operation that could come next does not.
 * Time axis: each partition's distinct times (operations and annotations) get consecutive ranks, so
 * long idle gaps do not squeeze the interesting part; the page places points by rank.
 */
import { ModelError } from '../errors';
import type { ResolvedModel } from '../models/resolve';
import type { Annotation, CheckVerdict, LinearizationInfo, Operation, PartitionInfo } from '../types';

export interface ViewOperation {
  readonly id: number;
  readonly client: number;
  readonly call: number;
  readonly ret: number;
  readonly callRank: number;
  readonly retRank: number;
  readonly text: string;
  /** Index of the longest linearization containing this operation, or -1. */
  readonly longest: number;
}

export interface ViewLinearization {
  readonly ops: readonly number[];
  readonly states: readonly string[];
}

export interface ViewCut {
  readonly time: number;
  readonly rank: number;
  readonly stateBefore: string;
  readonly candidates: readonly { readonly id: number; readonly why: string }[];
}

export interface ViewPartition {
  readonly label: string;
  readonly verdict: CheckVerdict;
  readonly clients: readonly number[];
  readonly ops: readonly ViewOperation[];
  readonly linearizations: readonly ViewLinearization[];
  readonly cut: ViewCut | null;
  /** Sorted distinct times; index = rank. */
  readonly times: readonly number[];
}

export interface ViewAnnotation {
  readonly start: number;
  readonly end: number | null;
  readonly label: string;
  readonly kind: string;
}

export interface ViewData {
  readonly title: string;
  readonly model: string;
  readonly result: CheckVerdict;
  readonly initialState: string;
  readonly partitions: readonly ViewPartition[];
  readonly annotations: readonly ViewAnnotation[];
}

export function buildViewData<S, I, O>(
  model: ResolvedModel<S, I, O>,
  info: LinearizationInfo<I, O>,
  annotations: readonly Annotation[],
  title: string,
): ViewData {
  const verdicts = info.partitions.map((p) => p.verdict);
  const result: CheckVerdict = verdicts.includes('illegal')
    ? 'illegal'
    : verdicts.includes('unknown')
      ? 'unknown'
      : 'ok';
  const annotationTimes = annotations.flatMap((a) => (a.end === undefined ? [a.start] : [a.start, a.end]));
  return {
    title,
    model: model.name,
    result,
    initialState: model.describeState(model.init()),
    partitions: info.partitions.map((part) => viewPartition(model, part, annotationTimes)),
    annotations: annotations.map((a) => ({
      start: a.start,
      end: a.end ?? null,
      label: a.label,
      kind: a.kind ?? 'note',
    })),
  };
}

function viewPartition<S, I, O>(
  model: ResolvedModel<S, I, O>,
  part: PartitionInfo<I, O>,
  annotationTimes: readonly number[],
): ViewPartition {
  const times = [
    ...new Set([...part.operations.flatMap((op) => [op.call, op.return]), ...annotationTimes]),
  ].sort((a, b) => a - b);
  const rank = new Map(times.map((t, i) => [t, i]));
  const ops = part.operations.map((op, id) => ({
    id,
    client: op.clientId,
    call: op.call,
    ret: op.return,
    callRank: rank.get(op.call) ?? 0,
    retRank: rank.get(op.return) ?? 0,
    text: model.describeOperation(op.input, op.output),
    longest: part.longest[id] ?? -1,
  }));
  const linearizations = part.linearizations.map((ids) => ({
    ops: ids,
    states: replay(model, part, ids).map((s) => model.describeState(s)),
  }));
  const cut = part.verdict === 'ok' ? null : findCut(model, part, rank);
  return {
    label: part.label,
    verdict: part.verdict,
    clients: [...new Set(ops.map((op) => op.client))].sort((a, b) => a - b),
    ops,
    linearizations,
    cut,
    times,
  };
}

/** The state after each step of a linearization (index k: after its k-th operation). */
function replay<S, I, O>(
  model: ResolvedModel<S, I, O>,
  part: PartitionInfo<I, O>,
  ids: readonly number[],
): S[] {
  const states: S[] = [];
  let state = model.init();
  for (const id of ids) {
    const op = part.operations[id];
    const next = model.step(state, op.input, op.output);
    if (!next.ok) {
      throw new ModelError(
        `model '${model.name}': ${model.describeOperation(op.input, op.output)} was legal during the search but not on replay; step must be a pure function of (state, input, output)`,
      );
    }
    state = next.state;
    states.push(state);
  }
  return states;
}

function findCut<S, I, O>(
  model: ResolvedModel<S, I, O>,
  part: PartitionInfo<I, O>,
  rank: Map<number, number>,
): ViewCut | null {
  const best = part.linearizations[0] ?? [];
  const done = new Set(best);
  const rest = part.operations.map((op, id) => ({ op, id })).filter(({ id }) => !done.has(id));
  if (rest.length === 0) return null;
  const time = Math.min(...rest.map(({ op }) => op.return));
  const states = replay(model, part, best);
  const state = states.length > 0 ? states[states.length - 1] : model.init();
  const candidates = rest
    .filter(({ op }) => op.call <= time)
    .map(({ op, id }) => ({ id, why: whyNot(model, state, op, part.verdict) }));
  return { time, rank: rank.get(time) ?? 0, stateBefore: model.describeState(state), candidates };
}

function whyNot<S, I, O>(
  model: ResolvedModel<S, I, O>,
  state: S,
  op: Operation<I, O>,
  verdict: CheckVerdict,
): string {
  const next = model.step(state, op.input, op.output);
  if (!next.ok) return `not legal in state ${model.describeState(state)}`;
  const after = `legal here (state becomes ${model.describeState(next.state)})`;
  // Only an exhaustive search (verdict illegal) proves that nothing continues; a timeout proves nothing.
  return verdict === 'illegal'
    ? `${after}, but no linearization of the rest continues from it`
    : `${after}; the search ran out of time`;
}
