/**
 * Validation and conversion of the two history forms before checking.
 *
 * - `validateOperations` rejects what the search cannot give a meaningful answer for: non-finite times
 *   and operations that return before they are called.
 * - `eventsToOperations` turns an event history into operations whose times are the event positions
 *   (call at its index, return at its index). Positions are distinct, so the real-time order of the
 *   events is kept exactly and nothing else is invented.
 * - `splitPartitions` applies the model's `partition` and maps every part back to input positions,
 *   checking that each operation landed in exactly one part.
 */
import { HistoryError, ModelError } from './errors';
import type { ResolvedModel } from './models/resolve';
import type { HistoryEvent, Operation } from './types';

export function validateOperations<I, O>(ops: readonly Operation<I, O>[]): void {
  ops.forEach((op, index) => {
    if (!Number.isFinite(op.call) || !Number.isFinite(op.return)) {
      throw new HistoryError(
        `operation ${index} (client ${op.clientId}) has call=${op.call}, return=${op.return}; both must be finite numbers`,
      );
    }
    if (op.return < op.call) {
      throw new HistoryError(
        `operation ${index} (client ${op.clientId}) returns at ${op.return} before its call at ${op.call}; ` +
          'record the call time before sending and the return time after the reply',
      );
    }
  });
}

export function eventsToOperations<I, O>(events: readonly HistoryEvent<I, O>[]): Operation<I, O>[] {
  const open = new Map<number, { clientId: number; input: I; call: number }>();
  const ops: Operation<I, O>[] = [];
  events.forEach((event, position) => {
    if (event.kind === 'call') {
      if (open.has(event.id)) {
        throw new HistoryError(
          `event ${position}: id ${event.id} is called again while still open; ids must be unique`,
        );
      }
      open.set(event.id, { clientId: event.clientId, input: event.value, call: position });
      return;
    }
    const call = open.get(event.id);
    if (!call) {
      throw new HistoryError(`event ${position}: return for id ${event.id} has no open call before it`);
    }
    open.delete(event.id);
    ops.push({
      clientId: call.clientId,
      input: call.input,
      output: event.value,
      call: call.call,
      return: position,
    });
  });
  if (open.size > 0) {
    const ids = [...open.keys()].slice(0, 5).join(', ');
    throw new HistoryError(
      `${open.size} call event(s) never return (ids ${ids}${open.size > 5 ? ', …' : ''}); ` +
        'append a return with an "unknown" output for operations whose outcome is not known',
    );
  }
  // Keep call order, so operation ids follow the order clients issued them.
  return ops.sort((a, b) => a.call - b.call);
}

export interface Part<I, O> {
  readonly label: string;
  readonly operations: readonly Operation<I, O>[];
  readonly originalIndex: number[];
}

export function splitPartitions<S, I, O>(
  model: ResolvedModel<S, I, O>,
  history: readonly Operation<I, O>[],
): Part<I, O>[] {
  const parts = model.partition(history);
  if (parts.length === 1 && parts[0] === history) {
    return [
      {
        label: model.describePartition(history, 0),
        operations: history,
        originalIndex: history.map((_, i) => i),
      },
    ];
  }
  const positionOf = new Map<Operation<I, O>, number>();
  history.forEach((op, i) => positionOf.set(op, i));
  const seen = new Uint8Array(history.length);
  const result = parts.map((operations, index) => {
    const originalIndex = operations.map((op) => {
      const position = positionOf.get(op);
      if (position === undefined || seen[position]) {
        throw new ModelError(
          `model '${model.name}': partition ${index} holds an operation that is ${position === undefined ? 'not in the history' : 'also in another partition'}; ` +
            'partition must return the same operation objects it was given, each exactly once',
        );
      }
      seen[position] = 1;
      return position;
    });
    return { label: model.describePartition(operations, index), operations, originalIndex };
  });
  const missing = seen.indexOf(0);
  if (missing >= 0) {
    throw new ModelError(
      `model '${model.name}': operation ${missing} is in no partition; partition must keep every operation`,
    );
  }
  return result;
}
