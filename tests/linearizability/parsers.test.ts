// The history file formats: Jepsen etcd logs, 6.824 kv EDN logs and raftlab's JSON. Covers the
// rules that decide verdicts (an :info operation stays open until after the last line, a timed-out
// read returns `unknown` in place), whitespace variants of the real files, format detection, and the
// errors for bad input, which must name the file and line or JSON path.
// Inputs are written inline, so these run without the shared data.
import { HistoryFormatError } from './index';
import { detectFormat, parseHistory } from './parsers/loaded';
import { parseJepsenLog } from './parsers/jepsen';
import { parseKvEdn } from './parsers/kv-edn';

const jepsen = (lines: string[]): string =>
  lines.map((l) => `INFO  jepsen.util - ${l.replace(/ /g, '\t')}\n`).join('');

describe('Jepsen etcd logs', () => {
  test('invoke calls, ok/fail return where they stand, and values are parsed', () => {
    const events = parseJepsenLog(
      jepsen(['1 :invoke :cas [3 0]', '2 :invoke :read nil', '1 :fail :cas [3 0]', '2 :ok :read 4']),
    );
    expect(events).toEqual([
      { kind: 'call', clientId: 1, id: 0, value: { op: 'cas', from: 3, to: 0 } },
      { kind: 'call', clientId: 2, id: 1, value: { op: 'read' } },
      { kind: 'return', clientId: 1, id: 0, value: { kind: 'cas', swapped: false } },
      { kind: 'return', clientId: 2, id: 1, value: { kind: 'read', value: 4 } },
    ]);
  });

  test(':info leaves the operation open until after the last line; a timed-out read returns unknown in place', () => {
    const events = parseJepsenLog(
      jepsen([
        '4 :invoke :write 3',
        '5 :invoke :read nil',
        '4 :info :write :timed-out',
        '5 :fail :read :timed-out',
        '9 :invoke :read nil',
        '9 :ok :read nil',
      ]),
    );
    expect(events.map((e) => `${e.kind} ${e.id}`)).toEqual([
      'call 0',
      'call 1',
      'return 1',
      'call 2',
      'return 2',
      'return 0',
    ]);
    expect(events[2].value).toEqual({ kind: 'unknown' });
    expect(events[5].value).toEqual({ kind: 'unknown' });
    expect(events[4].value).toEqual({ kind: 'read', value: null });
  });

  test('fields separated by runs of spaces parse too (files 100-102)', () => {
    expect(parseJepsenLog('INFO  jepsen.util - 3   :invoke   :write   2\n')).toHaveLength(2);
  });

  test('a line of another shape is a HistoryFormatError naming its line', () => {
    expect(() => parseJepsenLog(jepsen(['1 :invoke :read nil', '1 :ok :frobnicate 2']), 'x.log')).toThrow(
      /x\.log \(line 2\)/,
    );
    expect(() => parseJepsenLog('hello\n')).toThrow(HistoryFormatError);
  });
});

describe('kv EDN logs', () => {
  test('invoke and ok lines become call and return events; a get returns the value read', () => {
    const text = [
      '{:process 2, :type :invoke, :f :append, :key "9", :value "x 2 0 y"}',
      '{:process 4, :type :invoke, :f :get, :key "9", :value nil}',
      '{:process 4, :type :ok, :f :get, :key "9", :value ""}',
      '{:process 2, :type :ok, :f :append, :key "9", :value "x 2 0 y"}',
    ].join('\n');
    expect(parseKvEdn(text)).toEqual([
      { kind: 'call', clientId: 2, id: 0, value: { op: 'append', key: '9', value: 'x 2 0 y' } },
      { kind: 'call', clientId: 4, id: 1, value: { op: 'get', key: '9' } },
      { kind: 'return', clientId: 4, id: 1, value: { value: '' } },
      { kind: 'return', clientId: 2, id: 0, value: { value: '' } },
    ]);
  });

  test('an operation left open is an error, not a silent drop', () => {
    expect(() => parseKvEdn('{:process 1, :type :invoke, :f :get, :key "1", :value nil}')).toThrow(
      /never complete/,
    );
  });
});

describe('JSON histories and format detection', () => {
  test('operations with annotations load for either model', () => {
    const text = JSON.stringify({
      model: 'kv',
      operations: [
        {
          clientId: 0,
          input: { op: 'put', key: 'k', value: 'v' },
          output: { value: '' },
          call: 1,
          return: 2,
        },
      ],
      annotations: [{ start: 0, end: 5, label: 'partition', kind: 'partition' }],
    });
    const loaded = parseHistory(text, 'h.json');
    expect(loaded.model).toBe('kv');
    expect(loaded.annotations).toEqual([{ start: 0, end: 5, label: 'partition', kind: 'partition' }]);
    expect(loaded.data.form === 'operations' && loaded.data.operations[0].input).toEqual({
      op: 'put',
      key: 'k',
      value: 'v',
    });
  });

  test('a malformed field is reported with its JSON path', () => {
    const text = JSON.stringify({
      model: 'register',
      events: [{ kind: 'call', clientId: 0, id: 0, value: { op: 'cas', from: 1 } }],
    });
    expect(() => parseHistory(text, 'h.json')).toThrow(/events\[0\]\.value/);
    expect(() => parseHistory('{"model":"bank"}', 'h.json')).toThrow(/expected "kv" or "register"/);
  });

  test('the format is told from the content, and an empty .log is an empty Jepsen history', () => {
    expect(detectFormat('INFO  jepsen.util - 1\t:invoke\t:read\tnil', 'a')).toBe('jepsen');
    expect(detectFormat('{:process 1, ...}', 'a')).toBe('kv-edn');
    expect(detectFormat('{"model":"kv"}', 'a')).toBe('json');
    expect(detectFormat('', 'etcd_095.log')).toBe('jepsen');
    expect(() => detectFormat('', 'mystery')).toThrow(HistoryFormatError);
  });
});
