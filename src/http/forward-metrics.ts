// The forward and cache metrics under CoreDNS's names (plugin/forward/metrics.go, plugin/cache/metrics.go),
// read from the plain counters at scrape time: nothing is counted twice and the query path never touches
// prom-client. Each metric is a small collector object the registry asks for its current values.
import type { Registry } from 'prom-client';
import type { CacheStats } from '../cache/cache-stats.js';
import { DURATION_BUCKETS, type ForwardStats } from '../forward/forward-stats.js';
import { collector, registerCollectors, type Sample } from './scrape-collector.js';

export interface ForwardMetricsSources {
  forward: ForwardStats;
  /** The response cache (a ResponseCache, or the multi-core primary's sum of its workers'). */
  cache?: { readonly stats: CacheStats; countByKind(): { success: number; denial: number } } | null;
}

const RCODE_NAMES: Record<number, string> = { 0: 'NOERROR', 1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 4: 'NOTIMP', 5: 'REFUSED', 16: 'BADVERS' };
const rcodeName = (rcode: number) => RCODE_NAMES[rcode] ?? String(rcode);
const SERVER = 'dns://';

/** Registers the forward and cache metrics on `registry`; their values are read from `sources` at every scrape. */
export function registerForwardMetrics(registry: Registry, sources: ForwardMetricsSources): void {
  const { forward, cache } = sources;
  const perUpstream = (counts: Record<string, number>) => Object.entries(counts).map(([to, value]) => ({ labels: { to }, value }));
  const metrics = [
    collector('coredns_forward_requests_total', 'Counter of requests made per upstream.', 'counter', () => perUpstream(forward.requests)),
    collector('coredns_forward_responses_total', 'Counter of responses received per upstream.', 'counter', () =>
      Object.entries(forward.responses).flatMap(([to, byRcode]) =>
        Object.entries(byRcode).map(([rcode, value]) => ({ labels: { to, rcode: rcodeName(Number(rcode)) }, value })),
      ),
    ),
    collector('coredns_forward_request_duration_seconds', 'Histogram of the time each request took.', 'histogram', () =>
      Object.entries(forward.durations).flatMap(([to, byRcode]) =>
        Object.entries(byRcode).flatMap(([rcode, histogram]) => {
          const labels = { to, rcode: rcodeName(Number(rcode)) };
          const samples: Sample[] = [];
          let cumulative = 0;
          for (let i = 0; i <= DURATION_BUCKETS.length; i++) {
            cumulative += histogram.counts[i];
            const le = i < DURATION_BUCKETS.length ? String(DURATION_BUCKETS[i]) : '+Inf';
            samples.push({ metricName: 'coredns_forward_request_duration_seconds_bucket', labels: { ...labels, le }, value: cumulative });
          }
          samples.push({ metricName: 'coredns_forward_request_duration_seconds_sum', labels, value: histogram.sumSeconds });
          samples.push({ metricName: 'coredns_forward_request_duration_seconds_count', labels, value: histogram.count });
          return samples;
        }),
      ),
    ),
    collector('coredns_forward_healthcheck_failures_total', 'Counter of the number of failed healthchecks.', 'counter', () => perUpstream(forward.healthcheckFailures)),
    collector('coredns_forward_max_concurrent_rejects_total', 'Counter of the number of queries rejected because the concurrent queries were at maximum.', 'counter', () => [
      { labels: {}, value: forward.maxConcurrentRejects },
    ]),
    collector('clusterdns_forward_mismatched_replies_total', 'Upstream replies dropped because their source, id, question or class did not match the query (RFC 5452).', 'counter', () => [
      { labels: {}, value: forward.mismatchedReplies },
    ]),
  ];
  if (cache) {
    const stats = cache.stats;
    metrics.push(
      collector('coredns_cache_entries', 'The number of elements in the cache.', 'gauge', () => {
        const kinds = cache.countByKind();
        return [
          { labels: { server: SERVER, type: 'success' }, value: kinds.success },
          { labels: { server: SERVER, type: 'denial' }, value: kinds.denial },
        ];
      }),
      collector('coredns_cache_hits_total', 'The count of cache hits.', 'counter', () => [
        { labels: { server: SERVER, type: 'success' }, value: stats.successHits },
        { labels: { server: SERVER, type: 'denial' }, value: stats.denialHits },
      ]),
      collector('coredns_cache_misses_total', 'The count of cache misses.', 'counter', () => [{ labels: { server: SERVER }, value: stats.misses }]),
      collector('coredns_cache_prefetch_total', 'The number of times the cache has prefetched a cached item.', 'counter', () => [{ labels: { server: SERVER }, value: stats.prefetches }]),
      collector('coredns_cache_served_stale_total', 'The number of requests served from stale cache entries.', 'counter', () => [{ labels: { server: SERVER }, value: stats.servedStale }]),
    );
  }
  registerCollectors(registry, metrics);
}
