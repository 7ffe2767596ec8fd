/**
 * The linearizability checker: the only door into tests/linearizability/.
 *
 * Use: `checkOperations(kvModel, ops, { timeoutMs: 1000, verbose: true })` gives `{ result, info }`;
 * on `illegal`, `writeVisualization(kvModel, info, 'out/history.html', { annotations })` writes a
 * self-contained HTML timeline of the history. Parsers read the formats of the shared test histories
 * (Jepsen etcd logs, 6.824-style EDN key/value logs) and this project's JSON history format.
 */
export { checkEvents, checkOperations } from './checker';
export { HistoryError, HistoryFormatError, ModelError, VisualizationError } from './errors';
export { kvModel } from './models/kv';
export type { KvInput, KvOutput } from './models/kv';
export { registerModel } from './models/register';
export type { RegisterInput, RegisterOutput, RegisterValue } from './models/register';
export { partitionBy } from './models/resolve';
export { renderVisualization, writeVisualization } from './visualize';
export type { VisualizationOptions } from './visualize';
export { checkLoadedHistory, detectFormat, loadHistoryFile, parseHistory } from './parsers/loaded';
export type { HistoryFileFormat, LoadedCheck, LoadedHistory, ModelName } from './parsers/loaded';
export type {
  Annotation,
  CheckOptions,
  CheckResult,
  CheckVerdict,
  HistoryEvent,
  LinearizationInfo,
  Model,
  Operation,
  PartitionInfo,
  StepResult,
} from './types';
