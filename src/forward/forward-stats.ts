// Counters of the forwarder as plain numbers, published at scrape time under CoreDNS's names
// (plugin/forward/metrics.go); bumping a number costs nothing on the query path.

/** CoreDNS's plugin.TimeBuckets: prometheus.ExponentialBuckets(0.00025, 2, 16), in seconds. */
export const DURATION_BUCKETS: readonly number[] = Array.from({ length: 16 }, (_, i) => 0.00025 * 2 ** i);

/** A histogram as counts per bucket (not cumulative; the last slot is +Inf), with the sum and count. */
export interface DurationHistogram {
  /** counts[i]: observations ≤ DURATION_BUCKETS[i] and above the previous bound; counts[16]: above them all. */
  counts: number[];
  sumSeconds: number;
  count: number;
}

export interface ForwardStats {
  /** coredns_forward_requests_total{to} */
  requests: Record<string, number>;
  /** coredns_forward_responses_total{to,rcode}: to → rcode → count. */
  responses: Record<string, Record<number, number>>;
  /** coredns_forward_request_duration_seconds{to,rcode}: to → rcode → histogram. */
  durations: Record<string, Record<number, DurationHistogram>>;
  /** coredns_forward_healthcheck_failures_total{to} */
  healthcheckFailures: Record<string, number>;
  /** coredns_forward_max_concurrent_rejects_total */
  maxConcurrentRejects: number;
  /** Replies dropped because their source, id, question or class did not match the query (RFC 5452 9.1). */
  mismatchedReplies: number;
}

export function createForwardStats(): ForwardStats {
  return { requests: {}, responses: {}, durations: {}, healthcheckFailures: {}, maxConcurrentRejects: 0, mismatchedReplies: 0 };
}

export function countRequest(stats: ForwardStats, to: string): void {
  stats.requests[to] = (stats.requests[to] ?? 0) + 1;
}

export function countResponse(stats: ForwardStats, to: string, rcode: number, seconds: number): void {
  const byRcode = (stats.responses[to] ??= {});
  byRcode[rcode] = (byRcode[rcode] ?? 0) + 1;
  const histograms = (stats.durations[to] ??= {});
  const histogram = (histograms[rcode] ??= { counts: new Array<number>(DURATION_BUCKETS.length + 1).fill(0), sumSeconds: 0, count: 0 });
  let bucket = 0;
  while (bucket < DURATION_BUCKETS.length && seconds > DURATION_BUCKETS[bucket]) bucket++;
  histogram.counts[bucket]++;
  histogram.sumSeconds += seconds;
  histogram.count++;
}

export function countHealthcheckFailure(stats: ForwardStats, to: string): void {
  stats.healthcheckFailures[to] = (stats.healthcheckFailures[to] ?? 0) + 1;
}
