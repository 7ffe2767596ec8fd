/**
 * The log viewer's parsing and drawing: both saved file kinds give the same entries for the same debug
 * lines, topic filters keep and drop what they say, and column mode puts each server's lines in its
 * own column, wrapping long messages inside it.
 */
import pc from 'picocolors';
import { formatLogLine } from '../harness';
import { parseLogFile } from '../../scripts/logs/entries';
import { filterEntries, logColumns, renderEntries, wrap } from '../../scripts/logs/render';

const plain = pc.createColors(false);
const logText = [
  formatLogLine(356, 2, 'role', 'T1 became candidate (election timeout)'),
  formatLogLine(356, 0, 'vote', 'T1 voted for S2'),
  formatLogLine(927, 1, 'term', 'T2 new term (RequestVote from S0)'),
].join('\n');
const traceText = [
  JSON.stringify({
    kind: 'meta',
    test: 'Test (2A): x',
    part: '2A',
    seed: 5,
    passed: false,
    virtualMs: 1000,
    traceHash: 'ab',
    replay: 'r',
  }),
  JSON.stringify({ t: 0, kind: 'print', line: 'Test (2A): x ...' }),
  JSON.stringify({
    t: 356,
    kind: 'log',
    server: 2,
    topic: 'role',
    msg: 'T1 became candidate (election timeout)',
  }),
  JSON.stringify({
    t: 356,
    kind: 'rpc.send',
    rpc: 1,
    from: 2,
    to: 0,
    svcMeth: 'Raft.RequestVote',
    bytes: 9,
    args: { term: 1 },
  }),
  JSON.stringify({ t: 356, kind: 'log', server: 0, topic: 'vote', msg: 'T1 voted for S2' }),
  JSON.stringify({ t: 500, kind: 'fault', action: 'disconnect', server: 1 }),
  JSON.stringify({ t: 927, kind: 'log', server: 1, topic: 'term', msg: 'T2 new term (RequestVote from S0)' }),
].join('\n');

test('a .log file and a .jsonl trace give the same debug lines', () => {
  const fromLog = parseLogFile(logText, 'x.log', false);
  const fromTrace = parseLogFile(traceText, 'x.jsonl', false).filter(
    (e) => !['test', 'fault'].includes(e.topic),
  );
  expect(fromTrace).toEqual(fromLog);
  expect(fromLog[0]).toEqual({
    t: 356,
    server: 2,
    topic: 'role',
    msg: 'T1 became candidate (election timeout)',
  });
});

test('a trace adds the test output and faults; --events adds RPCs, owned by the caller', () => {
  const topics = parseLogFile(traceText, 'x.jsonl', false).map((e) => e.topic);
  expect(topics).toEqual(['test', 'test', 'role', 'vote', 'fault', 'term']);
  const rpc = parseLogFile(traceText, 'x.jsonl', true).find((e) => e.topic === 'rpc');
  expect(rpc).toMatchObject({ server: 2, msg: '#1 Raft.RequestVote to S0 {"term":1}' });
});

test('--topics keeps only the named topics and --ignore drops them', () => {
  const entries = parseLogFile(logText, 'x.log', false);
  expect(filterEntries(entries, new Set(['role', 'vote']), new Set(['vote'])).map((e) => e.topic)).toEqual([
    'role',
  ]);
});

test('column mode puts server i in column i and wraps inside the column', () => {
  const entries = parseLogFile(logText, 'x.log', false);
  const lines = renderEntries(entries, { columns: 3, width: 9 + 3 * 20, colors: plain });
  expect(lines[0]).toMatch(/^ {4}time S0 {18}S1 {18}S2$/);
  expect(lines[1].indexOf('role')).toBe(9 + 2 * 20);
  const term = lines.find((line) => line.includes('term T2')) ?? '';
  expect(term.indexOf('term')).toBe(9 + 20);
  expect(lines[lines.length - 1].trim()).toBe('S0)'); // the rest of the wrapped line, same column
  expect(wrap('T1 became candidate (election timeout)', 19).every((piece) => piece.length <= 19)).toBe(true);
});

test("a trace's monitor violation is a line of its own, with its rule id", () => {
  const text = [
    traceText,
    JSON.stringify({
      t: 930,
      kind: 'monitor',
      property: 'Election Safety',
      rule: '[RV.2]',
      rpc: 1,
      msg: 'Election Safety violated [RV.2] at 0.930 s',
    }),
  ].join('\n');
  const line = parseLogFile(text, 'x.jsonl', false).find((e) => e.topic === 'monitor');
  expect(line).toEqual({
    t: 930,
    server: null,
    topic: 'monitor',
    msg: 'Election Safety violated [RV.2] at 0.930 s',
  });
});

// Lab 4: servers of different groups share the numbers 0..n-1, so a line names its group ("G101 S2"),
// and column mode gives each server of each group a column, the controllers' first.
describe('Lab 4 logs: a column per server of each group', () => {
  const lab4 = [
    formatLogLine(100, 0, 'role', 'T1 became leader'),
    formatLogLine(200, 2, 'shard', 'took config 1', 101),
    formatLogLine(300, 0, 'shard', 'took config 1', 100),
  ].join('\n');

  test('a .log line keeps its group, and the columns are the controllers then each group', () => {
    const entries = parseLogFile(lab4, 'x.log', false);
    expect(entries.map((e) => [e.group, e.server])).toEqual([
      [undefined, 0],
      [101, 2],
      [100, 0],
    ]);
    const layout = logColumns(entries);
    expect(layout.headers).toEqual(['S0', 'G100 S0', 'G101 S2']);
    const lines = renderEntries(entries, { columns: 3, width: 9 + 3 * 30, colors: plain, layout });
    expect(lines[0]).toMatch(/^\s+time S0\s+G100 S0\s+G101 S2$/);
    expect(lines[2].indexOf('shard')).toBe(9 + 2 * 30); // gid 101's server 2: the third column
    expect(lines[3].indexOf('shard')).toBe(9 + 30);
  });

  test('without groups the columns stay one per server number', () => {
    expect(logColumns(parseLogFile(logText, 'x.log', false)).headers).toEqual(['S0', 'S1', 'S2']);
  });
});
