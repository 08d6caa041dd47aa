// replaceAll/reset: one server, port and lookup for a whole suite, each test with the cluster it declares.
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startClusterDns, type ClusterDns } from '../../src/embedding/index.js';
import { headlessService, pod, service } from '../../src/testing/index.js';

const HELLO = 'hello.default.svc.cluster.local';

describe('embedding: replaceAll and reset', () => {
  let dns: ClusterDns;
  let port: number;
  let lookup: ClusterDns['lookup'];

  beforeAll(async () => {
    dns = await startClusterDns({ objects: [service('hello', 'default', { clusterIP: '10.96.0.20' })] });
    port = dns.address.port;
    lookup = dns.lookup;
  });
  afterEach(() => dns.reset());
  afterAll(() => dns.close());

  it('replaceAll serves exactly the given objects: new names answer, every other name is NXDOMAIN', async () => {
    await dns.apply(service('extra', 'default', { clusterIP: '10.96.0.21' }));
    await dns.replaceAll([headlessService('db', 'shop', { endpoints: ['10.244.0.5', '10.244.0.6'] })]);
    const r = dns.resolver();
    expect((await r.resolve4('db.shop.svc.cluster.local')).sort()).toEqual(['10.244.0.5', '10.244.0.6']);
    expect(await r.resolve4('db-1.db.shop.svc.cluster.local')).toEqual(['10.244.0.6']);
    await expect(r.resolve4(HELLO)).rejects.toMatchObject({ code: 'ENOTFOUND' });
    await expect(r.resolve4('extra.default.svc.cluster.local')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    expect(dns.store.counts.services).toBe(1);
  });

  it('after reset (afterEach) the initial objects answer again on the same port and through the same lookup', async () => {
    expect(dns.address.port).toBe(port);
    expect(dns.lookup).toBe(lookup);
    expect(await promisify(lookup)('hello')).toEqual({ address: '10.96.0.20', family: 4 });
    await expect(dns.resolver().resolve4('db.shop.svc.cluster.local')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    expect(dns.store.counts).toMatchObject({ services: 1, pods: 0 });
  });

  it('replaceAll changing an object in place serves its new address (the compiled answer is invalidated)', async () => {
    const r = dns.resolver();
    expect(await r.resolve4(HELLO)).toEqual(['10.96.0.20']); // compiled and cached
    await dns.replaceAll(service('hello', 'default', { clusterIP: '10.96.0.99' }));
    expect(await r.resolve4(HELLO)).toEqual(['10.96.0.99']);
  });

  it('replaceAll with an empty list serves an empty cluster: NXDOMAIN, not SERVFAIL', async () => {
    await dns.replaceAll([]);
    await expect(dns.resolver().resolve4(HELLO)).rejects.toMatchObject({ code: 'ENOTFOUND' });
    expect(dns.store.counts.services).toBe(0);
  });

  it('a bad object rejects the whole replaceAll and leaves the served cluster unchanged', async () => {
    await expect(
      dns.replaceAll([pod('ok', 'default', { ip: '10.244.1.1' }), { apiVersion: 'v1', kind: 'Service', metadata: { name: 'x' }, spec: { clusterIP: 'nope' } }]),
    ).rejects.toMatchObject({ code: 'CLUSTERDNS_ERR_OBJECT_INVALID', message: expect.stringContaining('replaceAll[1]') });
    expect(await dns.resolver().resolve4(HELLO)).toEqual(['10.96.0.20']);
    expect(dns.store.counts.pods).toBe(0);
  });

  it('replaceAll and reset after close reject with CLUSTERDNS_ERR_SERVER_CLOSED', async () => {
    const other = await startClusterDns();
    await other.close();
    await expect(other.replaceAll([])).rejects.toMatchObject({ code: 'CLUSTERDNS_ERR_SERVER_CLOSED' });
    await expect(other.reset()).rejects.toMatchObject({ code: 'CLUSTERDNS_ERR_SERVER_CLOSED' });
  });
});
