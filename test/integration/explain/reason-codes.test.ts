// Every reason code of `explain`, each on the object that causes it, with the server's own rcode.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClusterDnsServer, type ClusterDnsServer } from '../../../src/cluster-dns.js';
import type { Explanation, ReasonCode } from '../../../src/explain/explanation.js';
import { TestUpstream, a } from '../../helpers/upstream/test-upstream.js';
import { EXPLAIN_CLUSTER, load } from './explain-cluster.js';

const codes = (e: Explanation): ReasonCode[] => e.reasons.map((r) => r.code);
const reason = (e: Explanation, code: ReasonCode) => e.reasons.find((r) => r.code === code);

describe('explain: reason codes', () => {
  let dns: ClusterDnsServer;
  beforeAll(async () => {
    dns = await startClusterDnsServer({ lameduckMs: 0 });
    load(dns, EXPLAIN_CLUSTER);
  });
  afterAll(async () => {
    await dns.close();
  });

  it('no-such-namespace and no-such-service: a Service name in a namespace that does not exist', async () => {
    const e = await dns.explain('web.nowhere.svc.cluster.local');
    expect(e.rcode).toBe('NXDOMAIN');
    expect(codes(e)).toEqual(['no-such-namespace', 'no-such-service']);
    expect(reason(e, 'no-such-namespace')!.object).toEqual({ kind: 'Namespace', namespace: '', name: 'nowhere' });
  });

  it('no-such-service lists the namespaces where a Service of that name exists', async () => {
    const e = await dns.explain('web.shop.svc.cluster.local');
    expect(e.rcode).toBe('NXDOMAIN');
    expect(e.closestExisting).toBe('shop.svc.cluster.local');
    expect(reason(e, 'no-such-service')).toMatchObject({ object: { kind: 'Service', namespace: 'shop', name: 'web' } });
    expect(reason(e, 'no-such-service')!.message).toMatch(/exists in namespace default/);
  });

  it('endpoint-not-ready names the pod and its conditions', async () => {
    const e = await dns.explain('api-1.api.default.svc.cluster.local');
    expect(e.rcode).toBe('NXDOMAIN');
    expect(codes(e)).toEqual(['endpoint-not-ready']);
    expect(reason(e, 'endpoint-not-ready')!.object).toEqual({ kind: 'Pod', namespace: 'default', name: 'api-1' });
    expect(reason(e, 'endpoint-not-ready')!.message).toMatch(/conditions\.ready is false and conditions\.terminating is true/);
  });

  it('endpoint-not-ready also explains a headless answer that leaves an endpoint out', async () => {
    const e = await dns.explain('api.default.svc.cluster.local');
    expect(e.rcode).toBe('NOERROR');
    expect(e.answers.map((r) => r.record)).toEqual(['api.default.svc.cluster.local. 5 IN A 10.244.0.1']);
    expect(codes(e)).toEqual(['endpoint-not-ready']);
  });

  it('no-endpoints: a headless Service with no EndpointSlice, and one whose slice has no endpoints', async () => {
    const none = await dns.explain('lonely.default.svc.cluster.local');
    expect(none.rcode).toBe('NXDOMAIN');
    expect(reason(none, 'no-endpoints')).toMatchObject({ object: { kind: 'Service', namespace: 'default', name: 'lonely' } });
    expect(reason(none, 'no-endpoints')!.message).toMatch(/no EndpointSlice is labelled kubernetes\.io\/service-name=lonely/);
    const empty = await dns.explain('empty.default.svc.cluster.local');
    expect(reason(empty, 'no-endpoints')).toMatchObject({ object: { kind: 'EndpointSlice', namespace: 'default', name: 'empty-xyz' } });
  });

  it('no-address-of-type: AAAA of an IPv4-only ClusterIP Service with no EndpointSlice names its cluster IPs, not its endpoints', async () => {
    const e = await dns.explain('web.default.svc.cluster.local', 'AAAA');
    expect(e.rcode).toBe('NOERROR');
    expect(e.nodata).toBe(true);
    expect(codes(e)).toEqual(['no-address-of-type']);
    expect(reason(e, 'no-address-of-type')!.object).toEqual({ kind: 'Service', namespace: 'default', name: 'web' });
    expect(reason(e, 'no-address-of-type')!.message).toMatch(/has no IPv6 cluster IP, so no AAAA record: its spec\.clusterIPs are 10\.96\.1\.1 \(ipFamilies IPv4\)/);
  });

  it('no-address-of-type: A of an IPv6-only ClusterIP Service', async () => {
    const e = await dns.explain('v6only.default.svc.cluster.local', 'A');
    expect(e.nodata).toBe(true);
    expect(codes(e)).toEqual(['no-address-of-type']);
    expect(reason(e, 'no-address-of-type')!.message).toMatch(/has no IPv4 cluster IP, so no A record: its spec\.clusterIPs are fd00:10:96::7 \(ipFamilies IPv6\)/);
    // The family it has answers, with no reason.
    expect((await dns.explain('v6only.default.svc.cluster.local', 'AAAA')).reasons).toEqual([]);
  });

  it('no-address-of-type, not no-endpoints: AAAA of a headless Service and of an endpoint name whose endpoints are IPv4 only', async () => {
    const service = await dns.explain('bare.default.svc.cluster.local', 'AAAA');
    expect(service.nodata).toBe(true);
    expect(codes(service)).toEqual(['no-address-of-type']);
    expect(reason(service, 'no-address-of-type')).toMatchObject({ object: { kind: 'Service', namespace: 'default', name: 'bare' } });
    expect(reason(service, 'no-address-of-type')!.message).toMatch(/headless Service default\/bare has no IPv6 address, so no AAAA record: its endpoints are 10\.244\.0\.5 in EndpointSlice bare-1 \(addressType IPv4\)/);
    const endpoint = await dns.explain('api-0.api.default.svc.cluster.local', 'AAAA');
    expect(endpoint.nodata).toBe(true);
    expect(codes(endpoint)).toEqual(['no-address-of-type']);
    expect(reason(endpoint, 'no-address-of-type')).toMatchObject({ object: { kind: 'EndpointSlice', namespace: 'default', name: 'api-abc' } });
    expect(reason(endpoint, 'no-address-of-type')!.message).toMatch(/endpoint api-0 of Service default\/api has no IPv6 address/);
    // With no endpoints at all, no-endpoints stays the reason.
    expect(codes(await dns.explain('lonely.default.svc.cluster.local', 'AAAA'))).toEqual(['no-endpoints']);
  });

  it('port-unnamed: SRV of a Service whose ports have no name, and of a headless Service whose slice ports have none', async () => {
    const clusterIp = await dns.explain('_http._tcp.raw.default.svc.cluster.local', 'SRV');
    expect(clusterIp.rcode).toBe('NXDOMAIN');
    expect(reason(clusterIp, 'port-unnamed')).toMatchObject({ object: { kind: 'Service', namespace: 'default', name: 'raw' } });
    const headless = await dns.explain('_http._tcp.bare.default.svc.cluster.local', 'SRV');
    expect(headless.rcode).toBe('NXDOMAIN');
    expect(reason(headless, 'port-unnamed')).toMatchObject({ object: { kind: 'EndpointSlice', namespace: 'default', name: 'bare-1' } });
  });

  it('externalname-capture: a name under an ExternalName Service', async () => {
    const e = await dns.explain('x.db.default.svc.cluster.local');
    expect(e.rcode).toBe('NXDOMAIN');
    expect(reason(e, 'externalname-capture')).toMatchObject({ object: { kind: 'Service', namespace: 'default', name: 'db' } });
    expect(reason(e, 'externalname-capture')!.message).toMatch(/db\.example\.org/);
  });

  it('pod-not-found: no pod has that IP in that namespace; a label that is no dashed IP', async () => {
    const missing = await dns.explain('10-244-0-99.default.pod.cluster.local');
    expect(missing.rcode).toBe('NXDOMAIN');
    expect(codes(missing)).toEqual(['pod-not-found']);
    const wrongNamespace = await dns.explain('10-244-0-20.default.pod.cluster.local');
    expect(reason(wrongNamespace, 'pod-not-found')!.message).toMatch(/shop\/frontend/);
    expect(codes(await dns.explain('not-an-ip.default.pod.cluster.local'))).toEqual(['pod-not-found']);
  });

  it('pod-terminating: a pod that is not Running, and one being deleted, under pods verified', async () => {
    const done = await dns.explain('10-244-0-10.default.pod.cluster.local');
    expect(done.rcode).toBe('NXDOMAIN');
    expect(reason(done, 'pod-terminating')).toMatchObject({ object: { kind: 'Pod', namespace: 'default', name: 'done' } });
    expect(reason(done, 'pod-terminating')!.message).toMatch(/Succeeded, not Running/);
    const leaving = await dns.explain('10-244-0-11.default.pod.cluster.local');
    expect(reason(leaving, 'pod-terminating')!.message).toMatch(/deletionTimestamp/);
  });

  it('zone-not-served without forwarding: REFUSED, and it says nothing forwards it', async () => {
    const e = await dns.explain('www.example.com');
    expect(e.rcode).toBe('REFUSED');
    expect(reason(e, 'zone-not-served')!.message).toMatch(/no upstream is configured/);
  });

  it('attributes each answer record to its object and spec rule', async () => {
    const web = await dns.explain('web.default.svc.cluster.local');
    expect(web.answers).toEqual([
      { record: 'web.default.svc.cluster.local. 5 IN A 10.96.1.1', section: 'answer', source: { kind: 'Service', namespace: 'default', name: 'web' }, rule: expect.stringMatching(/^Kubernetes DNS spec 1\.1\.0 §2\.3\.1/) },
    ]);
    expect(web.reasons).toEqual([]);
    const srv = await dns.explain('_grpc._tcp.api.default.svc.cluster.local', 'SRV');
    expect(srv.answers[0]).toMatchObject({ source: { kind: 'EndpointSlice', name: 'api-abc' }, rule: expect.stringMatching(/§2\.4\.2/) });
    const ptr = await dns.explain('1.1.96.10.in-addr.arpa', 'PTR');
    expect(ptr.answers[0]).toMatchObject({ source: { kind: 'Service', name: 'web' }, rule: expect.stringMatching(/§2\.3\.3/) });
    const external = await dns.explain('db.default.svc.cluster.local');
    expect(external.answers[0]).toMatchObject({ record: 'db.default.svc.cluster.local. 5 IN CNAME db.example.org.', rule: expect.stringMatching(/§2\.5\.1/) });
    const pod = await dns.explain('10-244-0-9.default.pod.cluster.local');
    expect(pod.answers[0].source).toEqual({ kind: 'Pod', namespace: 'default', name: 'runner' });
  });

  it('rejects what is no question: an unknown type, an empty label', async () => {
    await expect(dns.explain('web.default.svc.cluster.local', 'BOGUS')).rejects.toThrow(/unknown record type/);
    await expect(dns.explain('a..b')).rejects.toThrow(/not a domain name/);
  });
});

describe('explain: reasons that depend on how the server serves', () => {
  it('pod-records-disabled: pod names under --pods disabled', async () => {
    await using dns = await startClusterDnsServer({ pods: 'disabled', lameduckMs: 0 });
    load(dns, EXPLAIN_CLUSTER);
    const e = await dns.explain('10-244-0-9.default.pod.cluster.local');
    expect(e.rcode).toBe('NXDOMAIN');
    expect(codes(e)).toEqual(['pod-records-disabled']);
  });

  it('zone-not-served with forwarding: the answer is the upstream\'s, and the reason names the stub domain and its upstream', async () => {
    const upstream = new TestUpstream();
    const port = await upstream.start();
    upstream.answer('www.example.com', a('www.example.com', '192.0.2.7'));
    try {
      await using dns = await startClusterDnsServer({ lameduckMs: 0, forward: { upstreams: [], stubDomains: [`example.com=127.0.0.1:${port}`], detectLoops: false } });
      const e = await dns.explain('www.example.com');
      expect(e.rcode).toBe('NOERROR');
      expect(e.answers[0]).toMatchObject({ record: 'www.example.com. 300 IN A 192.0.2.7', source: { kind: 'Upstream', name: `127.0.0.1:${port}` } });
      expect(reason(e, 'zone-not-served')!.message).toMatch(new RegExp(`forwarded to 127\\.0\\.0\\.1:${port} \\(stub domain example\\.com\\)`));
    } finally {
      await upstream.close();
    }
  });
});
