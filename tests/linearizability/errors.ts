/**
 * The linearizability checker's error classes. Each sets `name` so a test report shows which kind of
 * problem it is, and each message says what was wrong and what to do about it.
 *
 * - `HistoryError`: the history handed to the checker is malformed (return before call, unmatched events).
 * - `ModelError`: a model broke its contract (a partition lost or duplicated an operation, a step that
 *   was legal during the search failed when replayed).
 * - `HistoryFormatError`: a history file could not be parsed; carries the file and the place in it.
 * - `VisualizationError`: the HTML could not be produced from the given result.
 */

export class HistoryError extends Error {
  override readonly name = 'HistoryError';
}

export class ModelError extends Error {
  override readonly name = 'ModelError';
}

export class HistoryFormatError extends Error {
  override readonly name = 'HistoryFormatError';
  constructor(
    readonly source: string,
    /** Where in the file: `line 12`, or a JSON path such as `operations[3].input`. */
    readonly location: string,
    problem: string,
  ) {
    super(`${source} (${location}): ${problem}`);
  }
}

export class VisualizationError extends Error {
  override readonly name = 'VisualizationError';
}
