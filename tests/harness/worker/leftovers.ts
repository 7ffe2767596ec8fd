/**
 * What a run left behind in its worker: `snapshotRealm()` before the first run, `leftoversSince(snapshot)`
 * after each. A worker runs the next test only if nothing is left (see pool.ts).
 *
 * A reused worker gives every run fresh module state by evaluating the test's bundle again (boot.js), so
 * the student's modules, the tests' and their packages' all start over. What evaluation cannot renew is
 * the realm itself: the globals, the builtins' prototypes, the Node modules' exports, the framework
 * modules every run shares (shared-modules.ts), process.env and process listeners, and handles still
 * open (a socket, a real timer). Those are compared here with the
 * snapshot taken before the first run; any difference, named in the result, retires the worker, and the
 * next test gets a fresh one. The check is by identity of every own property's value, getter and setter
 * (a few thousand properties, well under a millisecond), not by deep contents: it catches an assignment
 * such as `Array.prototype.last = ...` or `globalThis.peers = ...`, not a mutation deep inside an object a
 * builtin holds. LAB_FRESH_WORKERS=1 runs every test in a fresh worker, for anyone who suspects the rest.
 */
import { builtinModules } from 'node:module';

type Descriptors = Map<string | symbol, PropertyDescriptor>;

/** The realm as a run found it. */
export interface RealmSnapshot {
  readonly objects: ReadonlyMap<string, { readonly target: object; readonly own: Descriptors }>; // own: updated as lazy globals load
  readonly env: ReadonlyMap<string, string | undefined>;
  readonly listeners: ReadonlyMap<string | symbol, number>;
  readonly resources: ReadonlyMap<string, number>;
}

/** The Node modules whose exports are compared (the ones lab code, or a library it uses, might touch). */
const NODE_MODULES = [
  'assert',
  'buffer',
  'crypto',
  'events',
  'fs',
  'module',
  'os',
  'path',
  'perf_hooks',
  'stream',
  'timers',
  'timers/promises',
  'util',
  'v8',
  'worker_threads',
];

/** Every object whose own properties are compared, by a name for the message. */
function watched(shared: Readonly<Record<string, unknown>>): Map<string, object> {
  const objects = new Map<string, object>();
  const add = (name: string, value: unknown): void => {
    if ((typeof value === 'object' || typeof value === 'function') && value !== null) {
      if (![...objects.values()].includes(value)) objects.set(name, value);
    }
  };
  add('globalThis', globalThis);
  const g = globalThis as unknown as Record<string, unknown>;
  for (const key of Object.getOwnPropertyNames(globalThis)) {
    const descriptor = Object.getOwnPropertyDescriptor(globalThis, key);
    // Only plain values: reading a getter (a lazily loaded global) could load it now and not later.
    if (descriptor === undefined || !('value' in descriptor) || !/^[A-Z]/.test(key)) continue;
    const value = g[key];
    add(key, value);
    if (typeof value === 'function') add(`${key}.prototype`, (value as { prototype?: unknown }).prototype);
  }
  add('Math', Math);
  add('JSON', JSON);
  add('Reflect', Reflect);
  add('console', console);
  add('process', process);
  add('TypedArray', Object.getPrototypeOf(Uint8Array));
  add('TypedArray.prototype', Object.getPrototypeOf(Uint8Array.prototype));
  for (const name of NODE_MODULES) {
    if (!builtinModules.includes(name)) continue;
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- looked at, not used
    const exports = require(`node:${name}`) as unknown;
    add(`node:${name}`, exports);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- looked at, not used
  const { EventEmitter } = require('node:events') as typeof import('node:events');
  add('EventEmitter.prototype', EventEmitter.prototype);
  // The framework modules every run shares (shared-modules.ts): their exports, and the classes and
  // prototypes among them, so that a run patching, say, Trace.prototype leaves no framework behind
  // that behaves otherwise for the next run.
  for (const [request, exports] of Object.entries(shared)) {
    add(request, exports);
    if (typeof exports !== 'object' || exports === null) continue;
    for (const key of Object.keys(exports)) {
      const value = (exports as Record<string, unknown>)[key];
      if (typeof value !== 'function') continue;
      add(`${request} ${key}`, value);
      add(`${request} ${key}.prototype`, (value as { prototype?: unknown }).prototype);
    }
  }
  return objects;
}

function ownDescriptors(target: object): Descriptors {
  const own: Descriptors = new Map();
  for (const key of Reflect.ownKeys(target)) {
    const descriptor = Reflect.getOwnPropertyDescriptor(target, key);
    if (descriptor !== undefined) own.set(key, descriptor);
  }
  return own;
}

function counts(
  items: readonly (string | symbol)[],
  count: (item: string | symbol) => number,
): Map<string | symbol, number> {
  const map = new Map<string | symbol, number>();
  for (const item of items) map.set(item, count(item));
  return map;
}

/**
 * The realm now: call it before the first run (boot.js does, after the harness's own globals are set),
 * with the shared framework modules by their requests (the host bundle's `shared`).
 */
export function snapshotRealm(shared: Readonly<Record<string, unknown>> = {}): RealmSnapshot {
  const objects = new Map<string, { target: object; own: Descriptors }>();
  for (const [name, target] of watched(shared)) objects.set(name, { target, own: ownDescriptors(target) });
  const resources = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) resources.set(kind, (resources.get(kind) ?? 0) + 1);
  return {
    objects,
    env: new Map(Object.entries(process.env)),
    listeners: counts(process.eventNames(), (event) => process.listenerCount(event)),
    resources,
  };
}

function sameDescriptor(a: PropertyDescriptor, b: PropertyDescriptor): boolean {
  return (
    Object.is(a.value, b.value) &&
    a.get === b.get &&
    a.set === b.set &&
    a.writable === b.writable &&
    a.enumerable === b.enumerable &&
    a.configurable === b.configurable
  );
}

function keyName(key: string | symbol): string {
  return typeof key === 'symbol' ? `[${key.description ?? 'symbol'}]` : key;
}

/**
 * Node defines many globals lazily (TextEncoder, fetch, structuredClone…): a getter that replaces itself
 * with the value on first use. Touching all of them up front would cost ~45 ms per worker, so the first
 * run that uses one is allowed to turn its getter into a value; the value then belongs to the realm.
 */
function materialized(before: PropertyDescriptor, now: PropertyDescriptor): boolean {
  return before.get !== undefined && before.configurable === true && 'value' in now;
}

/** How `now` differs from `then`, as "x was added/changed/removed", or undefined. */
function descriptorChange(name: string, then: Descriptors, now: Descriptors): string | undefined {
  for (const [key, descriptor] of now) {
    const before = then.get(key);
    if (before === undefined) return `${name}.${keyName(key)} was added`;
    if (materialized(before, descriptor)) then.set(key, descriptor);
    else if (!sameDescriptor(before, descriptor)) return `${name}.${keyName(key)} was changed`;
  }
  for (const key of then.keys()) if (!now.has(key)) return `${name}.${keyName(key)} was removed`;
  return undefined;
}

/**
 * What differs from `snapshot`, in a few words ("Array.prototype.last was added", "a Timeout handle is
 * still open"), or undefined when the realm is as it was.
 */
export function leftoversSince(snapshot: RealmSnapshot): string | undefined {
  for (const [name, { target, own }] of snapshot.objects) {
    const change = descriptorChange(name, own, ownDescriptors(target));
    if (change !== undefined) return change;
  }
  const env = Object.entries(process.env);
  for (const [key, value] of env) {
    if (!snapshot.env.has(key)) return `process.env.${key} was added`;
    if (snapshot.env.get(key) !== value) return `process.env.${key} was changed`;
  }
  if (env.length !== snapshot.env.size) return 'a variable was removed from process.env';
  for (const event of process.eventNames()) {
    if (process.listenerCount(event) !== (snapshot.listeners.get(event) ?? 0)) {
      return `a process "${keyName(event)}" listener was added or removed`;
    }
  }
  const resources = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) resources.set(kind, (resources.get(kind) ?? 0) + 1);
  for (const [kind, count] of resources) {
    if (count > (snapshot.resources.get(kind) ?? 0)) return `a ${kind} handle is still open`;
  }
  return undefined;
}
