// The API emulator's own protocol, checked over plain HTTP (no client library): what the reflector tests
// rely on must behave as kube-apiserver does.
import http from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ApiEmulator,
  endpointSlice,
  namespace,
  parseFieldSelector,
  parseLabelSelector,
  pod,
  service,
} from '../../helpers/api-emulator/index.js';

type Json = Record<string, any>;

let emu: ApiEmulator;

beforeEach(async () => {
  emu = await new ApiEmulator({ token: 't' }).start();
});

afterEach(async () => {
  await emu.close();
});

function get(path: string, token = 't'): Promise<{ status: number; body: Json }> {
  return new Promise((resolve, reject) => {
    http
      .get(`${emu.url}${path}`, { headers: { Authorization: `Bearer ${token}` } }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      })
      .on('error', reject);
  });
}

/** Open a watch; collect parsed lines until `count` arrived or the stream ended. */
function watch(path: string, count: number): Promise<{ status: number; events: Json[]; ended: boolean }> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${emu.url}${path}`, { headers: { Authorization: 'Bearer t' } }, (res) => {
      const events: Json[] = [];
      let buffer = '';
      const done = (ended: boolean): void => {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, events, ended });
      };
      res.on('data', (chunk) => {
        buffer += chunk;
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          events.push(JSON.parse(buffer.slice(0, nl)));
          buffer = buffer.slice(nl + 1);
          if (events.length >= count) return done(false);
        }
      });
      res.on('end', () => done(true));
    });
    req.on('error', reject);
    req.setTimeout(3000, () => req.destroy(new Error('watch test timed out')));
  });
}

describe('ApiEmulator', () => {
  it('requires the bearer token and answers unknown paths with a 404 Status', async () => {
    expect((await get('/api/v1/services', 'wrong')).status).toBe(401);
    const missing = await get('/api/v1/configmaps');
    expect(missing).toMatchObject({ status: 404, body: { kind: 'Status', code: 404, reason: 'NotFound' } });
  });

  it('lists with one resourceVersion across pages, items without kind, continue until done', async () => {
    for (let i = 0; i < 5; i++) emu.apply(service('default', `s${i}`, { clusterIP: `10.0.0.${i + 1}` }));
    const rv = String(emu.resourceVersion);
    const first = await get('/api/v1/services?limit=2');
    expect(first.body).toMatchObject({ kind: 'ServiceList', apiVersion: 'v1', metadata: { resourceVersion: rv, remainingItemCount: 3 } });
    expect(first.body.items.map((i: Json) => i.metadata.name)).toEqual(['s0', 's1']);
    expect(first.body.items[0].kind).toBeUndefined();
    emu.apply(service('default', 's9', { clusterIP: '10.0.0.9' })); // not in the snapshot
    const second = await get(`/api/v1/services?limit=2&continue=${first.body.metadata.continue}`);
    const third = await get(`/api/v1/services?limit=2&continue=${second.body.metadata.continue}`);
    expect(second.body.metadata.resourceVersion).toBe(rv);
    expect([...second.body.items, ...third.body.items].map((i: Json) => i.metadata.name)).toEqual(['s2', 's3', 's4']);
    expect(third.body.metadata.continue).toBeUndefined();
  });

  it('answers 410 Expired for a continue token older than the last compaction', async () => {
    for (let i = 0; i < 3; i++) emu.apply(service('default', `s${i}`, { clusterIP: `10.0.0.${i + 1}` }));
    const first = await get('/api/v1/services?limit=1');
    emu.apply(namespace('x'));
    emu.compact();
    const next = await get(`/api/v1/services?limit=1&continue=${first.body.metadata.continue}`);
    expect(next).toMatchObject({ status: 410, body: { kind: 'Status', code: 410, reason: 'Expired' } });
  });

  it('filters by namespace path, field and label selectors', async () => {
    emu.applyAll([
      pod('a', 'p1', { ip: '10.1.0.1', labels: { tier: 'web' } }),
      pod('a', 'p2', { ip: '10.1.0.2', phase: 'Pending' }),
      pod('b', 'p3', { ip: '10.1.0.3', labels: { tier: 'web' } }),
    ]);
    const names = async (path: string): Promise<string[]> =>
      (await get(path)).body.items.map((i: Json) => `${i.metadata.namespace}/${i.metadata.name}`);
    expect(await names('/api/v1/namespaces/a/pods')).toEqual(['a/p1', 'a/p2']);
    expect(await names('/api/v1/pods?fieldSelector=metadata.namespace%3Db')).toEqual(['b/p3']);
    expect(await names('/api/v1/pods?fieldSelector=status.phase!%3DRunning')).toEqual(['a/p2']);
    expect(await names('/api/v1/pods?labelSelector=tier%3Dweb')).toEqual(['a/p1', 'b/p3']);
    expect(await names('/api/v1/pods?labelSelector=tier%20in%20(web,db),app!%3Dp1')).toEqual(['b/p3']);
    expect((await get('/api/v1/pods?labelSelector=%3D%3D%3D')).status).toBe(400);
  });

  it('streams changes after a resourceVersion, including the deletion resourceVersion', async () => {
    emu.apply(endpointSlice('default', 'web-1', 'web', { endpoints: [{ addresses: ['10.1.0.1'] }] }));
    const from = emu.resourceVersion;
    emu.apply(endpointSlice('default', 'web-1', 'web', { endpoints: [{ addresses: ['10.1.0.2'] }] }));
    emu.delete('EndpointSlice', 'default', 'web-1');
    const result = await watch(`/apis/discovery.k8s.io/v1/endpointslices?watch=true&resourceVersion=${from}`, 2);
    expect(result.status).toBe(200);
    expect(result.events.map((e) => [e.type, e.object.kind, e.object.metadata.resourceVersion])).toEqual([
      ['MODIFIED', 'EndpointSlice', String(from + 1)],
      ['DELETED', 'EndpointSlice', String(from + 2)],
    ]);
  });

  it('starts a watch without resourceVersion with ADDED for every object, then sends live changes and bookmarks', async () => {
    emu.apply(namespace('a'));
    const events = watch('/api/v1/namespaces?watch=true&allowWatchBookmarks=true', 3);
    await emu.waitForWatches(1, 'namespaces');
    emu.apply(namespace('b'));
    emu.sendBookmarks();
    const result = await events;
    expect(result.events.map((e) => e.type)).toEqual(['ADDED', 'ADDED', 'BOOKMARK']);
    expect(result.events[2].object).toEqual({ kind: 'Namespace', apiVersion: 'v1', metadata: { resourceVersion: String(emu.resourceVersion) } });
  });

  it('answers an expired resourceVersion with an ERROR event carrying a 410 Status, then ends the stream', async () => {
    emu.apply(namespace('a'));
    const old = emu.resourceVersion;
    emu.apply(namespace('b'));
    emu.compact();
    const result = await watch(`/api/v1/namespaces?watch=true&resourceVersion=${old - 1}`, 5);
    expect(result.ended).toBe(true);
    expect(result.events).toEqual([
      {
        type: 'ERROR',
        object: expect.objectContaining({ kind: 'Status', code: 410, reason: 'Expired', message: expect.stringMatching(/too old resource version/) }),
      },
    ]);
  });

  it('ends a watch cleanly after timeoutSeconds and can refuse and re-accept connections on the same port', async () => {
    const result = await watch('/api/v1/services?watch=true&timeoutSeconds=1', 1);
    expect(result).toMatchObject({ status: 200, ended: true, events: [] });
    const port = emu.port;
    await emu.refuseConnections();
    await expect(get('/api/v1/services')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await emu.acceptConnections();
    expect(emu.port).toBe(port);
    expect((await get('/api/v1/services')).status).toBe(200);
  });

  it('injects HTTP errors for a number of matching requests', async () => {
    emu.failRequests(2, { status: 503, resource: 'pods' });
    expect((await get('/api/v1/services')).status).toBe(200);
    expect((await get('/api/v1/pods')).status).toBe(503);
    expect((await get('/api/v1/pods')).body).toMatchObject({ kind: 'Status', code: 503, reason: 'ServiceUnavailable' });
    expect((await get('/api/v1/pods')).status).toBe(200);
  });
});

describe('selectors', () => {
  const o = (labels: Record<string, string>, extra: Json = {}): Json => ({ metadata: { labels, namespace: 'ns' }, ...extra });
  it('parse label selectors with equality, existence and set requirements', () => {
    expect(parseLabelSelector('a=1')(o({ a: '1' }))).toBe(true);
    expect(parseLabelSelector('a==1,b!=2')(o({ a: '1', b: '3' }))).toBe(true);
    expect(parseLabelSelector('a,!b')(o({ a: '' }))).toBe(true);
    expect(parseLabelSelector('a,!b')(o({ a: '', b: '' }))).toBe(false);
    expect(parseLabelSelector('a in (x, y)')(o({ a: 'y' }))).toBe(true);
    expect(parseLabelSelector('a notin (x,y)')(o({}))).toBe(true);
    expect(parseLabelSelector('a notin (x,y)')(o({ a: 'x' }))).toBe(false);
    expect(() => parseLabelSelector('a in x')).toThrow();
  });
  it('parse field selectors over dotted paths', () => {
    expect(parseFieldSelector('metadata.namespace=ns')(o({}))).toBe(true);
    expect(parseFieldSelector('status.phase!=Running')(o({}, { status: { phase: 'Failed' } }))).toBe(true);
    expect(() => parseFieldSelector('nonsense')).toThrow();
  });
});
