/**
 * A single register with read, write and compare-and-set: the model of the Jepsen etcd histories.
 *
 * Semantics: the register starts absent (`null`). read must return the current value (`null` when
 * absent); write always succeeds; cas(from, to) swaps iff the value equals `from`, and its output says
 * whether it did. An `unknown` output (the client timed out) accepts any outcome: the operation may
 * take effect at any point after its call, or never (it can be linearized last). A cas with an unknown
 * output still changes the state if it is linearized where the value equals `from`.
 * An output whose kind does not fit its input is a bug in the history: step throws a `ModelError`.
 */
import { ModelError } from '../errors';
import type { Model, StepResult } from '../types';

export type RegisterValue = number | string;

export type RegisterInput =
  | { readonly op: 'read' }
  | { readonly op: 'write'; readonly value: RegisterValue }
  | { readonly op: 'cas'; readonly from: RegisterValue; readonly to: RegisterValue };

export type RegisterOutput =
  | { readonly kind: 'unknown' }
  | { readonly kind: 'read'; readonly value: RegisterValue | null }
  | { readonly kind: 'written' }
  | { readonly kind: 'cas'; readonly swapped: boolean };

type RegisterState = RegisterValue | null;

const REJECTED: StepResult<RegisterState> = { ok: false };

function mismatch(input: RegisterInput, output: RegisterOutput): never {
  throw new ModelError(
    `register: a ${input.op} cannot have a '${output.kind}' output; ` +
      "use 'read' for read, 'written' for write, 'cas' for cas, or 'unknown' for any",
  );
}

export const registerModel: Model<RegisterState, RegisterInput, RegisterOutput> = {
  name: 'register',
  init: () => null,
  step(state, input, output) {
    switch (input.op) {
      case 'read':
        if (output.kind === 'unknown') return { ok: true, state };
        if (output.kind !== 'read') return mismatch(input, output);
        return output.value === state ? { ok: true, state } : REJECTED;
      case 'write':
        if (output.kind !== 'written' && output.kind !== 'unknown') return mismatch(input, output);
        return { ok: true, state: input.value };
      case 'cas': {
        const swaps = state === input.from;
        const next = swaps ? input.to : state;
        if (output.kind === 'unknown') return { ok: true, state: next };
        if (output.kind !== 'cas') return mismatch(input, output);
        return output.swapped === swaps ? { ok: true, state: next } : REJECTED;
      }
    }
  },
  describeOperation(input, output) {
    const result =
      output.kind === 'unknown'
        ? ' -> ?'
        : output.kind === 'read'
          ? ` -> ${output.value === null ? 'nil' : output.value}`
          : output.kind === 'cas'
            ? ` -> ${output.swapped ? 'swapped' : 'failed'}`
            : '';
    const args =
      input.op === 'write' ? `${input.value}` : input.op === 'cas' ? `${input.from}, ${input.to}` : '';
    return `${input.op}(${args})${result}`;
  },
  describeState: (state) => (state === null ? 'nil' : String(state)),
};
