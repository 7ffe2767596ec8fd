/**
 * Latency and throughput of a check run: percentiles over the whole run, and per one-second bucket
 * (by the time an operation returned) for the chart.
 */
import type { KvOperation } from './workload';

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface Buckets {
  /** Bucket start, in seconds since the run's origin. */
  t: number[];
  /** Operations completed in the bucket, per second. */
  throughput: number[];
  /** Latency percentiles of the operations completed in the bucket, ms (null: none completed). */
  p50: (number | null)[];
  p99: (number | null)[];
}

/** The q-quantile (0..1) of sorted values, nearest rank. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export function summarize(latencies: readonly number[]): LatencySummary {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: quantile(sorted, 0.5),
    p90: quantile(sorted, 0.9),
    p99: quantile(sorted, 0.99),
    max: sorted.length > 0 ? sorted[sorted.length - 1] : NaN,
  };
}

export function latency(op: KvOperation): number {
  return op.return - op.call;
}

/** One bucket per `bucketMs` from 0 to `endMs`. */
export function bucketize(ops: readonly KvOperation[], endMs: number, bucketMs = 1000): Buckets {
  const n = Math.max(1, Math.ceil(endMs / bucketMs));
  const lat: number[][] = Array.from({ length: n }, () => []);
  for (const op of ops) {
    const b = Math.floor(op.return / bucketMs);
    if (b >= 0 && b < n) lat[b].push(latency(op));
  }
  const sorted = lat.map((l) => l.sort((a, b) => a - b));
  return {
    t: sorted.map((_, b) => (b * bucketMs) / 1000),
    throughput: sorted.map((l) => l.length / (bucketMs / 1000)),
    p50: sorted.map((l) => (l.length > 0 ? quantile(l, 0.5) : null)),
    p99: sorted.map((l) => (l.length > 0 ? quantile(l, 0.99) : null)),
  };
}
