// The embedding API's endpointPodNames (CoreDNS kubernetes endpoint_pod_names) for objects given at start and
// applied later.
import { afterEach, describe, expect, it } from 'vitest';
import { startClusterDns, type ClusterDns } from '../../src/embedding/index.js';
import { headlessService } from '../../src/testing/index.js';

let dns: ClusterDns | undefined;
afterEach(async () => {
  await dns?.close();
  dns = undefined;
});

describe('embedding: endpointPodNames', () => {
  it('names endpoints without hostname by their pod, for objects given at start and applied later', async () => {
    dns = await startClusterDns({ endpointPodNames: true, objects: headlessService('db', 'shop', { endpoints: ['10.244.0.5'], hostnames: false }) });
    const r = dns.resolver();
    expect(await r.resolve4('db-0.db.shop.svc.cluster.local')).toEqual(['10.244.0.5']);
    await expect(r.resolve4('10-244-0-5.db.shop.svc.cluster.local')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    await dns.apply(headlessService('cache', 'shop', { endpoints: [{ ip: '10.244.0.9', podName: 'cache-7f9c-x1' }], hostnames: false }));
    expect(await r.resolve4('cache-7f9c-x1.cache.shop.svc.cluster.local')).toEqual(['10.244.0.9']);
    expect(await r.reverse('10.244.0.9')).toEqual(['cache-7f9c-x1.cache.shop.svc.cluster.local']);
  });

  it('is off by default: the same endpoint answers by its dashed IP', async () => {
    dns = await startClusterDns({ objects: headlessService('db', 'shop', { endpoints: ['10.244.0.5'], hostnames: false }) });
    const r = dns.resolver();
    expect(await r.resolve4('10-244-0-5.db.shop.svc.cluster.local')).toEqual(['10.244.0.5']);
    await expect(r.resolve4('db-0.db.shop.svc.cluster.local')).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });
});
