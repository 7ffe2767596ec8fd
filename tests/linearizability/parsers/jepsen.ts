/**
 * Parser for Jepsen etcd register logs (the `jepsen/etcd_NNN.log` shared histories).
 *
 * Each line is `INFO jepsen.util - <process> <:invoke|:ok|:fail|:info> <:read|:write|:cas> <value>`,
 * in real-time order, without timestamps, so the result is an event history. Rules (from the data's
 * MANIFEST): `:invoke` calls; `:ok`/`:fail` return the process's open operation where they stand;
 * `:fail :read :timed-out` returns `unknown` there; `:info` lines leave the operation open, and every
 * operation still open after the last line returns `unknown` at the end (so it may take effect at any
 * time after its call, or never). Guarantee: any other line is a `HistoryFormatError` naming its line.
 */
import { HistoryFormatError } from '../errors';
import type { RegisterInput, RegisterOutput } from '../models/register';
import type { HistoryEvent } from '../types';

type RegisterEvent = HistoryEvent<RegisterInput, RegisterOutput>;

interface OpenOp {
  readonly id: number;
  readonly process: number;
  readonly input: RegisterInput;
}

export function parseJepsenLog(text: string, source = 'jepsen log'): RegisterEvent[] {
  const events: RegisterEvent[] = [];
  const open = new Map<number, OpenOp>();
  const abandoned: OpenOp[] = [];
  let nextId = 0;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '') return;
    const fail = (problem: string): never => {
      throw new HistoryFormatError(source, `line ${index + 1}`, `${problem}: ${JSON.stringify(line)}`);
    };
    const fields = line.split(/\s+/);
    if (
      fields[0] !== 'INFO' ||
      fields[1] !== 'jepsen.util' ||
      fields[2] !== '-' ||
      !/^\d+$/.test(fields[3] ?? '')
    ) {
      fail('expected "INFO jepsen.util - <process> ..."');
    }
    const process = Number(fields[3]);
    const [type, f] = [fields[4], fields[5]];
    const value = fields.slice(6).join(' ');
    if (type === ':invoke') {
      if (open.has(process)) fail(`process ${process} invokes while its previous operation is open`);
      const op = { id: nextId++, process, input: parseInput(f, value, fail) };
      open.set(process, op);
      events.push({ kind: 'call', clientId: process, id: op.id, value: op.input });
      return;
    }
    const op = open.get(process) ?? fail(`process ${process} completes an operation it never invoked`);
    open.delete(process);
    if (type === ':info') abandoned.push(op);
    else if (type === ':ok' || type === ':fail') {
      events.push({ kind: 'return', clientId: process, id: op.id, value: parseOutput(type, f, value, fail) });
    } else fail(`unknown event type ${type}`);
  });
  // Timed-out operations return "unknown" after everything else, in the order they were called.
  const pending = [...abandoned, ...open.values()].sort((a, b) => a.id - b.id);
  for (const op of pending)
    events.push({ kind: 'return', clientId: op.process, id: op.id, value: { kind: 'unknown' } });
  return events;
}

function parseValue(text: string, fail: (problem: string) => never): number {
  if (!/^-?\d+$/.test(text)) fail(`expected an integer, got ${JSON.stringify(text)}`);
  return Number(text);
}

function parseCasPair(text: string, fail: (problem: string) => never): [number, number] {
  const match = /^\[(-?\d+) (-?\d+)\]$/.exec(text) ?? fail('expected a cas pair like [3 0]');
  return [Number(match[1]), Number(match[2])];
}

function parseInput(f: string, value: string, fail: (problem: string) => never): RegisterInput {
  if (f === ':read') return { op: 'read' };
  if (f === ':write') return { op: 'write', value: parseValue(value, fail) };
  if (f === ':cas') {
    const [from, to] = parseCasPair(value, fail);
    return { op: 'cas', from, to };
  }
  return fail(`unknown operation ${f}`);
}

function parseOutput(
  type: string,
  f: string,
  value: string,
  fail: (problem: string) => never,
): RegisterOutput {
  if (value === ':timed-out') return { kind: 'unknown' };
  if (f === ':read' && type === ':ok')
    return { kind: 'read', value: value === 'nil' ? null : parseValue(value, fail) };
  if (f === ':write' && type === ':ok') return { kind: 'written' };
  if (f === ':cas') {
    parseCasPair(value, fail);
    return { kind: 'cas', swapped: type === ':ok' };
  }
  return fail(`unexpected ${type} for ${f}`);
}
