// The forward and cache metrics under CoreDNS's names (plugin/forward/metrics.go, plugin/cache/metrics.go),
// read from the plain counters at scrape time: nothing is counted twice and the query path never touches
// prom-client. Each metric is a small collector object the registry asks for its current values.
import type { Registry } from 'prom-client';
import type { CacheStats } from '../cache/cache-stats.js';
import { DURATION_BUCKETS, type ForwardStats } from '../forward/forward-stats.js';
import { collector, registerCollectors, type Sample } from './scrape-collector.js';
import { addResolverCounters, createResolverCounters } from '../workers/resolver-counters.js';

export interface ForwardMetricsSources {
  forward: ForwardStats;
  /** The response cache (a ResponseCache, or the multi-core primary's sum of its workers'). */
  cache?: { readonly stats: CacheStats; countByKind(): { success: number; denial: number } } | null;
  /** The cache metrics' `server` label; default `dns://` (the one server of the command line). */
  server?: string;
}

const RCODE_NAMES: Record<number, string> = { 0: 'NOERROR', 1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 4: 'NOTIMP', 5: 'REFUSED', 16: 'BADVERS' };
const rcodeName = (rcode: number) => RCODE_NAMES[rcode] ?? String(rcode);
const SERVER = 'dns://';

/**
 * Registers the forward and cache metrics on `registry`; their values are read from `sources` at every scrape.
 * Several sources (a Corefile's server blocks) add up per upstream; each cache keeps its `server` label.
 */
export function registerForwardMetrics(registry: Registry, sources: ForwardMetricsSources | ForwardMetricsSources[]): void {
  const list = Array.isArray(sources) ? sources : [sources];
  if (list.length === 0) return;
  const forwardNow = list.length === 1 ? () => list[0].forward : () => summedForwardStats(list.map((source) => source.forward));
  registerCacheMetrics(registry, list);
  const perUpstream = (counts: Record<string, number>) => Object.entries(counts).map(([to, value]) => ({ labels: { to }, value }));
  const metrics = [
    collector('coredns_forward_requests_total', 'Counter of requests made per upstream.', 'counter', () => perUpstream(forwardNow().requests)),
    collector('coredns_forward_responses_total', 'Counter of responses received per upstream.', 'counter', () =>
      Object.entries(forwardNow().responses).flatMap(([to, byRcode]) =>
        Object.entries(byRcode).map(([rcode, value]) => ({ labels: { to, rcode: rcodeName(Number(rcode)) }, value })),
      ),
    ),
    collector('coredns_forward_request_duration_seconds', 'Histogram of the time each request took.', 'histogram', () =>
      Object.entries(forwardNow().durations).flatMap(([to, byRcode]) =>
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
    collector('coredns_forward_healthcheck_failures_total', 'Counter of the number of failed healthchecks.', 'counter', () => perUpstream(forwardNow().healthcheckFailures)),
    collector('coredns_forward_max_concurrent_rejects_total', 'Counter of the number of queries rejected because the concurrent queries were at maximum.', 'counter', () => [
      { labels: {}, value: forwardNow().maxConcurrentRejects },
    ]),
    collector('clusterdns_forward_mismatched_replies_total', 'Upstream replies dropped because their source, id, question or class did not match the query (RFC 5452).', 'counter', () => [
      { labels: {}, value: forwardNow().mismatchedReplies },
    ]),
  ];
  registerCollectors(registry, metrics);
}

function registerCacheMetrics(registry: Registry, sources: ForwardMetricsSources[]): void {
  const caches = sources.flatMap(({ cache, server }) => (cache ? [{ cache, server: server ?? SERVER }] : []));
  if (caches.length === 0) return;
  const each = (samples: (cache: NonNullable<ForwardMetricsSources['cache']>, server: string) => Sample[]) => () => caches.flatMap(({ cache, server }) => samples(cache, server));
  registerCollectors(registry, [
    collector('coredns_cache_entries', 'The number of elements in the cache.', 'gauge', each((cache, server) => {
      const kinds = cache.countByKind();
      return [
        { labels: { server, type: 'success' }, value: kinds.success },
        { labels: { server, type: 'denial' }, value: kinds.denial },
      ];
    })),
    collector('coredns_cache_hits_total', 'The count of cache hits.', 'counter', each(({ stats }, server) => [
      { labels: { server, type: 'success' }, value: stats.successHits },
      { labels: { server, type: 'denial' }, value: stats.denialHits },
    ])),
    collector('coredns_cache_misses_total', 'The count of cache misses.', 'counter', each(({ stats }, server) => [{ labels: { server }, value: stats.misses }])),
    collector('coredns_cache_prefetch_total', 'The number of times the cache has prefetched a cached item.', 'counter', each(({ stats }, server) => [{ labels: { server }, value: stats.prefetches }])),
    collector('coredns_cache_served_stale_total', 'The number of requests served from stale cache entries.', 'counter', each(({ stats }, server) => [{ labels: { server }, value: stats.servedStale }])),
  ]);
}

function summedForwardStats(all: ForwardStats[]): ForwardStats {
  const sum = createResolverCounters();
  for (const forward of all) addResolverCounters(sum, { forward, cache: null, cacheEntries: { success: 0, denial: 0 } }, false);
  return sum.forward;
}
