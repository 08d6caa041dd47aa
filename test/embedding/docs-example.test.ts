// The vitest example of docs/embedding.md, verbatim except for the import paths (docs-sync.test.ts checks).
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClusterDns, type ClusterDns } from '../../src/embedding/index.js';
import { externalName, headlessService, service } from '../../src/testing/index.js';

// The code under test: calls the `hello` Service by its short name, as it would inside a pod.
function getGreeting(port: number, lookup: ClusterDns['lookup']): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: 'hello', port, path: '/', lookup, agent: false }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

describe('my service', () => {
  let dns: ClusterDns;
  let backend: http.Server;
  let port: number;

  beforeAll(async () => {
    backend = http.createServer((_req, res) => res.end('hi'));
    await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
    port = (backend.address() as AddressInfo).port;
    dns = await startClusterDns({
      // ClusterIP 127.0.0.1: connections to the Service reach the backend above.
      objects: [service('hello', 'default', { clusterIP: '127.0.0.1', ports: [{ name: 'http', port }] })],
    });
  });

  afterAll(async () => {
    await dns.close();
    await new Promise((resolve) => backend.close(resolve));
  });

  it('calls hello by its Kubernetes name', async () => {
    expect(await getGreeting(port, dns.lookup)).toBe('hi');
  });

  it('resolves records with a node:dns Resolver', async () => {
    const resolver = dns.resolver();
    expect(await resolver.resolve4('hello.default.svc.cluster.local')).toEqual(['127.0.0.1']);
    const [srv] = await resolver.resolveSrv('_http._tcp.hello.default.svc.cluster.local');
    expect(srv?.port).toBe(port);
  });

  it('changes the cluster mid-test, no sleeps', async () => {
    const resolver = dns.resolver();
    await dns.apply(headlessService('db', 'default', { endpoints: ['10.244.0.5', '10.244.0.6'] }));
    expect((await resolver.resolve4('db.default.svc.cluster.local')).sort()).toEqual(['10.244.0.5', '10.244.0.6']);
    expect(await resolver.resolve4('db-0.db.default.svc.cluster.local')).toEqual(['10.244.0.5']);

    await dns.apply(externalName('search', 'default', 'hello.default.svc.cluster.local'));
    expect(await resolver.resolveCname('search.default.svc.cluster.local')).toEqual(['hello.default.svc.cluster.local']);

    await dns.delete({ kind: 'Service', namespace: 'default', name: 'db' });
    await expect(resolver.resolve4('db.default.svc.cluster.local')).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });
});
