// Prometheus metrics under CoreDNS's names, so existing dashboards and alerts keep working. The hot path
// only bumps plain numbers (ServerStats); they are copied into the registry at scrape time (NOTES.md:
// prom-client's inc() costs ≈ 0.7 µs, about as much as answering a query).
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { ServerStats } from '../server/server-stats.js';

const RCODE_NAMES: Record<number, string> = { 0: 'NOERROR', 1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 4: 'NOTIMP', 5: 'REFUSED', 16: 'BADVERS' };

export interface MetricsSources {
  stats: ServerStats;
  synced: () => boolean;
  counts: () => { services: number; endpointSlices: number; pods: number; namespaces: number };
}

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

  // Counters only go up: publish the difference since the last scrape.
  const published = { udp: 0, tcp: 0, panics: 0, autopath: 0, rcodes: new Map<number, number>() };
  const scrape = async () => {
    const { stats } = sources;
    requests.inc({ server: 'dns://', zone: '.', proto: 'udp', family: '1' }, stats.requests.udp - published.udp);
    requests.inc({ server: 'dns://', zone: '.', proto: 'tcp', family: '1' }, stats.requests.tcp - published.tcp);
    published.udp = stats.requests.udp;
    published.tcp = stats.requests.tcp;
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
