// vitest, with one server for the file: each test starts from the same cluster (reset), on the same port.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startClusterDns, type ClusterDns } from 'clusterdns';
import { headlessService, service } from 'clusterdns/testing';

describe('one clusterdns server across tests', () => {
  let dns: ClusterDns;
  let port: number;

  beforeAll(async () => {
    dns = await startClusterDns({ objects: [service('hello', 'default', { clusterIP: '10.96.0.20' })] });
    port = dns.address.port;
  });
  afterEach(() => dns.reset());
  afterAll(() => dns.close());

  it('replaceAll serves only the new objects', async () => {
    await dns.replaceAll([headlessService('db', 'default', { endpoints: ['10.244.0.5'] })]);
    const resolver = dns.resolver();
    expect(await resolver.resolve4('db.default.svc.cluster.local')).toEqual(['10.244.0.5']);
    await expect(resolver.resolve4('hello.default.svc.cluster.local')).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });

  it('the next test sees the initial objects again, on the same port', async () => {
    expect(dns.address.port).toBe(port);
    const resolver = dns.resolver();
    expect(await resolver.resolve4('hello.default.svc.cluster.local')).toEqual(['10.96.0.20']);
    await expect(resolver.resolve4('db.default.svc.cluster.local')).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });
});
