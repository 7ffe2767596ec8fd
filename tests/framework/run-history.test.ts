// The lab runner's queue order (tests/harness/run-history.ts): last run's failures first, then tests never
// timed, then the longest first; remembered across runs in the project's .lab/build.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RunHistory } from '../harness/run-history';

let root = '';
beforeEach(() => void (root = fs.mkdtempSync(path.join(os.tmpdir(), 'run-history-'))));
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

const names = ['short', 'failed before', 'new', 'long', 'medium', 'also new'];
const order = (history: RunHistory): string[] => history.order(names, (name) => name);

test('with no history, the order is the files’ own', () => {
  expect(order(RunHistory.load(root))).toEqual(names);
});

test('a failure of the last run goes first, then new tests in their order, then the longest first', () => {
  const first = RunHistory.load(root);
  first.record('short', 20, false);
  first.record('long', 900, false);
  first.record('medium', 300, false);
  first.record('failed before', 50, true);
  first.save();
  expect(order(RunHistory.load(root))).toEqual([
    'failed before',
    'new',
    'also new',
    'long',
    'medium',
    'short',
  ]);
});

test('a test that passes again drops back to its place by time', () => {
  const history = RunHistory.load(root);
  history.record('failed before', 50, true);
  history.record('long', 900, false);
  history.save();
  const next = RunHistory.load(root);
  next.record('failed before', 50, false);
  next.save();
  expect(order(RunHistory.load(root)).slice(-2)).toEqual(['long', 'failed before']);
});

test('a damaged history file is no history, and is replaced by the next save', () => {
  const file = path.join(root, '.lab', 'build', 'lab-test-history.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, '{"short": {"cpuMs": 1'); // cut short
  const history = RunHistory.load(root);
  expect(order(history)).toEqual(names);
  history.record('short', 5, true);
  history.save();
  expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ short: { cpuMs: 5, failed: true } });
});
