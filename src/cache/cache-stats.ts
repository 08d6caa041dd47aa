// Counters of the response cache as plain numbers, published at scrape time under CoreDNS's names
// (plugin/cache/metrics.go); coredns_cache_entries is read from the cache itself.
export interface CacheStats {
  /** coredns_cache_hits_total{type="success"} */
  successHits: number;
  /** coredns_cache_hits_total{type="denial"}: NXDOMAIN, NODATA and SERVFAIL entries (CoreDNS's ncache). */
  denialHits: number;
  /** coredns_cache_misses_total */
  misses: number;
  /** coredns_cache_prefetch_total */
  prefetches: number;
  /** coredns_cache_served_stale_total */
  servedStale: number;
}

export function createCacheStats(): CacheStats {
  return { successHits: 0, denialHits: 0, misses: 0, prefetches: 0, servedStale: 0 };
}
