// /metrics of a multi-core primary: the workers' counters summed at scrape time over IPC (with those of workers
// that have exited, so counters never go down), and gauges per worker. The process metrics are the primary's own.
import { Gauge, type Registry } from 'prom-client';
import { createCacheStats } from '../cache/cache-stats.js';
import { createForwardStats } from '../forward/forward-stats.js';
import { registerForwardMetrics } from '../http/forward-metrics.js';
import { addServerStats, createServerStats, type ServerStats } from '../server/server-stats.js';
import { addResolverCounters, createResolverCounters } from './resolver-counters.js';
import type { WorkerPool } from './worker-pool.js';

/** A scrape waits this long for the workers' counters, then uses the last ones they sent. */
const STATS_TIMEOUT_MS = 1000;

export interface SummedMetrics {
  /** The sum, refreshed in place by `collect` (the metrics registry reads this object on every scrape). */
  readonly stats: ServerStats;
  collect(): Promise<void>;
  /** Registers the per-worker gauges, and the forward and cache metrics when the workers forward. */
  register(registry: Registry, resolver: { forwarding: boolean; caching: boolean }): void;
}

export function summedMetrics(pool: WorkerPool): SummedMetrics {
  const stats = createServerStats();
  // Refreshed in place: the forward and cache collectors hold these objects.
  const resolver = createResolverCounters();
  const cacheStats = createCacheStats();
  const cache = { stats: cacheStats, countByKind: () => resolver.cacheEntries };
  return {
    stats,
    async collect() {
      await pool.collectStats(STATS_TIMEOUT_MS);
      const { reloadFailures } = stats; // the primary's own: the workers never reload
      Object.assign(stats, createServerStats(), { reloadFailures });
      addServerStats(stats, pool.retired);
      for (const slot of pool.slots) addServerStats(stats, slot.stats);
      Object.assign(resolver, createResolverCounters(), { forward: Object.assign(resolver.forward, createForwardStats()) });
      addResolverCounters(resolver, pool.retiredResolver, false);
      for (const slot of pool.slots) if (slot.resolver) addResolverCounters(resolver, slot.resolver, true);
      Object.assign(cacheStats, resolver.cache ?? createCacheStats());
    },
    register(registry, { forwarding, caching }) {
      const { slots } = pool;
      if (forwarding) registerForwardMetrics(registry, { forward: resolver.forward, cache: caching ? cache : null });
      new Gauge({
        name: 'clusterdns_workers',
        help: 'Worker processes (--workers), by state: running = bound its sockets, synced = applied the synced cluster state.',
        labelNames: ['state'],
        registers: [registry],
        collect() {
          this.set({ state: 'configured' }, slots.length);
          this.set({ state: 'running' }, slots.filter((slot) => slot.listening).length);
          this.set({ state: 'synced' }, slots.filter((slot) => slot.synced).length);
        },
      });
      // Per worker, to see how evenly the kernel (UDP) and the primary (TCP) spread the load, and which PID
      // serves each slot. A gauge, not a counter: a restarted worker starts again from 0.
      new Gauge({
        name: 'clusterdns_worker_requests',
        help: 'DNS requests received by the worker now running in each slot, since it started.',
        labelNames: ['worker', 'pid', 'proto'],
        registers: [registry],
        collect() {
          this.reset();
          for (const slot of slots) {
            const pid = slot.worker?.process.pid;
            if (pid === undefined) continue;
            this.set({ worker: String(slot.index), pid: String(pid), proto: 'udp' }, slot.stats.requests.udp);
            this.set({ worker: String(slot.index), pid: String(pid), proto: 'tcp' }, slot.stats.requests.tcp);
          }
        },
      });
    },
  };
}
