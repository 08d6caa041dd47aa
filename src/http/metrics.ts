// Prometheus metrics under CoreDNS's names, labels and buckets (plugin/metrics/vars), so existing dashboards and
// alerts keep working. The hot path only bumps plain numbers and bucket arrays (ServerStats); they are read at
// scrape time, because a prom-client inc() per query costs about as much as answering it
// (docs/architecture.md "Metrics").
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { ReflectorStats } from '../kube-api/reflector.js';
import { PROGRAMMING_BUCKETS, SIZE_BUCKETS, SLIM_TIME_BUCKETS, TIME_BUCKETS, type BucketHistogram } from '../server/bucket-histogram.js';
import { MONITORED_TYPES, OTHER_TYPE_SLOT, type ServerStats } from '../server/server-stats.js';
import { collector, histogramSamples, registerCollectors, type Sample } from './scrape-collector.js';

const RCODE_NAMES: Record<number, string> = { 0: 'NOERROR', 1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 4: 'NOTIMP', 5: 'REFUSED', 16: 'BADVERS' };
/** CoreDNS's labels of a server block `.:53` with no view; one block is all the command line has (`servers` label each block). */
const SERVER = { server: 'dns://', zone: '.', view: '' };
const TYPE_NAMES = [...MONITORED_TYPES.map(([name]) => name), 'other'];

export interface MetricsSources {
  stats: ServerStats;
  /**
   * Several servers (a Corefile's server blocks on their listeners): each one's counters under its own `server`
   * label (`dns://:PORT`, as CoreDNS's); without it, `stats` is the one server `dns://`.
   */
  servers?: () => Array<{ server: string; stats: ServerStats }>;
  synced: () => boolean;
  counts: () => { services: number; endpointSlices: number; pods: number; namespaces: number };
  /** The Kubernetes reflectors' counters summed, when the API is the data source. */
  watch?: () => ReflectorStats;
  /** The /health self-check (coredns_health_request_duration_seconds), when /health is served. */
  health?: { durations: BucketHistogram; failures: number };
  /** coredns_kubernetes_dns_programming_duration_seconds{service_kind="headless_with_selector"}, when the API is the source. */
  programming?: () => BucketHistogram;
}

/** ReflectorStats field → the counter that publishes it (clusterdns_kubernetes_watch_<name>_total). */
const WATCH_COUNTERS: Record<keyof ReflectorStats, { name: string; help: string }> = {
  lists: { name: 'lists', help: 'Full lists completed (the first one and every relist).' },
  relists: { name: 'relists', help: 'Lists again after a 410 Gone (the watch fell too far behind).' },
  watches: { name: 'watches', help: 'Watch requests started.' },
  events: { name: 'events', help: 'Watch events received (ADDED, MODIFIED, DELETED).' },
  bookmarks: { name: 'bookmarks', help: 'Watch BOOKMARK events received.' },
  malformed: { name: 'malformed', help: 'Objects skipped because they could not be trimmed.' },
  handlerErrors: { name: 'handler_errors', help: 'Exceptions thrown by the store while applying changes.' },
  failures: { name: 'failures', help: 'Failed list or watch requests.' },
  watchdogRestarts: { name: 'watchdog_restarts', help: 'Watches restarted after a silent connection.' },
};

/** coredns_build_info's labels: CoreDNS's `goversion` carries the Node version here. */
export interface BuildInfo {
  version: string;
  revision: string;
}

/** A registry per server (the global one throws on a second registration, which bites tests). */
export function createMetrics(sources: MetricsSources, build: BuildInfo = { version: 'unknown', revision: '' }): { registry: Registry; scrape: () => Promise<{ contentType: string; body: string }> } {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const buildInfo = new Gauge({
    name: 'coredns_build_info',
    help: "A metric with a constant '1' value labeled by version, revision, and goversion from which CoreDNS was built.",
    labelNames: ['version', 'revision', 'goversion'],
    registers: [registry],
  });
  buildInfo.set({ version: build.version, revision: build.revision, goversion: process.version }, 1);
  registerCollectors(registry, dnsCollectors(sources));
  const synced = new Gauge({ name: 'clusterdns_synced', help: '1 once every data source finished its first full load.', registers: [registry] });
  const objects = new Gauge({ name: 'clusterdns_cluster_objects', help: 'Cluster objects held, by kind.', labelNames: ['kind'], registers: [registry] });

  const watch = sources.watch;
  const watchCounters = watch
    ? (Object.entries(WATCH_COUNTERS) as Array<[keyof ReflectorStats, { name: string; help: string }]>).map(
        ([field, { name, help }]) => [field, new Counter({ name: `clusterdns_kubernetes_watch_${name}_total`, help, registers: [registry] })] as const,
      )
    : [];
  // Counters only go up: publish the difference since the last scrape.
  const published = new Map<string, number>();
  const scrape = async () => {
    if (watch) {
      const now = watch();
      for (const [field, counter] of watchCounters) {
        counter.inc(now[field] - (published.get(field) ?? 0));
        published.set(field, now[field]);
      }
    }
    synced.set(sources.synced() ? 1 : 0);
    for (const [kind, count] of Object.entries(sources.counts())) objects.set({ kind }, count);
    return { contentType: registry.contentType, body: await registry.metrics() };
  };
  return { registry, scrape };
}

/** The coredns_dns_*, panics, autopath, reload, health and programming families, read from the plain counters. */
function dnsCollectors(sources: MetricsSources) {
  const servers = (): Array<{ labels: typeof SERVER; stats: ServerStats }> =>
    sources.servers ? sources.servers().map(({ server, stats }) => ({ labels: { ...SERVER, server }, stats })) : [{ labels: SERVER, stats: sources.stats }];
  const each = (samples: (stats: ServerStats, labels: typeof SERVER) => Sample[]) => () => servers().flatMap(({ stats, labels }) => samples(stats, labels));
  const sum = (count: (stats: ServerStats) => number) => servers().reduce((acc, { stats }) => acc + count(stats), 0);
  const total = (count: (stats: ServerStats) => number) => () => [{ labels: {}, value: sum(count) }];
  const collectors = [
    collector('coredns_dns_requests_total', 'Counter of DNS requests made per zone, protocol and family.', 'counter', each(requestSamples)),
    collector('coredns_dns_request_duration_seconds', 'Histogram of the time (in seconds) each request took per zone.', 'histogram', each((stats, labels) =>
      histogramSamples('coredns_dns_request_duration_seconds', TIME_BUCKETS, stats.durations, labels),
    )),
    collector('coredns_dns_request_size_bytes', 'Size of the EDNS0 UDP buffer in bytes (64K for TCP) per zone and protocol.', 'histogram', each((stats, labels) =>
      perProto(stats.requestSizes, 'coredns_dns_request_size_bytes', labels),
    )),
    collector('coredns_dns_response_size_bytes', 'Size of the returned response in bytes.', 'histogram', each((stats, labels) => perProto(stats.responseSizes, 'coredns_dns_response_size_bytes', labels))),
    collector('coredns_dns_do_requests_total', 'Counter of DNS requests with DO bit set per zone.', 'counter', each((stats, labels) => [{ labels, value: stats.doRequests }])),
    collector('coredns_dns_responses_total', 'Counter of response status codes.', 'counter', each((stats, labels) =>
      Object.entries(stats.responses).map(([rcode, value]) => ({ labels: { ...labels, rcode: RCODE_NAMES[Number(rcode)] ?? rcode, plugin: '' }, value })),
    )),
    collector('coredns_panics_total', 'A metrics that counts the number of panics.', 'counter', total((stats) => stats.panics)),
    collector('coredns_autopath_success_total', 'Counter of requests that did autopath.', 'counter', each((stats, labels) => [{ labels: { server: labels.server }, value: stats.autopathSuccesses }])),
    collector('coredns_reload_failed_total', 'Counter of the number of failed reload attempts.', 'counter', total((stats) => stats.reloadFailures)),
    // CoreDNS acl's families and labels (plugin/acl/metrics.go); series appear once something is counted.
    collector('coredns_acl_blocked_requests_total', 'Counter of DNS requests being blocked.', 'counter', each((stats, labels) => aclSamples(stats.acl.blocked, labels))),
    collector('coredns_acl_filtered_requests_total', 'Counter of DNS requests being filtered.', 'counter', each((stats, labels) => aclSamples(stats.acl.filtered, labels))),
    collector('coredns_acl_dropped_requests_total', 'Counter of DNS requests being dropped.', 'counter', each((stats, labels) => aclSamples(stats.acl.dropped, labels))),
    collector('coredns_acl_allowed_requests_total', 'Counter of DNS requests being allowed.', 'counter', each((stats, labels) =>
      stats.acl.allowed === 0 ? [] : [{ labels: { server: labels.server, view: labels.view }, value: stats.acl.allowed }],
    )),
    collector('clusterdns_tcp_connections_open', 'TCP connections open now (RFC 7766).', 'gauge', total((stats) => stats.tcpOpen)),
    collector('clusterdns_tcp_connections_closed_total', 'TCP connections the server closed: idle_timeout, evicted (the longest idle, at --tcp-max-conns), refused (at the cap with every connection busy).', 'counter', () => [
      { labels: { reason: 'idle_timeout' }, value: sum((stats) => stats.tcpClosed.idleTimeout) },
      { labels: { reason: 'evicted' }, value: sum((stats) => stats.tcpClosed.evicted) },
      { labels: { reason: 'refused' }, value: sum((stats) => stats.tcpClosed.refused) },
    ]),
  ];
  const { health, programming } = sources;
  if (health) {
    collectors.push(
      collector('coredns_health_request_duration_seconds', 'Histogram of the time (in seconds) each request took.', 'histogram', () =>
        histogramSamples('coredns_health_request_duration_seconds', SLIM_TIME_BUCKETS, health.durations, {}),
      ),
      collector('coredns_health_request_failures_total', 'The number of times the health check failed.', 'counter', () => [{ labels: {}, value: health.failures }]),
    );
  }
  if (programming) {
    collectors.push(
      collector('coredns_kubernetes_dns_programming_duration_seconds', 'Histogram of the time (in seconds) it took to program a dns instance.', 'histogram', () =>
        histogramSamples('coredns_kubernetes_dns_programming_duration_seconds', PROGRAMMING_BUCKETS, programming(), { service_kind: 'headless_with_selector' }),
      ),
    );
  }
  return collectors;
}

function aclSamples(byZone: Record<string, number>, labels: typeof SERVER): Sample[] {
  return Object.entries(byZone).map(([zone, value]) => ({ labels: { server: labels.server, zone, view: labels.view }, value }));
}

/** requests_total{proto,family,type}: the series that have counted something (CoreDNS creates them on first use). */
function requestSamples(stats: ServerStats, labels: typeof SERVER): Sample[] {
  const samples: Sample[] = [];
  const row = OTHER_TYPE_SLOT + 1;
  for (let i = 0; i < stats.requestsByType.length; i++) {
    const value = stats.requestsByType[i];
    if (value === 0) continue;
    const group = Math.floor(i / row);
    // family is CoreDNS's: "1" IPv4, "2" IPv6 (plugin/metrics/vars/report.go).
    samples.push({ labels: { ...labels, proto: group >= 2 ? 'tcp' : 'udp', family: group % 2 === 1 ? '2' : '1', type: TYPE_NAMES[i % row] }, value });
  }
  return samples;
}

function perProto(histograms: { udp: BucketHistogram; tcp: BucketHistogram }, name: string, labels: typeof SERVER): Sample[] {
  return (['udp', 'tcp'] as const).filter((proto) => histograms[proto].counts.some((count) => count > 0)).flatMap((proto) => histogramSamples(name, SIZE_BUCKETS, histograms[proto], { ...labels, proto }));
}
