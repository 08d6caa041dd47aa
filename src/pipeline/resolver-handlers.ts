// The handlers around `kubernetes` that make one server answer every name a pod asks: `loop` first, then
// `file` (zone files) and `forward` (with `cache`) after it, as CoreDNS orders its plugins. Built from plain
// settings (they travel to multi-core workers as they are) and closed with the server.
import type { Logger } from 'pino';
import { createCacheStats, type CacheStats } from '../cache/cache-stats.js';
import { ResponseCache } from '../cache/response-cache.js';
import { createForwardStats, type ForwardStats } from '../forward/forward-stats.js';
import { ForwardRouter, type ForwardRoute } from '../forward/forward-router.js';
import { detectForwardingLoop, type LoopReport } from '../forward/loop-detection.js';
import { parseStubDomain, parseUpstreamAddress, type UpstreamAddress } from '../forward/upstream-address.js';
import { UpstreamPool, type UpstreamPolicy } from '../forward/upstream-pool.js';
import { loadZoneDirectory, type ZoneDirectory } from '../zonefile/zone-directory.js';
import { FileHandler } from './file-handler.js';
import { ForwardHandler } from './forward-handler.js';
import type { Handler } from './handler.js';
import { LoopHandler } from './loop-handler.js';

/** Forwarding of names outside the served zones (CoreDNS `forward`, `cache`, `loop`). */
export interface ForwardSettings {
  /** Upstream resolvers for every other name, `ADDR[:PORT]` (`[v6]:port`); none: those names stay REFUSED. */
  upstreams: string[];
  /** `DOMAIN=ADDR[:PORT][,ADDR...]`: names under DOMAIN go to those upstreams only; the longest domain wins. */
  stubDomains?: string[];
  /** CoreDNS `policy`; default random. */
  policy?: UpstreamPolicy;
  /** CoreDNS `max_concurrent`: questions in flight upstream, past which new ones get SERVFAIL; default 1000. */
  maxConcurrent?: number;
  /** CoreDNS `force_tcp`: every question goes upstream over TCP; default false (UDP, TCP when truncated). */
  forceTcp?: boolean;
  /** CoreDNS `expire`: a TCP connection to an upstream idle this long is closed, ms; default 10,000. */
  expireMs?: number;
  /** CoreDNS `except`: names at or under these domains are not forwarded (the handler skips them). */
  except?: string[];
  /** Per try, before the next upstream; default 2000. */
  timeoutMs?: number;
  /** CoreDNS `health_check`: how often a down upstream is probed; default 500. */
  healthCheckMs?: number;
  /** Cache entries (CoreDNS `cache`); 0 turns the cache off; default 10,000. */
  cacheSize?: number;
  /** Longest time an answer stays cached, seconds; default 30. */
  cacheTtl?: number;
  /** Longest time a denial (NXDOMAIN, NODATA) stays cached, seconds (CoreDNS `cache { denial N TTL }`); default cacheTtl. */
  cacheDenialTtl?: number;
  /** CoreDNS `cache { prefetch N }`: hits within an entry's life that get it refreshed before expiry; 0 turns prefetch off; default 10. */
  prefetchHits?: number;
  /** CoreDNS `prefetch N D P%`: refresh once at most P% of the entry's TTL is left; default 10. */
  prefetchPercent?: number;
  /** CoreDNS `prefetch N D`: hits further apart than D ms start the count over; default 60,000. */
  prefetchWindowMs?: number;
  /** CoreDNS `success N TTL MINTTL`: a success is cached at least this long, seconds; default 0. */
  cacheMinTtl?: number;
  /** CoreDNS `denial N TTL MINTTL`: a denial is cached at least this long, seconds; default 0. */
  cacheMinDenialTtl?: number;
  /** RFC 8767 serve-stale window, seconds; default 0 (off). */
  serveStale?: number;
  /** CoreDNS `loop`: probe the upstreams for a loop back to this server once listening; default true. */
  detectLoops?: boolean;
}

export interface ResolverHandlerSettings {
  /** A directory of zone files (`<origin>.db`) served authoritatively. */
  zoneDirectory?: string;
  forward?: ForwardSettings;
  logger: Logger;
}

export interface ResolverHandlers {
  /** Before autopath and kubernetes. */
  readonly before: Handler[];
  /** After kubernetes. */
  readonly after: Handler[];
  /** True when names outside the cluster index can be answered (CNAME chasing and autopath use the chain). */
  readonly answersOutside: boolean;
  readonly forwardStats: ForwardStats | null;
  readonly cacheStats: CacheStats | null;
  readonly cache: ResponseCache | null;
  readonly zones: ZoneDirectory | null;
  /** Probes every default upstream for a forwarding loop; null when there is nothing to probe. */
  detectLoop(): Promise<LoopReport> | null;
  close(): Promise<void>;
}

/** Parses the upstream settings (throws a ClusterDnsError naming the bad value): called before any socket opens. */
export function parseForwardRoutes(settings: ForwardSettings): Array<{ domain: string; upstreams: UpstreamAddress[] }> {
  const routes: Array<{ domain: string; upstreams: UpstreamAddress[] }> = [];
  if (settings.upstreams.length > 0) routes.push({ domain: '', upstreams: settings.upstreams.map((text) => parseUpstreamAddress(text, '--upstream')) });
  for (const spec of settings.stubDomains ?? []) {
    const stub = parseStubDomain(spec);
    const same = routes.find((route) => route.domain === stub.domain);
    if (same) same.upstreams.push(...stub.upstreams);
    else routes.push(stub);
  }
  return routes;
}

export async function createResolverHandlers(settings: ResolverHandlerSettings): Promise<ResolverHandlers> {
  const routes = settings.forward ? parseForwardRoutes(settings.forward) : [];
  const before: Handler[] = [];
  const after: Handler[] = [];
  let zones: ZoneDirectory | null = null;
  if (settings.zoneDirectory !== undefined) {
    zones = await loadZoneDirectory(settings.zoneDirectory, { logger: settings.logger.child({ component: 'zones' }) });
    after.push(new FileHandler({ zones }));
  }
  let pools: UpstreamPool[] = [];
  let forwardStats: ForwardStats | null = null;
  let cacheStats: CacheStats | null = null;
  let cache: ResponseCache | null = null;
  let loop: LoopHandler | null = null;
  let router: ForwardRouter | null = null;
  const forward = settings.forward;
  if (forward && routes.length > 0) {
    const stats = createForwardStats();
    forwardStats = stats;
    pools = routes.map(
      (route) =>
        new UpstreamPool({
          upstreams: route.upstreams,
          policy: forward.policy,
          maxConcurrent: forward.maxConcurrent,
          timeoutMs: forward.timeoutMs,
          healthCheckIntervalMs: forward.healthCheckMs,
          forceTcp: forward.forceTcp,
          expireMs: forward.expireMs,
          stats,
        }),
    );
    router = new ForwardRouter(routes.map((route, i): ForwardRoute => ({ domain: route.domain, pool: pools[i] })), forward.except);
    if ((forward.cacheSize ?? 10_000) > 0) {
      cacheStats = createCacheStats();
      cache = new ResponseCache({
        maxEntries: forward.cacheSize,
        maxTtl: forward.cacheTtl,
        maxDenialTtl: forward.cacheDenialTtl,
        prefetchHits: forward.prefetchHits,
        prefetchPercent: forward.prefetchPercent,
        prefetchWindowMs: forward.prefetchWindowMs,
        minTtl: forward.cacheMinTtl,
        minDenialTtl: forward.cacheMinDenialTtl,
        serveStaleMs: (forward.serveStale ?? 0) * 1000,
        stats: cacheStats,
      });
    }
    if (forward.detectLoops !== false && router.defaultPool !== null) {
      loop = new LoopHandler();
      before.push(loop);
    }
    after.push(new ForwardHandler({ router, cache }));
  }
  const loopHandler = loop;
  const defaultPool = router?.defaultPool ?? null;
  return {
    before,
    after,
    answersOutside: after.length > 0,
    forwardStats,
    cacheStats,
    cache,
    zones,
    detectLoop: () => (loopHandler !== null && defaultPool !== null ? detectForwardingLoop(defaultPool, loopHandler) : null),
    close: async () => {
      for (const pool of pools) pool.close();
      await zones?.close();
    },
  };
}
