// Prometheus metrics under CoreDNS's names, so existing dashboards and alerts keep working. The hot path
// only bumps plain numbers (ServerStats); they are copied into the registry at scrape time, because a
// prom-client inc() per query costs about as much as answering it (docs/architecture.md "Metrics").
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { ReflectorStats } from '../kube-api/reflector.js';
import type { ServerStats } from '../server/server-stats.js';

const RCODE_NAMES: Record<number, string> = { 0: 'NOERROR', 1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 4: 'NOTIMP', 5: 'REFUSED', 16: 'BADVERS' };

export interface MetricsSources {
  stats: ServerStats;
  synced: () => boolean;
  counts: () => { services: number; endpointSlices: number; pods: number; namespaces: number };
  /** The Kubernetes reflectors' counters summed, when the API is the data source. */
  watch?: () => ReflectorStats;
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

/** A registry per server (the global one throws on a second registration, which bites tests). */
export function createMetrics(sources: MetricsSources): { registry: Registry; scrape: () => Promise<{ contentType: string; body: string }> } {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({ name: 'coredns_dns_requests_total', help: 'Counter of DNS requests made per protocol.', labelNames: ['server', 'zone', 'proto', 'family'], registers: [registry] });
  const responses = new Counter({ name: 'coredns_dns_responses_total', help: 'Counter of response status codes.', labelNames: ['server', 'zone', 'rcode', 'plugin'], registers: [registry] });
  const panics = new Counter({ name: 'coredns_panics_total', help: 'A metrics that counts the number of panics.', registers: [registry] });
  const autopath = new Counter({ name: 'coredns_autopath_success_total', help: 'Counter of requests that did autopath.', labelNames: ['server'], registers: [registry] });
  const synced = new Gauge({ name: 'clusterdns_synced', help: '1 once every data source finished its first full load.', registers: [registry] });
  const objects = new Gauge({ name: 'clusterdns_cluster_objects', help: 'Cluster objects held, by kind.', labelNames: ['kind'], registers: [registry] });

  const watch = sources.watch;
  const watchCounters = watch
    ? (Object.entries(WATCH_COUNTERS) as Array<[keyof ReflectorStats, { name: string; help: string }]>).map(
        ([field, { name, help }]) => [field, new Counter({ name: `clusterdns_kubernetes_watch_${name}_total`, help, registers: [registry] })] as const,
      )
    : [];

  // Counters only go up: publish the difference since the last scrape.
  const published = { udp: 0, tcp: 0, udp6: 0, tcp6: 0, panics: 0, autopath: 0, rcodes: new Map<number, number>(), watch: new Map<string, number>() };
  const scrape = async () => {
    const { stats } = sources;
    // family is CoreDNS's: "1" IPv4, "2" IPv6 (plugin/metrics/vars).
    const { udp: udp6, tcp: tcp6 } = stats.ipv6Requests;
    requests.inc({ server: 'dns://', zone: '.', proto: 'udp', family: '1' }, stats.requests.udp - udp6 - (published.udp - published.udp6));
    requests.inc({ server: 'dns://', zone: '.', proto: 'tcp', family: '1' }, stats.requests.tcp - tcp6 - (published.tcp - published.tcp6));
    // The IPv6 series appear with the first IPv6 client (most clusters have none).
    if (udp6 > published.udp6) requests.inc({ server: 'dns://', zone: '.', proto: 'udp', family: '2' }, udp6 - published.udp6);
    if (tcp6 > published.tcp6) requests.inc({ server: 'dns://', zone: '.', proto: 'tcp', family: '2' }, tcp6 - published.tcp6);
    published.udp = stats.requests.udp;
    published.tcp = stats.requests.tcp;
    published.udp6 = udp6;
    published.tcp6 = tcp6;
    if (watch) {
      const now = watch();
      for (const [field, counter] of watchCounters) {
        counter.inc(now[field] - (published.watch.get(field) ?? 0));
        published.watch.set(field, now[field]);
      }
    }
    panics.inc(stats.panics - published.panics);
    published.panics = stats.panics;
    autopath.inc({ server: 'dns://' }, stats.autopathSuccesses - published.autopath);
    published.autopath = stats.autopathSuccesses;
    for (const [rcode, count] of Object.entries(stats.responses)) {
      const code = Number(rcode);
      const delta = count - (published.rcodes.get(code) ?? 0);
      if (delta > 0) responses.inc({ server: 'dns://', zone: '.', rcode: RCODE_NAMES[code] ?? String(code), plugin: '' }, delta);
      published.rcodes.set(code, count);
    }
    synced.set(sources.synced() ? 1 : 0);
    for (const [kind, count] of Object.entries(sources.counts())) objects.set({ kind }, count);
    return { contentType: registry.contentType, body: await registry.metrics() };
  };
  return { registry, scrape };
}
