// A Prometheus histogram kept as plain numbers: one slot per bucket (not cumulative; the last is +Inf) and the
// sum. Observing is a short scan and one increment, with no allocation, so the query path can afford it; the
// metrics endpoint makes the buckets cumulative at scrape time.

export interface BucketHistogram {
  /** counts[i]: observations ≤ bounds[i] and above bounds[i - 1]; counts[bounds.length]: above them all. */
  counts: number[];
  sum: number;
}

/** CoreDNS's plugin.TimeBuckets, prometheus.ExponentialBuckets(0.00025, 2, 16): 0.25 ms to 8 s. */
export const TIME_BUCKETS: readonly number[] = Array.from({ length: 16 }, (_, i) => 0.00025 * 2 ** i);
/** CoreDNS's plugin.SlimTimeBuckets, prometheus.ExponentialBuckets(0.00025, 10, 5) (the health self-check). */
export const SLIM_TIME_BUCKETS: readonly number[] = Array.from({ length: 5 }, (_, i) => 0.00025 * 10 ** i);
/** CoreDNS's request and response size buckets (plugin/metrics/vars), in bytes. */
export const SIZE_BUCKETS: readonly number[] = [0, 100, 200, 300, 400, 511, 1023, 2047, 4095, 8291, 16e3, 32e3, 48e3, 64e3];
/** CoreDNS's DNS programming latency buckets, prometheus.ExponentialBuckets(0.001, 2, 20): 1 ms to ~17 min. */
export const PROGRAMMING_BUCKETS: readonly number[] = Array.from({ length: 20 }, (_, i) => 0.001 * 2 ** i);

export function createHistogram(bounds: readonly number[]): BucketHistogram {
  return { counts: new Array<number>(bounds.length + 1).fill(0), sum: 0 };
}

export function observe(histogram: BucketHistogram, bounds: readonly number[], value: number): void {
  let slot = 0;
  while (slot < bounds.length && value > bounds[slot]) slot++;
  histogram.counts[slot]++;
  histogram.sum += value;
}

/** Add `from` into `into` (the multi-core primary sums its workers'). */
export function addHistogram(into: BucketHistogram, from: BucketHistogram): void {
  for (let i = 0; i < into.counts.length; i++) into.counts[i] += from.counts[i] ?? 0;
  into.sum += from.sum;
}
