// The first code an isolated worker runs (see pool.ts), before any test or student code. It takes what
// the worker must keep to itself and closes the doors behind it:
// - the port to the parent and workerData (each run's nonce and progress buffer) are kept here, in this
//   closure, and `require('node:worker_threads').parentPort` / `.workerData` are nulled, so code under
//   test can neither post a verdict nor learn the nonce that the parent requires on every message;
// - the send functions use the postMessage and Reflect.apply captured now, so patching
//   MessagePort.prototype later changes nothing;
// - process.exit / process.abort / process.reallyExit tell the parent who called them (with the stack)
//   before the worker stops, and process.kill, which would reach the whole process, throws.
// Then it loads the host bundle (real-timer tripwires, the locked Math.random: once per worker) and
// compiles the run bundle (the test, the student's code, the harness's run side) into one function.
// Each run calls that function anew, so each run starts from fresh module state while V8 keeps the code
// it compiled and optimized for the earlier runs (bundle.ts says why that matters). Between runs the
// worker sleeps on the control word until the parent posts the next request; it takes the request off
// its port itself (receiveMessageOnPort), never through a 'message' listener that code under test could
// also have added. After each report it lets the run's last callbacks run, then tells the parent whether
// the realm is as the first run found it (leftovers.ts); the parent runs nothing more in a worker that
// is not.
'use strict';
const workerThreads = require('node:worker_threads');
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const { createRequire } = require('node:module');

const port = workerThreads.parentPort;
const data = workerThreads.workerData;
const receive = workerThreads.receiveMessageOnPort;
const post = MessagePort.prototype.postMessage;
const apply = Reflect.apply;
const freeze = Object.freeze;
const atomicsWait = Atomics.wait;
const atomicsLoad = Atomics.load;
const realSetImmediate = setImmediate;
const control = new Int32Array(data.control);
for (const key of ['parentPort', 'workerData']) {
  Object.defineProperty(workerThreads, key, { value: null, writable: false, configurable: false });
}

/** The nonce of the run in progress (process.exit reports under it). */
let nonce = data.first.nonce;

/** A send function bound to one run's nonce: a late message of an earlier run carries that run's own. */
function senderFor(runNonce) {
  return function send(message) {
    apply(post, port, [freeze({ ...message, nonce: runNonce })]);
  };
}

function tell(call) {
  senderFor(nonce)({ kind: 'exit', call, stack: String(new Error().stack) });
}
const realExit = process.exit;
const realReallyExit = process.reallyExit;
process.exit = function exit(code) {
  tell(`process.exit(${code === undefined ? '' : String(code)})`);
  apply(realExit, process, [code]);
};
process.reallyExit = function reallyExit(code) {
  tell(`process.reallyExit(${String(code)})`);
  apply(realReallyExit, process, [code]);
};
process.abort = function abort() {
  tell('process.abort()');
  apply(realExit, process, [134]);
};
process.kill = function kill() {
  throw new Error('process.kill is not allowed during a lab run: it would stop the test runner itself');
};

const host = require(data.host);
const runBundle = vm.compileFunction(
  fs.readFileSync(data.bundle, 'utf8'),
  ['exports', 'require', 'module', '__filename', '__dirname'],
  { filename: data.bundle },
);
const packageRequire = createRequire(data.bundle);
const { builtinModules } = require('node:module');
// What a run's code may load at run time. The bundle holds every module and package it imports; what is
// left for `require` is Node's built-in modules and the one native package (msgpackr-extract, loaded
// here, once, before any run). Only the built-ins the harness and its packages use are given: the others
// reach past the run (node:inspector can rewrite this thread's host and forge a verdict; child_process,
// worker_threads, vm, net, cluster, … start or reach code the harness does not watch). `module` is given
// without createRequire, and native addons cannot be loaded once msgpackr-extract is in.
const RUN_BUILTINS = new Set([
  'assert',
  'buffer',
  'crypto',
  'events',
  'fs',
  'os',
  'path',
  'perf_hooks',
  'string_decoder',
  'timers',
  'timers/promises',
  'util',
  'v8',
]);
const NATIVE_PACKAGE = 'msgpackr-extract';
let nativePackage;
try {
  nativePackage = packageRequire(NATIVE_PACKAGE);
} catch {
  nativePackage = undefined; // msgpackr then runs without its native accelerator
}
const moduleStub = freeze({ builtinModules: freeze([...builtinModules]) });
for (const key of ['dlopen', 'binding', '_linkedBinding']) {
  Object.defineProperty(process, key, {
    value() {
      throw new Error(`process.${key} is not available during a lab run`);
    },
    writable: false,
    configurable: false,
  });
}
function requireForRun(request) {
  if (Object.prototype.hasOwnProperty.call(host.shared, request)) return host.shared[request];
  if (request === NATIVE_PACKAGE) {
    if (nativePackage === undefined) throw new Error(`${NATIVE_PACKAGE} is not installed`);
    return nativePackage;
  }
  const bare = request.startsWith('node:') ? request.slice('node:'.length) : request;
  if (bare === 'module') return moduleStub;
  if (RUN_BUILTINS.has(bare)) return packageRequire(request);
  const what = builtinModules.includes(bare) ? 'the built-in module' : 'the module';
  throw new Error(
    `${what} '${request}' is not available during a lab run (lab code may use ${[...RUN_BUILTINS].join(', ')} ` +
      'and what the project bundles: its own files, labrpc and lodash)',
  );
}
const realm = host.snapshotRealm(host.shared);

/** Block until the parent posts the next request, and take it off the port. */
function nextRequest() {
  for (;;) {
    const posted = atomicsLoad(control, 0);
    const message = receive(port);
    if (message !== undefined) return message.message;
    atomicsWait(control, 0, posted); // returns at once if a request was posted since the load
  }
}

function turn() {
  return new Promise((resolve) => realSetImmediate(resolve));
}

async function serve() {
  let request = data.first;
  for (;;) {
    nonce = request.nonce;
    const send = senderFor(request.nonce);
    const module = { exports: {} };
    apply(runBundle, module.exports, [
      module.exports,
      requireForRun,
      module,
      data.bundle,
      path.dirname(data.bundle),
    ]);
    await module.exports.main({ send, input: request.input, progress: new Float64Array(request.progress) });
    // The run's own promise callbacks and immediates run in these turns; what is still there after them
    // (an open handle, a changed global) is a leftover.
    await turn();
    await turn();
    const why = host.leftoversSince(realm);
    send({ kind: 'idle', clean: why === undefined, why });
    if (why !== undefined) return; // the parent ends this worker
    request = nextRequest();
  }
}

serve().catch((error) => {
  // Outside any test (the bundle failed to load, or the harness itself threw): the worker's 'error'.
  realSetImmediate(() => {
    throw error;
  });
});
