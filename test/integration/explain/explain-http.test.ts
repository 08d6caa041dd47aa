// GET /explain on the metrics listener, over real HTTP on 127.0.0.1.
import type http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClusterDnsServer, type ClusterDnsServer } from '../../../src/cluster-dns.js';
import type { Explanation } from '../../../src/explain/explanation.js';
import { isLoopback, serveExplain } from '../../../src/http/explain-route.js';
import { EXPLAIN_CLUSTER, load } from './explain-cluster.js';

describe('GET /explain', () => {
  let dns: ClusterDnsServer;
  let base: string;
  beforeAll(async () => {
    dns = await startClusterDnsServer({ lameduckMs: 0, metrics: '127.0.0.1:0', health: '127.0.0.1:0' });
    load(dns, EXPLAIN_CLUSTER);
    base = `http://127.0.0.1:${dns.http.metrics!.port}`;
  });
  afterAll(async () => {
    await dns.close();
  });

  it('answers a loopback client with the explanation as JSON, the same as dns.explain', async () => {
    const response = await fetch(`${base}/explain?name=api-1.api.default.svc.cluster.local&type=A`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await response.json()) as Explanation;
    expect(body).toEqual(await dns.explain('api-1.api.default.svc.cluster.local', 'A'));
    expect(body.reasons.map((r) => r.code)).toEqual(['endpoint-not-ready']);
  });

  it('walks a pod\'s search path with fromPod', async () => {
    const body = (await (await fetch(`${base}/explain?name=web&fromPod=default/runner`)).json()) as Explanation;
    expect(body.walk?.answeredBy).toBe('web.default.svc.cluster.local');
  });

  it('400 with the error for a missing name, an unknown type or an unknown pod', async () => {
    for (const query of ['', 'name=web.default.svc.cluster.local&type=BOGUS', 'name=web&fromPod=default/ghost']) {
      const response = await fetch(`${base}/explain?${query}`);
      expect(response.status, query).toBe(400);
      expect(((await response.json()) as { error: string }).error).toMatch(/name is required|unknown record type|no pod default\/ghost/);
    }
  });

  it('is served on the metrics listener only: the health listener answers 404', async () => {
    const response = await fetch(`http://127.0.0.1:${dns.http.health!.port}/explain?name=web.default.svc.cluster.local`);
    expect(response.status).toBe(404);
  });
});

describe('/explain access', () => {
  it('counts 127.0.0.0/8, ::1 and IPv4-mapped loopback as loopback, and nothing else', () => {
    for (const address of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1']) expect(isLoopback(address), address).toBe(true);
    for (const address of ['10.0.0.5', '::ffff:10.0.0.5', 'fd00::1', '0.0.0.0', undefined]) expect(isLoopback(address), String(address)).toBe(false);
  });

  async function statusFor(remoteAddress: string, fromAnywhere: boolean): Promise<number> {
    const request = { socket: { remoteAddress }, method: 'GET', url: '/explain?name=web' } as unknown as http.IncomingMessage;
    let status = 0;
    await serveExplain(request, { explain: async () => ({}), fromAnywhere }, (code) => (status = code));
    return status;
  }

  it('403 for a client that is not on loopback, unless the server allows any (--explain-from-anywhere)', async () => {
    expect(await statusFor('10.1.2.3', false)).toBe(403);
    expect(await statusFor('10.1.2.3', true)).toBe(200);
    expect(await statusFor('127.0.0.1', false)).toBe(200);
  });
});
