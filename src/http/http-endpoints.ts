// The HTTP side of every way of serving (single process and multi-core primary): which of /health, /ready and
// /metrics to bind, what they answer from, and the 'http listening' log line.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { SLIM_TIME_BUCKETS, createHistogram } from '../server/bucket-histogram.js';
import { formatAddress, parseListen, type ListenAddress } from '../config/serve-options.js';
import { startHealthSelfCheck, type HealthSelfCheck } from './health-self-check.js';
import type { BuildInfo, MetricsSources } from './metrics.js';
import type { ExplainRoute } from './explain-route.js';
import { ProbeServer } from './probe-server.js';

export type HttpEndpoint = 'health' | 'ready' | 'metrics';

export interface HttpEndpointsOptions {
  /** Where to bind each endpoint (`HOST:PORT` or `{ host, port }`); undefined = off. */
  addresses: Partial<Record<HttpEndpoint, string | ListenAddress>>;
  healthy: () => boolean;
  /** Why the server is not ready (/ready's 503 body: not synced yet, shutting down), or null when it is. */
  unready: () => string | null;
  metrics: Omit<MetricsSources, 'health'>;
  /** GET /explain, served on the metrics listener (it reports on the server's data, as /metrics does); off unless given. */
  explain?: ExplainRoute;
  /** coredns_build_info's version and revision. */
  build?: BuildInfo;
  /** Runs before each scrape (the multi-core primary collects its workers' counters here). */
  beforeScrape?: () => Promise<void>;
  /** Registers metrics only this way of serving has. */
  extendMetrics?: (registry: Registry) => void;
  logger: Logger;
}

export interface HttpEndpoints {
  /** The bound address of each endpoint that was asked for. */
  readonly addresses: Partial<Record<HttpEndpoint, ListenAddress>>;
  close(): Promise<void>;
}

/** Bind the endpoints asked for; on a failure, closes what was bound and throws (SERVER_LISTEN). */
export async function startHttpEndpoints(options: HttpEndpointsOptions): Promise<HttpEndpoints> {
  const probes: ProbeServer[] = [];
  const addresses: Partial<Record<HttpEndpoint, ListenAddress>> = {};
  let selfCheck: HealthSelfCheck | undefined;
  const close = async () => {
    selfCheck?.stop();
    await Promise.all(probes.splice(0).map((probe) => probe.close()));
  };
  // The self-check's numbers exist before /health binds, so /metrics can publish them from its first scrape.
  const health = options.addresses.health !== undefined;
  let scrape: (() => Promise<{ contentType: string; body: string }>) | undefined;
  if (options.addresses.metrics !== undefined) {
    // prom-client, with its default metrics and OpenTelemetry's API, is a noticeable part of the start: loaded
    // only with /metrics.
    const { createMetrics } = await import('./metrics.js');
    const metrics = createMetrics({ ...options.metrics, ...(health ? { health: healthSource(() => selfCheck) } : {}) }, options.build);
    options.extendMetrics?.(metrics.registry);
    scrape = async () => {
      await options.beforeScrape?.();
      return metrics.scrape();
    };
  }
  const routes = { health: { health: options.healthy }, ready: { unready: options.unready }, metrics: { metrics: scrape, explain: options.explain } };
  try {
    for (const name of ['health', 'ready', 'metrics'] as const) {
      const where = options.addresses[name];
      if (where === undefined) continue;
      const probe = new ProbeServer(routes[name]);
      probes.push(probe);
      const bound = await probe.listen(typeof where === 'string' ? parseListen(where) : where);
      addresses[name] = bound;
      if (name === 'health') selfCheck = startHealthSelfCheck(bound);
      options.logger.info({ endpoint: `/${name}`, address: formatAddress(bound) }, 'http listening');
    }
  } catch (err) {
    await close();
    throw err;
  }
  return { addresses, close };
}

/** The self-check's histogram and failures, read through `current` (it starts once /health is bound). */
function healthSource(current: () => HealthSelfCheck | undefined): NonNullable<MetricsSources['health']> {
  const empty = { durations: createHistogram(SLIM_TIME_BUCKETS), failures: 0 };
  return {
    get durations() {
      return (current() ?? empty).durations;
    },
    get failures() {
      return (current() ?? empty).failures;
    },
  };
}
