/**
 * The checker's entry points: `checkOperations` and `checkEvents`.
 *
 * How a history is judged: validate it, split it with the model's `partition` (P-compositionality: the
 * history is linearizable iff every part is), and run one `PartitionSearch` per part. The searches are
 * interleaved in round-robin slices on this one thread, because parts differ wildly in cost (one part
 * can take seconds while another is found illegal in milliseconds); without `verbose` the check stops
 * at the first illegal part. Real time is checked between slices against `timeoutMs`; `maxSteps` caps
 * each part's search steps instead (and `maxTotalSteps` all parts' together), so that the verdict does not
 * depend on the machine.
 *
 * Verdict: `illegal` if any part was proven illegal (even if others timed out); otherwise `unknown` if
 * the time or a part's step budget ran out; otherwise `ok`. `unknown` is never reported as either of the other two.
 * With `verbose`, every part is searched to the end (or the timeout) and `info` holds, per part, the
 * longest linearizable prefix containing each operation, which `writeVisualization` draws.
 */
import { realNow } from './clock';
import { eventsToOperations, splitPartitions, validateOperations, type Part } from './history';
import { resolveModel } from './models/resolve';
import { PartitionSearch } from './search';
import type {
  CheckOptions,
  CheckResult,
  CheckVerdict,
  HistoryEvent,
  LinearizationInfo,
  Model,
  Operation,
  PartitionInfo,
} from './types';

/** Search iterations per slice: small enough to switch parts often, large enough to amortize the switch. */
const SLICE_STEPS = 4096;

export function checkOperations<S, I, O>(
  model: Model<S, I, O>,
  history: readonly Operation<I, O>[],
  options: CheckOptions = {},
): CheckResult<I, O> {
  validateOperations(history);
  const resolved = resolveModel(model);
  const parts = splitPartitions(resolved, history);
  const verbose = options.verbose ?? false;
  const searches = parts.map((part) => new PartitionSearch(resolved, part.operations, verbose));
  const timedOut = runInterleaved(searches, verbose, options);
  const anyIllegal = searches.some((search) => search.status === 'illegal');
  const result: CheckVerdict = anyIllegal ? 'illegal' : timedOut ? 'unknown' : 'ok';
  return verbose ? { result, info: collectInfo(parts, searches) } : { result };
}

/** Like `checkOperations`, for a history of call/return events in real-time order. */
export function checkEvents<S, I, O>(
  model: Model<S, I, O>,
  events: readonly HistoryEvent<I, O>[],
  options: CheckOptions = {},
): CheckResult<I, O> {
  return checkOperations(model, eventsToOperations(events), options);
}

/**
 * Run the searches round-robin until all finish, one is illegal (unless verbose), or time or a part's
 * step budget runs out. Returns whether some part was left undecided.
 */
function runInterleaved<S, I, O>(
  searches: PartitionSearch<S, I, O>[],
  verbose: boolean,
  options: CheckOptions,
): boolean {
  const timeoutMs = options.timeoutMs ?? 0;
  const maxSteps = options.maxSteps ?? Infinity;
  let total = options.maxTotalSteps ?? Infinity;
  const now = options.clock ?? realNow;
  const deadline = timeoutMs > 0 ? now() + timeoutMs : Infinity;
  const used = new Map<PartitionSearch<S, I, O>, number>(searches.map((search) => [search, 0]));
  const undecided = (search: PartitionSearch<S, I, O>): boolean =>
    search.status === 'running' && (used.get(search) as number) < maxSteps;
  let active = searches.filter(undecided);
  while (active.length > 0) {
    for (const search of active) {
      const steps = Math.min(SLICE_STEPS, maxSteps - (used.get(search) as number), total);
      used.set(search, (used.get(search) as number) + steps);
      total -= steps;
      if (search.run(steps) === 'illegal' && !verbose) return false;
    }
    active = total > 0 ? active.filter(undecided) : [];
    if (active.length > 0 && timeoutMs > 0 && now() > deadline) return true;
  }
  return searches.some((search) => search.status === 'running');
}

function collectInfo<S, I, O>(
  parts: readonly Part<I, O>[],
  searches: readonly PartitionSearch<S, I, O>[],
): LinearizationInfo<I, O> {
  const partitions = parts.map((part, index): PartitionInfo<I, O> => {
    const search = searches[index];
    const { linearizations, longest } = search.partialLinearizations();
    const verdict = search.status === 'running' ? 'unknown' : search.status;
    return {
      label: part.label,
      verdict,
      operations: part.operations,
      originalIndex: part.originalIndex,
      linearizations,
      longest,
    };
  });
  return { partitions };
}
