// Counters kept as plain numbers on the hot path; the metrics endpoint publishes them at scrape time
// (docs/architecture.md "Metrics"). Histograms are arrays of bucket counts (bucket-histogram.ts).
import { RRType } from '../wire/types.js';
import { SIZE_BUCKETS, TIME_BUCKETS, addHistogram, createHistogram, type BucketHistogram } from './bucket-histogram.js';

/** The query types CoreDNS counts by name (plugin/metrics/vars/monitor.go); every other type is "other". */
export const MONITORED_TYPES: ReadonlyArray<readonly [string, number]> = [
  ['A', RRType.A],
  ['AAAA', RRType.AAAA],
  ['CNAME', RRType.CNAME],
  ['DNSKEY', 48],
  ['DS', 43],
  ['MX', RRType.MX],
  ['NSEC3', 50],
  ['NSEC', 47],
  ['NS', RRType.NS],
  ['PTR', RRType.PTR],
  ['RRSIG', 46],
  ['SOA', RRType.SOA],
  ['SRV', RRType.SRV],
  ['TXT', RRType.TXT],
  ['HTTPS', 65],
  ['SVCB', 64],
  ['IXFR', RRType.IXFR],
  ['AXFR', RRType.AXFR],
  ['ANY', RRType.ANY],
];
/** The slot of "other" in a row of requestsByType. */
export const OTHER_TYPE_SLOT = MONITORED_TYPES.length;
/** qtype → slot for every qtype below 256 (all monitored ones are): an array read, not a Map lookup, per query. */
const TYPE_SLOTS = new Uint8Array(256).fill(OTHER_TYPE_SLOT);
MONITORED_TYPES.forEach(([, type], slot) => (TYPE_SLOTS[type] = slot));

/** qtype → its slot in a row of requestsByType. */
export function typeSlot(qtype: number): number {
  return qtype < 256 ? TYPE_SLOTS[qtype] : OTHER_TYPE_SLOT;
}

/** Index into requestsByType of a (transport, family, type slot) triple. */
export function requestSlot(tcp: boolean, ipv6: boolean, slot: number): number {
  return ((tcp ? 2 : 0) + (ipv6 ? 1 : 0)) * (OTHER_TYPE_SLOT + 1) + slot;
}

/** CoreDNS acl's counters: allowed, and by the zone label of the rule that decided. */
export interface AclCounters {
  allowed: number;
  blocked: Record<string, number>;
  filtered: Record<string, number>;
  dropped: Record<string, number>;
}

export interface ServerStats {
  requests: { udp: number; tcp: number };
  /** The part of `requests` from IPv6 clients (published as family="2"; the rest is family="1"). */
  ipv6Requests: { udp: number; tcp: number };
  /** coredns_dns_requests_total{proto,family,type}: requestSlot(...) → count. */
  requestsByType: number[];
  /** coredns_dns_do_requests_total: queries with the DNSSEC OK bit (RFC 3225). */
  doRequests: number;
  /** coredns_dns_request_duration_seconds: from the datagram or frame read to the reply handed to the socket. */
  durations: BucketHistogram;
  /** coredns_dns_request_size_bytes{proto} and coredns_dns_response_size_bytes{proto}. */
  requestSizes: { udp: BucketHistogram; tcp: BucketHistogram };
  responseSizes: { udp: BucketHistogram; tcp: BucketHistogram };
  /** rcode → replies sent with it. */
  responses: Record<number, number>;
  /** Queries dropped without a reply (unreadable header, QR=1). */
  dropped: number;
  /** Unexpected exceptions answered with SERVFAIL (published as coredns_panics_total). */
  panics: number;
  /** TCP connections accepted. */
  tcpConnections: number;
  /** TCP connections open now (published as a gauge; summed over multi-core workers). */
  tcpOpen: number;
  /** TCP connections the server closed, by reason (clusterdns_tcp_connections_closed_total{reason}). */
  tcpClosed: { idleTimeout: number; evicted: number; refused: number };
  /** Questions answered by walking the client's search path (published as coredns_autopath_success_total). */
  autopathSuccesses: number;
  /** Configuration reloads that failed (published as coredns_reload_failed_total); bumped by whoever reloads. */
  reloadFailures: number;
  /** coredns_acl_*_requests_total (src/acl/). */
  acl: AclCounters;
}

export function createServerStats(): ServerStats {
  return {
    requests: { udp: 0, tcp: 0 },
    ipv6Requests: { udp: 0, tcp: 0 },
    requestsByType: new Array<number>(4 * (OTHER_TYPE_SLOT + 1)).fill(0),
    doRequests: 0,
    durations: createHistogram(TIME_BUCKETS),
    requestSizes: { udp: createHistogram(SIZE_BUCKETS), tcp: createHistogram(SIZE_BUCKETS) },
    responseSizes: { udp: createHistogram(SIZE_BUCKETS), tcp: createHistogram(SIZE_BUCKETS) },
    responses: {},
    dropped: 0,
    panics: 0,
    tcpConnections: 0,
    tcpOpen: 0,
    tcpClosed: { idleTimeout: 0, evicted: 0, refused: 0 },
    autopathSuccesses: 0,
    reloadFailures: 0,
    acl: { allowed: 0, blocked: {}, filtered: {}, dropped: {} },
  };
}

/** Add `from` into `into` (the multi-core primary sums its workers' counters for /metrics). */
export function addServerStats(into: ServerStats, from: ServerStats): ServerStats {
  into.requests.udp += from.requests.udp;
  into.requests.tcp += from.requests.tcp;
  into.ipv6Requests.udp += from.ipv6Requests.udp;
  into.ipv6Requests.tcp += from.ipv6Requests.tcp;
  for (let i = 0; i < into.requestsByType.length; i++) into.requestsByType[i] += from.requestsByType?.[i] ?? 0;
  into.doRequests += from.doRequests ?? 0;
  if (from.durations) addHistogram(into.durations, from.durations);
  for (const proto of ['udp', 'tcp'] as const) {
    if (from.requestSizes) addHistogram(into.requestSizes[proto], from.requestSizes[proto]);
    if (from.responseSizes) addHistogram(into.responseSizes[proto], from.responseSizes[proto]);
  }
  for (const [rcode, count] of Object.entries(from.responses)) {
    const code = Number(rcode);
    into.responses[code] = (into.responses[code] ?? 0) + count;
  }
  into.dropped += from.dropped;
  into.panics += from.panics;
  into.tcpConnections += from.tcpConnections;
  into.tcpOpen += from.tcpOpen ?? 0;
  if (from.tcpClosed) for (const reason of ['idleTimeout', 'evicted', 'refused'] as const) into.tcpClosed[reason] += from.tcpClosed[reason];
  into.autopathSuccesses += from.autopathSuccesses ?? 0;
  into.reloadFailures += from.reloadFailures ?? 0;
  if (from.acl) {
    into.acl.allowed += from.acl.allowed;
    for (const kind of ['blocked', 'filtered', 'dropped'] as const) {
      for (const [zone, count] of Object.entries(from.acl[kind])) into.acl[kind][zone] = (into.acl[kind][zone] ?? 0) + count;
    }
  }
  return into;
}
