// Every method of the embedding API, against real UDP queries on 127.0.0.1.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as dnsModule from 'node:dns';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClusterDnsError } from '../../src/errors.js';
import { EmbeddingErrorCodes, startClusterDns, type ClusterDns } from '../../src/embedding/index.js';
import { externalName, headlessService, namespace, pod, resetBuilders, service } from '../../src/testing/index.js';

const HELLO = 'hello.default.svc.cluster.local';

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
}

describe('startClusterDns (embedding)', () => {
  let dns: ClusterDns;
  beforeEach(async () => {
    resetBuilders();
    dns = await startClusterDns({
      objects: [service('hello', 'default', { clusterIP: '10.96.0.20', ports: [{ name: 'http', port: 80 }] })],
    });
  });
  afterEach(async () => {
    await dns.close();
  });

  it('listens on 127.0.0.1 and a free port; server is host:port for Resolver#setServers', () => {
    expect(dns.address.host).toBe('127.0.0.1');
    expect(dns.address.port).toBeGreaterThan(0);
    expect(dns.server).toBe(`127.0.0.1:${dns.address.port}`);
  });

  it('serves the initial objects (A and SRV) to a node:dns/promises Resolver', async () => {
    const r = dns.resolver();
    expect(await r.resolve4(HELLO)).toEqual(['10.96.0.20']);
    expect(await r.resolveSrv(`_http._tcp.${HELLO}`)).toEqual([{ name: HELLO, port: 80, priority: 0, weight: 100 }]);
    expect(r.getServers()).toEqual([dns.server]);
  });

  it('apply(): a headless service is served (all endpoints, hostnames) as soon as the promise resolves', async () => {
    const r = dns.resolver();
    expect(await codeOf(r.resolve4('db.default.svc.cluster.local'))).toBe('ENOTFOUND');
    await dns.apply(headlessService('db', 'default', { endpoints: ['10.244.0.5', '10.244.0.6'], ports: [{ name: 'pg', port: 5432 }] }));
    expect((await r.resolve4('db.default.svc.cluster.local')).sort()).toEqual(['10.244.0.5', '10.244.0.6']);
    expect(await r.resolve4('db-1.db.default.svc.cluster.local')).toEqual(['10.244.0.6']);
    const srv = await r.resolveSrv('_pg._tcp.db.default.svc.cluster.local');
    expect(srv.map((s) => s.name).sort()).toEqual(['db-0.db.default.svc.cluster.local', 'db-1.db.default.svc.cluster.local']);
  });

  it('apply(): replacing an object changes the answer at once (no polling)', async () => {
    const r = dns.resolver();
    for (let i = 1; i <= 20; i++) {
      await dns.apply(service('hello', 'default', { clusterIP: `10.96.7.${i}` }));
      expect(await r.resolve4(HELLO)).toEqual([`10.96.7.${i}`]);
    }
  });

  it('apply(): accepts one object, arrays, nested arrays and kind: List', async () => {
    const r = dns.resolver();
    await dns.apply(service('one', 'default', { clusterIP: '10.96.3.1' }));
    await dns.apply([[service('two', 'default', { clusterIP: '10.96.3.2' })], namespace('empty')]);
    await dns.apply({ apiVersion: 'v1', kind: 'List', items: [service('three', 'default', { clusterIP: '10.96.3.3' })] });
    await dns.apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'plain', namespace: 'default' }, spec: { clusterIP: '10.96.3.4' } });
    for (const [name, ip] of [['one', '10.96.3.1'], ['two', '10.96.3.2'], ['three', '10.96.3.3'], ['plain', '10.96.3.4']]) {
      expect(await r.resolve4(`${name}.default.svc.cluster.local`)).toEqual([ip]);
    }
  });

  it('delete(): by reference, by object and by bundle', async () => {
    const r = dns.resolver();
    await dns.delete({ kind: 'Service', namespace: 'default', name: 'hello' });
    expect(await codeOf(r.resolve4(HELLO))).toBe('ENOTFOUND');

    const s = service('gone', 'default');
    await dns.apply(s);
    expect(await r.resolve4('gone.default.svc.cluster.local')).toEqual([s.spec?.clusterIP]);
    await dns.delete(s);
    expect(await codeOf(r.resolve4('gone.default.svc.cluster.local'))).toBe('ENOTFOUND');

    const db = headlessService('db', 'default', { endpoints: ['10.244.0.5'] });
    await dns.apply(db);
    expect(await r.resolve4('db-0.db.default.svc.cluster.local')).toEqual(['10.244.0.5']);
    await dns.delete(db);
    expect(await codeOf(r.resolve4('db.default.svc.cluster.local'))).toBe('ENOTFOUND');
    expect(await codeOf(r.resolve4('db-0.db.default.svc.cluster.local'))).toBe('ENOTFOUND');
  });

  it('pods: a running pod gets its A record (pods verified)', async () => {
    await dns.apply(pod('web-0', 'default', { ip: '10.244.3.4' }));
    expect(await dns.resolver().resolve4('10-244-3-4.default.pod.cluster.local')).toEqual(['10.244.3.4']);
  });

  it('externalName(): a CNAME to the target', async () => {
    await dns.apply(externalName('ext', 'default', 'hello.default.svc.cluster.local'));
    const r = dns.resolver();
    expect(await r.resolveCname('ext.default.svc.cluster.local')).toEqual([HELLO]);
    expect(await promisify(dns.lookup)('ext')).toEqual({ address: '10.96.0.20', family: 4 });
  });

  describe('errors (typed, stable codes, nothing applied)', () => {
    it('a malformed object → CLUSTERDNS_ERR_OBJECT_INVALID naming the field', async () => {
      const bad = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'bad' }, spec: { clusterIP: 'not-an-ip' } };
      const err = await dns.apply([service('ok', 'default', { clusterIP: '10.96.4.4' }), bad]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ClusterDnsError);
      expect((err as ClusterDnsError).code).toBe(EmbeddingErrorCodes.OBJECT_INVALID);
      expect((err as Error).message).toMatch(/apply\[1\]: Service default\/bad: spec.clusterIPs has an invalid IP/);
      // All or nothing: the valid object of the call was not applied either.
      expect(await codeOf(dns.resolver().resolve4('ok.default.svc.cluster.local'))).toBe('ENOTFOUND');
    });

    it('objects without a kind, or not objects → OBJECT_INVALID', async () => {
      expect(await codeOf(dns.apply({ metadata: { name: 'x' } } as never))).toBe('CLUSTERDNS_ERR_OBJECT_INVALID');
      expect(await codeOf(dns.apply(42 as never))).toBe('CLUSTERDNS_ERR_OBJECT_INVALID');
      expect(await codeOf(dns.delete({ kind: 'Service', name: '' }))).toBe('CLUSTERDNS_ERR_OBJECT_INVALID');
    });

    it('a kind clusterdns does not read → CLUSTERDNS_ERR_OBJECT_UNSUPPORTED', async () => {
      const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' } };
      expect(await codeOf(dns.apply(deployment as never))).toBe('CLUSTERDNS_ERR_OBJECT_UNSUPPORTED');
      expect(await codeOf(dns.delete({ kind: 'ConfigMap', name: 'x' } as never))).toBe('CLUSTERDNS_ERR_OBJECT_UNSUPPORTED');
    });

    it('an invalid initial object rejects startClusterDns before any socket is opened', async () => {
      const err = await startClusterDns({ objects: [{ kind: 'Service', metadata: { name: 'x' }, spec: { type: 'Bogus' } }] }).catch((e: unknown) => e);
      expect((err as ClusterDnsError).code).toBe('CLUSTERDNS_ERR_OBJECT_INVALID');
    });

    it('a port in use → CLUSTERDNS_ERR_SERVER_LISTEN with a clear message', async () => {
      const err = await startClusterDns({ listen: dns.server }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ClusterDnsError);
      expect((err as ClusterDnsError).code).toBe('CLUSTERDNS_ERR_SERVER_LISTEN');
      expect((err as Error).message).toContain(`${dns.server} is in use`);
    });

    it('after close: apply, delete, resolver and lookup → CLUSTERDNS_ERR_SERVER_CLOSED', async () => {
      await dns.close();
      expect(await codeOf(dns.apply(service('late')))).toBe('CLUSTERDNS_ERR_SERVER_CLOSED');
      expect(await codeOf(dns.delete({ kind: 'Service', name: 'hello' }))).toBe('CLUSTERDNS_ERR_SERVER_CLOSED');
      expect(() => dns.resolver()).toThrow(expect.objectContaining({ code: 'CLUSTERDNS_ERR_SERVER_CLOSED' }));
      expect(await codeOf(promisify(dns.lookup)('hello'))).toBe('CLUSTERDNS_ERR_SERVER_CLOSED');
    });
  });

  describe('lookup (dns.lookup-compatible)', () => {
    beforeEach(async () => {
      await dns.apply([
        service('dual', 'default', { clusterIPs: ['10.96.0.40', 'fd00:10:96::40'] }),
        service('v4only', 'default', { clusterIP: '10.96.0.41' }),
        service('hello', 'shop', { clusterIP: '10.96.0.50' }),
      ]);
    });

    const call = (fn: ClusterDns['lookup'], host: string, options: dnsModule.LookupOptions | number = {}) =>
      new Promise<{ err: NodeJS.ErrnoException | null; address: unknown; family: unknown }>((resolve) =>
        fn(host, options as dnsModule.LookupOptions, (err, address, family) => resolve({ err, address, family })),
      );

    it('short names use the namespace search path (hello → hello.default.svc.cluster.local)', async () => {
      expect(await call(dns.lookup, 'hello')).toMatchObject({ err: null, address: '10.96.0.20', family: 4 });
      expect(await call(dns.lookup, 'hello.default')).toMatchObject({ address: '10.96.0.20' });
      expect(await call(dns.lookup, 'hello.default.svc')).toMatchObject({ address: '10.96.0.20' });
      expect(await call(dns.lookup, 'hello.shop')).toMatchObject({ address: '10.96.0.50' });
      expect(await call(dns.lookup, `${HELLO}.`)).toMatchObject({ address: '10.96.0.20' });
      expect(await call(dns.lookup, 'HELLO.Default.svc.cluster.local')).toMatchObject({ address: '10.96.0.20' });
      expect(await call(dns.lookupFrom('shop'), 'hello')).toMatchObject({ address: '10.96.0.50' });
    });

    it('the namespace option sets the default search namespace', async () => {
      await using shop = await startClusterDns({ namespace: 'shop', objects: [service('hello', 'shop', { clusterIP: '10.96.0.51' })] });
      expect(await promisify(shop.lookup)('hello')).toEqual({ address: '10.96.0.51', family: 4 });
    });

    it('family, all, order and hints (V4MAPPED, ALL)', async () => {
      expect(await call(dns.lookup, 'dual', { family: 6 })).toMatchObject({ address: 'fd00:10:96::40', family: 6 });
      expect(await call(dns.lookup, 'dual', 6)).toMatchObject({ address: 'fd00:10:96::40', family: 6 });
      expect(await call(dns.lookup, 'dual', { family: 'IPv4' } as never)).toMatchObject({ address: '10.96.0.40', family: 4 });
      expect((await call(dns.lookup, 'dual', { all: true })).address).toEqual([
        { address: '10.96.0.40', family: 4 },
        { address: 'fd00:10:96::40', family: 6 },
      ]);
      expect((await call(dns.lookup, 'dual', { all: true, order: 'ipv6first' })).address).toEqual([
        { address: 'fd00:10:96::40', family: 6 },
        { address: '10.96.0.40', family: 4 },
      ]);
      expect((await call(dns.lookup, 'v4only', { family: 6 })).err?.code).toBe('ENOTFOUND');
      expect(await call(dns.lookup, 'v4only', { family: 6, hints: dnsModule.V4MAPPED })).toMatchObject({ address: '::ffff:10.96.0.41', family: 6 });
      expect((await call(dns.lookup, 'dual', { family: 6, all: true, hints: dnsModule.V4MAPPED | dnsModule.ALL })).address).toEqual([
        { address: 'fd00:10:96::40', family: 6 },
        { address: '::ffff:10.96.0.40', family: 6 },
      ]);
      expect(await call(dns.lookup, 'dual', { hints: dnsModule.ADDRCONFIG })).toMatchObject({ address: '10.96.0.40' });
    });

    it('IP literals are returned as they are; a bad family throws like dns.lookup', async () => {
      expect(await call(dns.lookup, '10.1.2.3')).toMatchObject({ address: '10.1.2.3', family: 4 });
      expect((await call(dns.lookup, '::1', { all: true })).address).toEqual([{ address: '::1', family: 6 }]);
      expect(() => dns.lookup('hello', { family: 5 } as never, () => {})).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
    });

    it('unknown cluster names → ENOTFOUND with hostname and syscall, like dns.lookup', async () => {
      const { err } = await call(dns.lookup, 'nope');
      expect(err).toMatchObject({ code: 'ENOTFOUND', syscall: 'getaddrinfo', hostname: 'nope', errno: -3008 });
      expect(err?.message).toBe('getaddrinfo ENOTFOUND nope');
      expect((await call(dns.lookup, 'nope.default.svc.cluster.local')).err?.code).toBe('ENOTFOUND');
    });

    it('names outside the cluster go to the system resolver (localhost), unless lookupFallback: false', async () => {
      const { err, address } = await call(dns.lookup, 'localhost', { family: 4 });
      expect(err).toBeNull();
      expect(address).toBe('127.0.0.1');
      await using strict = await startClusterDns({ lookupFallback: false });
      expect((await call(strict.lookup, 'localhost', { family: 4 })).err?.code).toBe('ENOTFOUND');
    });

    it('util.promisify(lookup) behaves like dns.promises.lookup', async () => {
      const lookup = promisify(dns.lookup);
      expect(await lookup('hello')).toEqual({ address: '10.96.0.20', family: 4 });
      expect(await lookup('dual', { all: true, family: 6 })).toEqual([{ address: 'fd00:10:96::40', family: 6 }]);
    });

    it('http.get({ lookup }) reaches a test server through a Service name', async () => {
      const server = http.createServer((req, res) => res.end(`hi from ${req.headers.host}`));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const { port } = server.address() as AddressInfo;
        await dns.apply(service('web', 'default', { clusterIP: '127.0.0.1', ports: [{ name: 'http', port }] }));
        for (const autoSelectFamily of [true, false]) {
          const body = await new Promise<string>((resolve, reject) => {
            // autoSelectFamily (Node 20) makes net call lookup with { all: true }.
            const options = { host: 'web', port, path: '/', lookup: dns.lookup, autoSelectFamily, agent: false } as http.RequestOptions;
            http
              .get(options, (res) => {
                let data = '';
                res.on('data', (chunk: Buffer) => (data += chunk));
                res.on('end', () => resolve(data));
              })
              .on('error', reject);
          });
          expect(body).toBe(`hi from web:${port}`);
        }
        const failure = await new Promise<NodeJS.ErrnoException>((resolve) => {
          http.get({ host: 'missing', port, lookup: dns.lookup, agent: false }).on('error', resolve);
        });
        expect(failure.code).toBe('ENOTFOUND');
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    });
  });

  it('Symbol.asyncDispose closes (await using), and close() is idempotent', async () => {
    let port: number;
    {
      await using scoped = await startClusterDns({ objects: [service('a', 'default', { clusterIP: '10.96.9.9' })] });
      port = scoped.address.port;
      expect(await scoped.resolver().resolve4('a.default.svc.cluster.local')).toEqual(['10.96.9.9']);
    }
    // The port is free again: a new server can take it.
    await using again = await startClusterDns({ listen: { host: '127.0.0.1', port } });
    expect(again.address.port).toBe(port);
    await Promise.all([again.close(), again.close()]);
    await again[Symbol.asyncDispose]();
  });

  it('zone option: serve another cluster domain, and lookup searches it', async () => {
    await using other = await startClusterDns({ zone: 'corp.example', objects: [service('api', 'team', { clusterIP: '10.96.8.8' })] });
    expect(await other.resolver().resolve4('api.team.svc.corp.example')).toEqual(['10.96.8.8']);
    expect(await promisify(other.lookupFrom('team'))('api')).toEqual({ address: '10.96.8.8', family: 4 });
  });
});

describe('startClusterDns({ autopath })', () => {
  it('autopath: true walks the search path of `namespace` for the test process on the first query', async () => {
    resetBuilders();
    await using dns = await startClusterDns({
      autopath: true,
      namespace: 'shop',
      objects: [service('hello', 'default', { clusterIP: '10.96.0.20' }), namespace('shop')],
    });
    const resolver = dns.resolver();
    // A stub resolver in `shop` asking for "hello.default" sends this first (ndots:5).
    expect(await resolver.resolve4('hello.default.shop.svc.cluster.local')).toEqual(['10.96.0.20']);
    expect(await resolver.resolveCname('hello.default.shop.svc.cluster.local')).toEqual([HELLO]);
    expect(dns.stats.autopathSuccesses).toBeGreaterThanOrEqual(2);
    // Changes are followed: a Service applied later is found by the same walk.
    await dns.apply(service('web', 'default', { clusterIP: '10.96.0.21' }));
    expect(await resolver.resolve4('web.default.shop.svc.cluster.local')).toEqual(['10.96.0.21']);
  });

  it('without autopath the same question is NXDOMAIN', async () => {
    resetBuilders();
    await using dns = await startClusterDns({ namespace: 'shop', objects: [service('hello', 'default', { clusterIP: '10.96.0.20' })] });
    await expect(dns.resolver().resolve4('hello.default.shop.svc.cluster.local')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    expect(dns.stats.autopathSuccesses).toBe(0);
  });
});
