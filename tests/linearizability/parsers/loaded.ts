/**
 * Reading a history file of any supported format, and checking it with the model it belongs to.
 *
 * Formats: `jepsen` (etcd register logs, model `register`), `kv-edn` (6.824 key/value logs, model `kv`)
 * and `json` (raftlab's own, either model). `detectFormat` looks at the first non-blank line, then at
 * the file extension (an empty `.log` is an empty Jepsen history). `checkLoadedHistory` hides the
 * model's generic types, so scripts can treat every history alike.
 */
import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { checkEvents, checkOperations } from '../checker';
import { HistoryFormatError } from '../errors';
import { kvModel, type KvInput, type KvOutput } from '../models/kv';
import { registerModel, type RegisterInput, type RegisterOutput } from '../models/register';
import type {
  Annotation,
  CheckOptions,
  CheckResult,
  CheckVerdict,
  HistoryEvent,
  Model,
  Operation,
} from '../types';
import { writeVisualization } from '../visualize';
import { parseJepsenLog } from './jepsen';
import { parseJsonHistory } from './json';
import { parseKvEdn } from './kv-edn';

export type HistoryFileFormat = 'jepsen' | 'kv-edn' | 'json';
export type ModelName = 'kv' | 'register';

export type HistoryData<I, O> =
  | { readonly form: 'events'; readonly events: HistoryEvent<I, O>[] }
  | { readonly form: 'operations'; readonly operations: Operation<I, O>[] };

interface Loaded<M extends ModelName, I, O> {
  readonly model: M;
  readonly format: HistoryFileFormat;
  readonly data: HistoryData<I, O>;
  readonly annotations: Annotation[];
}

export type LoadedHistory =
  Loaded<'kv', KvInput, KvOutput> | Loaded<'register', RegisterInput, RegisterOutput>;

export function detectFormat(text: string, fileName: string): HistoryFileFormat {
  const first =
    text
      .split('\n')
      .find((line) => line.trim() !== '')
      ?.trim() ?? '';
  if (first.startsWith('INFO')) return 'jepsen';
  if (first.startsWith('{:')) return 'kv-edn';
  if (first.startsWith('{') || first.startsWith('[')) return 'json';
  const ext = extname(fileName);
  if (first === '' && ext === '.log') return 'jepsen';
  if (first === '' && (ext === '.txt' || ext === '.edn')) return 'kv-edn';
  throw new HistoryFormatError(
    basename(fileName),
    'line 1',
    'cannot tell the format (expected a Jepsen "INFO jepsen.util" log, an EDN "{:process" log or JSON); pass the format explicitly',
  );
}

/** `model` is used only for a JSON file that does not name its model. */
export function parseHistory(
  text: string,
  fileName: string,
  format = detectFormat(text, fileName),
  model?: ModelName,
): LoadedHistory {
  const source = basename(fileName);
  if (format === 'jepsen') {
    return {
      model: 'register',
      format,
      annotations: [],
      data: { form: 'events', events: parseJepsenLog(text, source) },
    };
  }
  if (format === 'kv-edn')
    return {
      model: 'kv',
      format,
      annotations: [],
      data: { form: 'events', events: parseKvEdn(text, source) },
    };
  return parseJsonHistory(text, source, model);
}

export function loadHistoryFile(path: string, format?: HistoryFileFormat, model?: ModelName): LoadedHistory {
  const text = readFileSync(path, 'utf8');
  return parseHistory(text, path, format ?? detectFormat(text, path), model);
}

/** The verdict of a loaded history, and a way to draw it (when checked with `verbose`). */
export interface LoadedCheck {
  readonly result: CheckVerdict;
  readonly operationCount: number;
  writeHtml(path: string): void;
}

export function checkLoadedHistory(history: LoadedHistory, options: CheckOptions = {}): LoadedCheck {
  return history.model === 'kv'
    ? checkWith(kvModel, history.data, history.annotations, options)
    : checkWith(registerModel, history.data, history.annotations, options);
}

function checkWith<S, I, O>(
  model: Model<S, I, O>,
  data: HistoryData<I, O>,
  annotations: Annotation[],
  options: CheckOptions,
): LoadedCheck {
  const checked: CheckResult<I, O> =
    data.form === 'events'
      ? checkEvents(model, data.events, options)
      : checkOperations(model, data.operations, options);
  return {
    result: checked.result,
    operationCount: data.form === 'events' ? data.events.length / 2 : data.operations.length,
    writeHtml(path) {
      writeVisualization(model, checked.info, path, { annotations });
    },
  };
}
