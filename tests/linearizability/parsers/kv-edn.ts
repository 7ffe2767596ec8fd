/**
 * Parser for 6.824-style key/value logs in EDN (the `kv/cNN-{ok,bad}.txt` shared histories).
 *
 * One map per line, in real-time order, no timestamps:
 * `{:process 2, :type :invoke, :f :append, :key "9", :value "x 2 0 y"}`. `:invoke` calls; `:ok` returns
 * the process's open operation (a get's `:ok` carries the value read). The result is an event history.
 * Guarantee: any other line, or an operation left open at the end, is a `HistoryFormatError`.
 */
import { HistoryFormatError } from '../errors';
import type { KvInput, KvOutput } from '../models/kv';
import type { HistoryEvent } from '../types';

const STRING = '"(?:[^"\\\\]|\\\\.)*"';
const LINE = new RegExp(
  `^\\{:process (\\d+), :type :(invoke|ok), :f :(get|put|append), :key (${STRING}), :value (nil|${STRING})\\}$`,
);

export function parseKvEdn(text: string, source = 'kv log'): HistoryEvent<KvInput, KvOutput>[] {
  const events: HistoryEvent<KvInput, KvOutput>[] = [];
  const open = new Map<number, number>();
  let nextId = 0;
  let lastLine = 0;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '') return;
    lastLine = index + 1;
    const fail = (problem: string): never => {
      throw new HistoryFormatError(source, `line ${index + 1}`, `${problem}: ${JSON.stringify(line)}`);
    };
    const match =
      LINE.exec(line) ??
      fail('expected {:process N, :type :invoke|:ok, :f :get|:put|:append, :key "k", :value ...}');
    const [, processText, type, f, keyText, valueText] = match;
    const process = Number(processText);
    const key = JSON.parse(keyText) as string;
    const value = valueText === 'nil' ? null : (JSON.parse(valueText) as string);
    if (type === 'invoke') {
      if (open.has(process)) fail(`process ${process} invokes while its previous operation is open`);
      if (f !== 'get' && value === null) fail(`${f} needs a string value`);
      const id = nextId++;
      open.set(process, id);
      const input: KvInput =
        f === 'get' ? { op: 'get', key } : { op: f === 'put' ? 'put' : 'append', key, value: value ?? '' };
      events.push({ kind: 'call', clientId: process, id, value: input });
      return;
    }
    const id = open.get(process) ?? fail(`process ${process} completes an operation it never invoked`);
    open.delete(process);
    events.push({
      kind: 'return',
      clientId: process,
      id,
      value: { value: f === 'get' ? (value ?? '') : '' },
    });
  });
  if (open.size > 0) {
    throw new HistoryFormatError(
      source,
      `line ${lastLine}`,
      `processes ${[...open.keys()].join(', ')} never complete their last operation`,
    );
  }
  return events;
}
