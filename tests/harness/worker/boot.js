// The first code an isolated worker runs (see pool.ts), before the bundle with the test and the student's
// code loads. It takes what the worker must keep to itself and closes the doors behind it:
// - the port to the parent and workerData (the run's nonce, the progress buffer) are kept here, in this
//   closure, and `require('node:worker_threads').parentPort` / `.workerData` are nulled, so code under
//   test can neither post a verdict nor learn the nonce that the parent requires on every message;
// - the send function uses the postMessage and Reflect.apply captured now, so patching
//   MessagePort.prototype later changes nothing;
// - process.exit / process.abort / process.reallyExit tell the parent who called them (with the stack)
//   before the worker stops, and process.kill, which would reach the whole process, throws.
// Then it loads the bundle (whose first module installs the real-timer tripwires) and runs the test.
'use strict';
const workerThreads = require('node:worker_threads');

const port = workerThreads.parentPort;
const data = workerThreads.workerData;
const post = MessagePort.prototype.postMessage;
const apply = Reflect.apply;
const freeze = Object.freeze;
const nonce = data.nonce;
for (const key of ['parentPort', 'workerData']) {
  Object.defineProperty(workerThreads, key, { value: null, writable: false, configurable: false });
}

function send(message) {
  apply(post, port, [freeze({ ...message, nonce })]);
}

function tell(call) {
  send({ kind: 'exit', call, stack: String(new Error().stack) });
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

const bundle = require(data.bundle);
bundle.main({ send, input: data.input, progress: new Float64Array(data.progress) });
