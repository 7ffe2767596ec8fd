/**
 * The tester's handle on one Raft peer behind the boundary (tests/harness/boundary): the lab's API as
 * the tester calls it, every call a message, every answer checked for its shape before the tester uses
 * it. The last state the peer reported (to a getState() or start(), or at its last RPC) is kept for the
 * diagnosis, which runs after the failure and can no longer ask.
 */
import type { ConfigChangeResult, StartResult } from '../../raft';
import type { Boundary } from '../harness/boundary/boundary';
import { StudentCodeError } from '../harness/boundary/boundary';
import type { Handle, SampledState } from '../harness/boundary/protocol';

export type PeerState = { term: number; isLeader: boolean };

export class RemotePeer {
  readonly #boundary: Boundary;
  readonly handle: Handle;
  readonly server: number;
  /** What the peer last said about itself, and when (virtual ms); null until it said anything. */
  last: SampledState | null = null;
  lastAt: number | null = null;
  readonly #now: () => number;
  /** '' for a Raft peer the tester built; 'raft.' for the Raft peer inside a service's server (3A–4B). */
  readonly #prefix: '' | 'raft.';

  constructor(
    boundary: Boundary,
    handle: Handle,
    server: number,
    now: () => number,
    prefix: '' | 'raft.' = '',
  ) {
    this.#boundary = boundary;
    this.handle = handle;
    this.server = server;
    this.#now = now;
    this.#prefix = prefix;
  }

  /** Note what the peer said about itself (a reply to the tester, or its getState() at an RPC it sent). */
  report(state: SampledState): void {
    this.last = state;
    this.lastAt = this.#now();
  }

  async getState(): Promise<PeerState> {
    const state = shaped(
      'getState',
      await this.#boundary.invoke(this.handle, `${this.#prefix}getState`, []),
      {
        term: 'number',
        isLeader: 'boolean',
      },
    );
    this.report(state);
    return state;
  }

  async start(command: unknown): Promise<StartResult> {
    const result = shaped(
      'start',
      await this.#boundary.invoke(this.handle, `${this.#prefix}start`, [command]),
      {
        index: 'number',
        term: 'number',
        isLeader: 'boolean',
      },
    );
    this.report({ term: result.term, isLeader: result.isLeader });
    return result;
  }

  async changeConfig(servers: number[]): Promise<ConfigChangeResult> {
    const value = await this.#boundary.invoke(this.handle, `${this.#prefix}changeConfig`, [servers]);
    const result = shaped('changeConfig', value, { index: 'number', term: 'number', isLeader: 'boolean' });
    const refused = (value as { refused?: unknown }).refused;
    if (refused !== null && typeof refused !== 'string') {
      throw new StudentCodeError('changeConfig() must return refused: a string or null');
    }
    this.report({ term: result.term, isLeader: result.isLeader });
    return { ...result, refused };
  }

  /** The tester's snapshot of the service at `index` (2D's applier), delivered in order with the rest. */
  snapshot(index: number, snapshot: Uint8Array): void {
    this.#boundary.post(this.handle, 'snapshot', [index, snapshot]);
  }

  /** Kill the peer (the server, for a service's peer: it kills its own Raft). */
  kill(): void {
    this.#boundary.post(this.handle, 'kill', []);
  }

  /** The last reported state, as a synchronous getState for the cluster watch (null: none yet). */
  lastState(): PeerState | null {
    const last = this.last;
    if (last === null) return null;
    if ('error' in last) throw new Error(last.error);
    return last;
  }
}

type Shape = Record<string, 'number' | 'boolean'>;
type Typed<S extends Shape> = { [K in keyof S]: S[K] extends 'number' ? number : boolean };

/** `value` with the fields of `shape`, or a StudentCodeError naming what the method returned instead. */
function shaped<S extends Shape>(method: string, value: unknown, shape: S): Typed<S> {
  const out: Record<string, unknown> = {};
  for (const [key, type] of Object.entries(shape)) {
    const field = (value as Record<string, unknown> | null)?.[key];
    if (typeof field !== type || (type === 'number' && !Number.isFinite(field))) {
      const want = Object.entries(shape)
        .map(([k, t]) => `${k}: ${t}`)
        .join(', ');
      throw new StudentCodeError(`${method}() must return { ${want} }; its ${key} was ${String(field)}`);
    }
    out[key] = field;
  }
  return out as Typed<S>;
}
