import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { ResponseCache } from '../../../src/cache/response-cache.js';
import { countHealthcheckFailure, countRequest, countResponse, createForwardStats } from '../../../src/forward/forward-stats.js';
import { registerForwardMetrics } from '../../../src/http/forward-metrics.js';
import { RCode, RRClass, RRType } from '../../../src/wire/types.js';

describe('forward and cache metrics', () => {
  it('publish the counters under CoreDNS’s names and labels, read at scrape time', async () => {
    const forward = createForwardStats();
    const cache = new ResponseCache({ now: () => 0 });
    const registry = new Registry();
    registerForwardMetrics(registry, { forward, cache });

    countRequest(forward, '10.0.0.10:53');
    countRequest(forward, '10.0.0.10:53');
    countResponse(forward, '10.0.0.10:53', RCode.NOERROR, 0.0003); // the 0.0005 bucket
    countResponse(forward, '10.0.0.10:53', RCode.NXDOMAIN, 20); // above every bucket
    countHealthcheckFailure(forward, '[fd00::53]:53');
    forward.maxConcurrentRejects = 3;
    cache.store(
      { qname: 'a.example', qtype: RRType.A, qclass: RRClass.IN, dnssecOk: false },
      { rcode: RCode.NOERROR, truncated: false, extraFlags: 0, answer: [{ name: 'a.example', type: RRType.A, class: RRClass.IN, ttl: 30, data: '192.0.2.1' }], authority: [], additional: [] },
    );
    cache.store({ qname: 'b.example', qtype: RRType.A, qclass: RRClass.IN, dnssecOk: false }, { rcode: RCode.SERVFAIL, truncated: false, extraFlags: 0, answer: [], authority: [], additional: [] });
    cache.lookup('a.example', RRType.A, RRClass.IN, false);
    cache.lookup('c.example', RRType.A, RRClass.IN, false);

    const text = await registry.metrics();
    for (const line of [
      'coredns_forward_requests_total{to="10.0.0.10:53"} 2',
      'coredns_forward_responses_total{to="10.0.0.10:53",rcode="NOERROR"} 1',
      'coredns_forward_responses_total{to="10.0.0.10:53",rcode="NXDOMAIN"} 1',
      'coredns_forward_request_duration_seconds_bucket{to="10.0.0.10:53",rcode="NOERROR",le="0.00025"} 0',
      'coredns_forward_request_duration_seconds_bucket{to="10.0.0.10:53",rcode="NOERROR",le="0.0005"} 1',
      'coredns_forward_request_duration_seconds_bucket{to="10.0.0.10:53",rcode="NOERROR",le="+Inf"} 1',
      'coredns_forward_request_duration_seconds_bucket{to="10.0.0.10:53",rcode="NXDOMAIN",le="8.192"} 0',
      'coredns_forward_request_duration_seconds_bucket{to="10.0.0.10:53",rcode="NXDOMAIN",le="+Inf"} 1',
      'coredns_forward_request_duration_seconds_sum{to="10.0.0.10:53",rcode="NXDOMAIN"} 20',
      'coredns_forward_request_duration_seconds_count{to="10.0.0.10:53",rcode="NXDOMAIN"} 1',
      'coredns_forward_healthcheck_failures_total{to="[fd00::53]:53"} 1',
      'coredns_forward_max_concurrent_rejects_total 3',
      'coredns_cache_entries{server="dns://",type="success"} 1',
      'coredns_cache_entries{server="dns://",type="denial"} 1',
      'coredns_cache_hits_total{server="dns://",type="success"} 1',
      'coredns_cache_misses_total{server="dns://"} 1',
      'coredns_cache_prefetch_total{server="dns://"} 0',
      'coredns_cache_served_stale_total{server="dns://"} 0',
    ]) {
      expect(text.split('\n')).toContain(line);
    }
    expect(text).toContain('# TYPE coredns_forward_request_duration_seconds histogram');
    forward.maxConcurrentRejects = 4;
    expect(await registry.metrics()).toContain('coredns_forward_max_concurrent_rejects_total 4');
  });
});
