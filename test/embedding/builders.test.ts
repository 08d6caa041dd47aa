import { beforeEach, describe, expect, it } from 'vitest';
import { trimObject } from '../../src/cluster/trim.js';
import {
  SERVICE_NAME_LABEL,
  allocateClusterIP,
  endpointSlice,
  externalName,
  headlessService,
  namespace,
  pod,
  resetBuilders,
  service,
} from '../../src/testing/index.js';

describe('clusterdns/testing builders', () => {
  beforeEach(() => resetBuilders());

  it('service(): valid v1 Service, ClusterIPs allocated from 10.96.0.0/16 in call order, unique uids', () => {
    const a = service('a', 'default');
    const b = service('b', 'shop', { ports: [80, { name: 'grpc', port: 9090, protocol: 'TCP' }] });
    expect(a).toMatchObject({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'a', namespace: 'default' } });
    expect(a.spec?.clusterIP).toBe('10.96.1.1');
    expect(b.spec?.clusterIP).toBe('10.96.1.2');
    expect(a.metadata?.uid).not.toBe(b.metadata?.uid);
    expect(b.spec?.ports).toEqual([
      { port: 80, protocol: 'TCP' },
      { name: 'grpc', port: 9090, protocol: 'TCP' },
    ]);
    expect(trimObject(b)).toMatchObject({
      kind: 'Service',
      namespace: 'shop',
      name: 'b',
      headless: false,
      clusterIPs: ['10.96.1.2'],
      ports: [{ port: 80, protocol: 'TCP' }, { name: 'grpc', port: 9090, protocol: 'TCP' }],
    });
    resetBuilders();
    expect(service('c').spec?.clusterIP).toBe('10.96.1.1');
  });

  it('service(): explicit and dual-stack ClusterIPs', () => {
    const s = service('dual', 'default', { clusterIPs: ['10.96.0.30', 'fd00:10:96::30'] });
    expect(s.spec).toMatchObject({ clusterIP: '10.96.0.30', ipFamilies: ['IPv4', 'IPv6'], ipFamilyPolicy: 'RequireDualStack' });
    expect(trimObject(s)).toMatchObject({ clusterIPs: ['10.96.0.30', 'fd00:10:96::30'] });
  });

  it('allocateClusterIP() stays inside 10.96.0.0/16 and skips 10.96.0.0/24', () => {
    const seen = new Set<string>();
    let outside = 0;
    for (let i = 0; i < 70_000; i++) {
      const ip = allocateClusterIP();
      if (!/^10\.96\.([1-9]|[1-9]\d|1\d\d|2[0-4]\d|25[0-5])\.\d+$/.test(ip)) outside++;
      if (i < 65_278) seen.add(ip);
    }
    expect(outside).toBe(0);
    expect(seen.size).toBe(65_278);
    expect(seen.has('10.96.0.1')).toBe(false);
    expect(seen.has('10.96.0.10')).toBe(false);
    expect(seen.has('10.96.255.255')).toBe(false);
  });

  it('headlessService(): Service + EndpointSlice + pods, as an array with named parts', () => {
    const db = headlessService('db', 'default', {
      endpoints: ['10.244.0.5', { ip: '10.244.0.6', hostname: 'primary' }, { ip: '10.244.0.7', ready: false }],
      ports: [{ name: 'pg', port: 5432 }],
    });
    expect(db).toHaveLength(5);
    expect(db[0]).toBe(db.service);
    expect(db[1]).toBe(db.endpointSlice);
    expect(db.endpointSlices).toHaveLength(1);
    expect(db.pods.map((p) => p.metadata?.name)).toEqual(['db-0', 'db-1', 'db-2']);
    expect(db.service.spec?.clusterIP).toBe('None');
    expect(db.endpointSlice.metadata?.labels?.[SERVICE_NAME_LABEL]).toBe('db');
    expect(trimObject(db.service)).toMatchObject({ headless: true, clusterIPs: [] });
    expect(trimObject(db.endpointSlice)).toEqual({
      kind: 'EndpointSlice',
      namespace: 'default',
      name: 'db-ipv4',
      serviceName: 'db',
      addressType: 'IPv4',
      endpoints: [
        { addresses: ['10.244.0.5'], ready: true, hostname: 'db-0' },
        { addresses: ['10.244.0.6'], ready: true, hostname: 'primary' },
        { addresses: ['10.244.0.7'], ready: false, hostname: 'db-2', targetPod: 'db-2' }, // a not-ready endpoint keeps its pod for explain
      ],
      ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }],
    });
    expect(trimObject(db.pods[0])).toMatchObject({ kind: 'Pod', ips: ['10.244.0.5'], phase: 'Running' });
    expect(db.pods[1]?.spec).toMatchObject({ hostname: 'primary', subdomain: 'db' });
    expect(new Set(db.map((o) => o.metadata?.uid)).size).toBe(5);
  });

  it('headlessService(): IPv4 and IPv6 endpoints get a slice each; hostnames and pods can be turned off', () => {
    const mixed = headlessService('m', 'ns1', { endpoints: ['10.244.1.1', 'fd00::1'], hostnames: false, pods: false });
    expect(mixed).toHaveLength(3);
    expect(mixed.endpointSlices.map((s) => s.addressType)).toEqual(['IPv4', 'IPv6']);
    expect(mixed.endpointSlices[1]?.endpoints[0]?.hostname).toBeUndefined();
    expect(mixed.pods).toEqual([]);
    for (const object of mixed) expect(trimObject(object)).not.toBeNull();
  });

  it('externalName(), endpointSlice(), pod(), namespace()', () => {
    expect(trimObject(externalName('ext', 'default', 'example.com.'))).toMatchObject({
      type: 'ExternalName',
      externalName: 'example.com',
      clusterIPs: [],
    });
    const slice = endpointSlice('web', 'default', { endpoints: ['fd00::5'], ports: [{ name: 'http', port: 80, targetPort: 8080 }] });
    expect(trimObject(slice)).toMatchObject({ addressType: 'IPv6', serviceName: 'web', ports: [{ name: 'http', port: 8080 }] });
    const p = pod('p', 'default');
    expect(p.status).toMatchObject({ phase: 'Running', podIP: '10.244.0.2' });
    expect(pod('q').status?.podIP).toBe('10.244.0.3');
    expect(trimObject(pod('r', 'x', { ip: '10.1.2.3', phase: 'Pending' }))).toMatchObject({ ips: ['10.1.2.3'], phase: 'Pending' });
    expect(trimObject(namespace('shop'))).toMatchObject({ kind: 'Namespace', name: 'shop' });
  });

  it('builders return plain JSON (round-trips through JSON, no class instances)', () => {
    const objects = [service('a'), ...headlessService('h', 'default', { endpoints: ['10.0.0.1'] }), externalName('e', 'default', 'x.y'), namespace('n')];
    expect(JSON.parse(JSON.stringify(objects))).toEqual(objects.map((o) => ({ ...o })));
  });
});
