// Counters kept as plain numbers on the hot path; the metrics endpoint publishes them at scrape time
// (docs/architecture.md "Metrics").
export interface ServerStats {
  requests: { udp: number; tcp: number };
  /** The part of `requests` from IPv6 clients (published as family="2"; the rest is family="1"). */
  ipv6Requests: { udp: number; tcp: number };
  /** rcode → replies sent with it. */
  responses: Record<number, number>;
  /** Queries dropped without a reply (unreadable header, QR=1). */
  dropped: number;
  /** Unexpected exceptions answered with SERVFAIL (published as coredns_panics_total). */
  panics: number;
  tcpConnections: number;
  /** Questions answered by walking the client's search path (published as coredns_autopath_success_total). */
  autopathSuccesses: number;
}

export function createServerStats(): ServerStats {
  return { requests: { udp: 0, tcp: 0 }, ipv6Requests: { udp: 0, tcp: 0 }, responses: {}, dropped: 0, panics: 0, tcpConnections: 0, autopathSuccesses: 0 };
}

/** Add `from` into `into` (the multi-core primary sums its workers' counters for /metrics). */
export function addServerStats(into: ServerStats, from: ServerStats): ServerStats {
  into.requests.udp += from.requests.udp;
  into.requests.tcp += from.requests.tcp;
  into.ipv6Requests.udp += from.ipv6Requests.udp;
  into.ipv6Requests.tcp += from.ipv6Requests.tcp;
  for (const [rcode, count] of Object.entries(from.responses)) {
    const code = Number(rcode);
    into.responses[code] = (into.responses[code] ?? 0) + count;
  }
  into.dropped += from.dropped;
  into.panics += from.panics;
  into.tcpConnections += from.tcpConnections;
  into.autopathSuccesses += from.autopathSuccesses ?? 0;
  return into;
}
