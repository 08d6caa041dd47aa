// /metrics counts requests per address family as CoreDNS does (family "1" IPv4, "2" IPv6), from the counters
// the query path keeps: the QueryProcessor tells clients apart by their address, the scrape publishes both.
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../../src/http/metrics.js';
import { silentLogger } from '../../../src/log/logger.js';
import type { Handler } from '../../../src/pipeline/handler.js';
import { QueryProcessor } from '../../../src/server/query-processor.js';
import { createServerStats } from '../../../src/server/server-stats.js';
import { RRType } from '../../../src/wire/types.js';
import { queryBytes } from '../../helpers/raw-query.js';

const skipAll: Handler = { name: 'skip', handle: () => ({ kind: 'skip' }) };
const counts = () => ({ services: 0, endpointSlices: 0, pods: 0, namespaces: 0 });

describe('coredns_dns_requests_total family', () => {
  it('counts IPv6 clients as family 2 and IPv4 (also IPv4-mapped) as family 1', async () => {
    const stats = createServerStats();
    const processor = new QueryProcessor(skipAll, stats, silentLogger());
    const query = queryBytes('example.com', RRType.A);
    const ignore = () => {};
    for (const address of ['127.0.0.1', '::ffff:127.0.0.1', '::1', 'fd00::5']) processor.process(query, 'udp', address, 5353, () => 512, ignore);
    processor.process(query, 'tcp', '2001:db8::1', 5353, () => 65535, ignore);
    expect(stats.requests).toEqual({ udp: 4, tcp: 1 });
    expect(stats.ipv6Requests).toEqual({ udp: 2, tcp: 1 });

    const { scrape } = createMetrics({ stats, synced: () => true, counts });
    const body = (await scrape()).body;
    expect(body).toMatch(/^coredns_dns_requests_total\{[^}]*proto="udp",family="1",type="A"\} 2$/m);
    expect(body).toMatch(/^coredns_dns_requests_total\{[^}]*proto="udp",family="2",type="A"\} 2$/m);
    expect(body).not.toMatch(/^coredns_dns_requests_total\{[^}]*proto="tcp",family="1"/m);
    expect(body).toMatch(/^coredns_dns_requests_total\{[^}]*proto="tcp",family="2",type="A"\} 1$/m);

    // A second scrape publishes the totals, not the sum of the scrapes.
    processor.process(query, 'udp', '::1', 5353, () => 512, ignore);
    const again = (await scrape()).body;
    expect(again).toMatch(/^coredns_dns_requests_total\{[^}]*proto="udp",family="1",type="A"\} 2$/m);
    expect(again).toMatch(/^coredns_dns_requests_total\{[^}]*proto="udp",family="2",type="A"\} 3$/m);
  });

  it('publishes no IPv6 series while no IPv6 client asked', async () => {
    const stats = createServerStats();
    const processor = new QueryProcessor(skipAll, stats, silentLogger());
    for (let i = 0; i < 3; i++) processor.process(queryBytes('example.com', RRType.A), 'udp', '127.0.0.1', 5353, () => 512, () => {});
    const body = (await createMetrics({ stats, synced: () => true, counts }).scrape()).body;
    expect(body).toMatch(/^coredns_dns_requests_total\{[^}]*proto="udp",family="1",type="A"\} 3$/m);
    expect(body).not.toContain('family="2"');
  });
});
