// node:test suite using clusterdns as installed from the tarball (`clusterdns` and `clusterdns/testing`).
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startClusterDns, type ClusterDns } from 'clusterdns';
import { externalName, headlessService, service } from 'clusterdns/testing';
import { fetchGreeting } from '../src/greeter.js';

describe('greeter against an in-process cluster DNS', () => {
  let dns: ClusterDns;
  let backend: Server;
  let port: number;

  before(async () => {
    backend = createServer((_req, res) => res.end('hello from the backend'));
    await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
    port = (backend.address() as AddressInfo).port;
    // The Service's ClusterIP is 127.0.0.1, so connections reach the backend started above.
    dns = await startClusterDns({
      objects: [service('hello', 'default', { clusterIP: '127.0.0.1', ports: [{ name: 'http', port }] })],
    });
  });

  after(async () => {
    await dns.close();
    await new Promise((resolve) => backend.close(resolve));
  });

  it('resolves the Service name with a node:dns Resolver', async () => {
    const resolver = dns.resolver();
    assert.deepEqual(await resolver.resolve4('hello.default.svc.cluster.local'), ['127.0.0.1']);
    const srv = await resolver.resolveSrv('_http._tcp.hello.default.svc.cluster.local');
    assert.equal(srv[0]?.port, port);
  });

  it('lets the app call the Service by its short name', async () => {
    assert.equal(await fetchGreeting({ host: 'hello', port, lookup: dns.lookup }), 'hello from the backend');
  });

  it('sees cluster changes made mid-test, without sleeping', async () => {
    const resolver = dns.resolver();
    await dns.apply(headlessService('db', 'default', { endpoints: ['10.244.0.5', '10.244.0.6'] }));
    assert.deepEqual((await resolver.resolve4('db.default.svc.cluster.local')).sort(), ['10.244.0.5', '10.244.0.6']);
    await dns.apply(externalName('search', 'default', 'hello.default.svc.cluster.local'));
    assert.deepEqual(await resolver.resolveCname('search.default.svc.cluster.local'), ['hello.default.svc.cluster.local']);

    await dns.delete({ kind: 'Service', namespace: 'default', name: 'db' });
    await assert.rejects(resolver.resolve4('db.default.svc.cluster.local'), { code: 'ENOTFOUND' });
  });

  it('reports bad objects with a stable error code', async () => {
    await assert.rejects(dns.apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'x' }, spec: { clusterIP: 'nope' } }), {
      code: 'CLUSTERDNS_ERR_OBJECT_INVALID',
    });
  });

  it('works with await using', async () => {
    await using scoped = await startClusterDns({ objects: [service('tmp', 'default', { clusterIP: '10.96.0.99' })] });
    assert.deepEqual(await scoped.resolver().resolve4('tmp.default.svc.cluster.local'), ['10.96.0.99']);
  });
});
