// `explain --from-pod`: the pod's resolv.conf and every query its resolver sends, in order, each answered by the server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClusterDnsServer, type ClusterDnsServer } from '../../../src/cluster-dns.js';
import { TestUpstream, a } from '../../helpers/upstream/test-upstream.js';
import { EXPLAIN_CLUSTER, load } from './explain-cluster.js';

describe('explain --from-pod: the search-path walk', () => {
  let dns: ClusterDnsServer;
  let upstream: TestUpstream;
  let port: number;
  beforeAll(async () => {
    upstream = new TestUpstream();
    port = await upstream.start();
    upstream.answer('api.example.com', a('api.example.com', '192.0.2.44'));
    dns = await startClusterDnsServer({ lameduckMs: 0, forward: { upstreams: [`127.0.0.1:${port}`], detectLoops: false } });
    load(dns, EXPLAIN_CLUSTER);
  });
  afterAll(async () => {
    await dns.close();
    await upstream.close();
  });

  it('a ClusterFirst pod walks its three search domains (A and AAAA each) before the name itself: 8 queries, 6 saved by autopath', async () => {
    const e = await dns.explain('api.example.com', 'A', { fromPod: 'shop/frontend' });
    expect(e.walk!.resolvConf).toEqual({ nameservers: ['10.96.0.10'], search: ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local'], ndots: 5 });
    expect(e.walk!.steps.map((s) => `${s.name} ${s.type} ${s.rcode}`)).toEqual([
      'api.example.com.shop.svc.cluster.local A NXDOMAIN',
      'api.example.com.shop.svc.cluster.local AAAA NXDOMAIN',
      'api.example.com.svc.cluster.local A NXDOMAIN',
      'api.example.com.svc.cluster.local AAAA NXDOMAIN',
      'api.example.com.cluster.local A NXDOMAIN',
      'api.example.com.cluster.local AAAA NXDOMAIN',
      'api.example.com A NOERROR',
      'api.example.com AAAA NOERROR',
    ]);
    expect(e.walk!.answeredBy).toBe('api.example.com');
    expect(e.walk!.queries - e.walk!.queriesWithAutopath).toBe(6);
    expect(e.rcode).toBe('NOERROR');
    expect(e.answers.map((r) => r.record)).toEqual(['api.example.com. 300 IN A 192.0.2.44']);
    expect(e.reasons.filter((r) => r.code === 'search-path')).toHaveLength(8);
  });

  it('a short Service name answers at the first search domain, its own namespace', async () => {
    const e = await dns.explain('web', 'A', { fromPod: 'default/runner' });
    expect(e.walk!.steps.map((s) => s.name)).toEqual(['web.default.svc.cluster.local', 'web.default.svc.cluster.local']);
    expect(e.question.name).toBe('web.default.svc.cluster.local');
    expect(e.answers[0].source).toEqual({ kind: 'Service', namespace: 'default', name: 'web' });
  });

  it('a name from another namespace walks on to svc.<zone> after the NXDOMAIN in its own', async () => {
    const e = await dns.explain('web.default', 'A', { fromPod: 'shop/frontend' });
    expect(e.walk!.steps.map((s) => `${s.name} ${s.rcode}`)).toEqual([
      'web.default.shop.svc.cluster.local NXDOMAIN',
      'web.default.shop.svc.cluster.local NXDOMAIN',
      'web.default.svc.cluster.local NOERROR',
      'web.default.svc.cluster.local NOERROR',
    ]);
    expect(e.walk!.queriesWithAutopath).toBe(2);
  });

  it('dnsPolicy None with dnsConfig: its own search list and ndots', async () => {
    const e = await dns.explain('web.default', 'A', { fromPod: 'shop/custom' });
    expect(e.walk!.resolvConf).toEqual({ nameservers: ['10.96.0.10'], search: ['svc.cluster.local'], ndots: 2 });
    expect(e.walk!.steps[0].name).toBe('web.default.svc.cluster.local');
  });

  it('an unknown pod is an error that names it', async () => {
    await expect(dns.explain('web', 'A', { fromPod: 'shop/nope' })).rejects.toThrow(/no pod shop\/nope/);
  });
});
