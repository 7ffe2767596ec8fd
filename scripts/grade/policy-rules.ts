/**
 * The grader's policy rules: what a submission's code may not do, each with the reason a student reads
 * when a rule stops their code. `--allow RULE` turns one off (the run-time layer still holds: a worker
 * per run, a verdict the worker cannot write, frozen tester objects).
 */
import { TIMER_FUNCTIONS } from '../../tests/harness/real-timers';

export const RULES = {
  'import-path':
    'a file may import only from its own folder, ../labrpc, and (from kvraft/) ../raft: the grader copies ' +
    'only raft/ and kvraft/ into a fresh framework, so anything else is not yours to change',
  'import-tests':
    "tests/ and scripts/ are the tester's own code; importing them lets a submission read or patch the checks",
  'import-module':
    'only lodash and these harmless Node built-ins may be imported: assert, buffer, events, path, ' +
    'string_decoder, util (fs, child_process, worker_threads, vm, net… reach outside the simulation)',
  'labrpc-hooks':
    "setDebugSink, setCodecWarningSink, resetCodecWarnings are the harness's hooks into labrpc, not for peers",
  process: 'process (and __hostProcess) can end the run or read the environment; peers need neither',
  'global-object': 'globalThis / global reach every global the tester relies on',
  'dynamic-code':
    'require, import(), eval, Function and .constructor build or load code the policy cannot see',
  'io-global':
    'fetch, WebSocket, BroadcastChannel, MessageChannel and WebAssembly reach outside the simulation',
  'prototype-write':
    'assigning to a prototype (or __proto__, or setPrototypeOf) changes classes for everyone, the tester included',
  'global-write':
    'Math.*, Date.* and the other built-ins are shared with the tester: the seeded random source and the ' +
    'virtual clock stand behind them',
  'import-write': "an imported module's objects belong to the framework; writing to them patches the tester",
  'define-property':
    'defineProperty, Object.assign, lodash set/merge… may only target objects this file owns: `this`, a ' +
    'literal, a `new` object, or a local const/class/function made from one',
  'load-time-clock':
    'timers, Date, performance and Math.random used while the module loads escape the virtual clock: the ' +
    'harness installs it only when a run starts, so a captured setInterval runs on real time',
} as const;

export type RuleId = keyof typeof RULES;

export function isRuleId(text: string): text is RuleId {
  return Object.hasOwn(RULES, text);
}

/** Node built-ins a submission may import (with or without `node:`): pure helpers, no I/O. */
export const SAFE_BUILTINS = new Set([
  'assert',
  'assert/strict',
  'buffer',
  'events',
  'path',
  'string_decoder',
  'util',
]);

/** Packages a submission may import (and their subpaths, e.g. lodash/random). */
export const SAFE_PACKAGES = new Set(['lodash']);

/** labrpc exports that only the harness should call. */
export const LABRPC_HOOKS = new Set(['setDebugSink', 'setCodecWarningSink', 'resetCodecWarnings']);

/** Globals by the rule that forbids referring to them at all. */
export const FORBIDDEN_GLOBALS: ReadonlyMap<string, RuleId> = new Map<string, RuleId>([
  ['process', 'process'],
  ['__hostProcess', 'process'],
  ['globalThis', 'global-object'],
  ['global', 'global-object'],
  ['window', 'global-object'],
  ['self', 'global-object'],
  ['require', 'dynamic-code'],
  ['module', 'dynamic-code'],
  ['exports', 'dynamic-code'],
  ['eval', 'dynamic-code'],
  ['Function', 'dynamic-code'],
  ['fetch', 'io-global'],
  ['WebSocket', 'io-global'],
  ['BroadcastChannel', 'io-global'],
  ['MessageChannel', 'io-global'],
  ['MessagePort', 'io-global'],
  ['WebAssembly', 'io-global'],
  ['XMLHttpRequest', 'io-global'],
]);

/** Globals that stand for the clock or the random source: not to be used while a module loads. */
export const CLOCK_GLOBALS = new Set([...TIMER_FUNCTIONS, 'queueMicrotask', 'Date', 'performance']);

/** Property names that, written or defined, change behaviour shared with the tester. */
export const PROTOTYPE_KEYS = new Set(['prototype', '__proto__']);

/** Calls that define or copy properties onto their first argument, by method name, for any receiver. */
export const DEFINERS = new Set([
  'defineProperty',
  'defineProperties',
  '__defineGetter__',
  '__defineSetter__',
]);

/** Calls that mutate their first argument when the receiver is Object / Reflect (built-ins). */
export const BUILTIN_MUTATORS = new Set([
  'assign',
  'set',
  'deleteProperty',
  'defineProperty',
  'defineProperties',
]);

/** lodash functions that write into their first argument. */
export const LODASH_MUTATORS = new Set([
  'assign',
  'assignIn',
  'assignInWith',
  'assignWith',
  'defaults',
  'defaultsDeep',
  'extend',
  'extendWith',
  'merge',
  'mergeWith',
  'set',
  'setWith',
  'unset',
  'update',
  'updateWith',
]);
