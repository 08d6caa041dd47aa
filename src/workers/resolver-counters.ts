// The forwarder's and the cache's counters of one worker, as sent to the multi-core primary with its
// ServerStats, and their sum over the workers, which the primary publishes under CoreDNS's forward and cache
// names exactly as a single process does.
import { createCacheStats, type CacheStats } from '../cache/cache-stats.js';
import { DURATION_BUCKETS, createForwardStats, type ForwardStats } from '../forward/forward-stats.js';

export interface ResolverCounters {
  forward: ForwardStats;
  cache: CacheStats | null;
  /** coredns_cache_entries at the time of the report. */
  cacheEntries: { success: number; denial: number };
}

export function createResolverCounters(): ResolverCounters {
  return { forward: createForwardStats(), cache: null, cacheEntries: { success: 0, denial: 0 } };
}

/** Add `from` into `into`; entries are a gauge, so only the live workers' are added (`withEntries`). */
export function addResolverCounters(into: ResolverCounters, from: ResolverCounters, withEntries: boolean): ResolverCounters {
  const f = from.forward;
  const t = into.forward;
  for (const [to, count] of Object.entries(f.requests)) t.requests[to] = (t.requests[to] ?? 0) + count;
  for (const [to, count] of Object.entries(f.healthcheckFailures)) t.healthcheckFailures[to] = (t.healthcheckFailures[to] ?? 0) + count;
  for (const [to, byRcode] of Object.entries(f.responses)) {
    const sum = (t.responses[to] ??= {});
    for (const [rcode, count] of Object.entries(byRcode)) sum[Number(rcode)] = (sum[Number(rcode)] ?? 0) + count;
  }
  for (const [to, byRcode] of Object.entries(f.durations)) {
    const sums = (t.durations[to] ??= {});
    for (const [rcode, histogram] of Object.entries(byRcode)) {
      const sum = (sums[Number(rcode)] ??= { counts: new Array<number>(DURATION_BUCKETS.length + 1).fill(0), sumSeconds: 0, count: 0 });
      for (let i = 0; i < sum.counts.length; i++) sum.counts[i] += histogram.counts[i] ?? 0;
      sum.sumSeconds += histogram.sumSeconds;
      sum.count += histogram.count;
    }
  }
  t.maxConcurrentRejects += f.maxConcurrentRejects;
  t.mismatchedReplies += f.mismatchedReplies;
  if (from.cache !== null) {
    const cache = (into.cache ??= createCacheStats());
    for (const key of Object.keys(cache) as Array<keyof CacheStats>) cache[key] += from.cache[key];
  }
  if (withEntries) {
    into.cacheEntries.success += from.cacheEntries.success;
    into.cacheEntries.denial += from.cacheEntries.denial;
  }
  return into;
}
