import { beforeEach, describe, expect, it } from 'vitest';
import { ClusterStore } from '../../../src/cluster/cluster-store.js';
import type { ClusterObject, EndpointSliceInfo, NamespaceInfo, PodInfo, ServiceInfo } from '../../../src/cluster/objects.js';
import { FakeIndex, fakeLogger, zone } from './fake-index.js';
import { getService, podsByIp } from '../../helpers/store-queries.js';

const ns = (name: string): NamespaceInfo => ({ kind: 'Namespace', name });
const service = (name: string, fields: Partial<ServiceInfo> = {}): ServiceInfo => ({
  kind: 'Service',
  namespace: 'default',
  name,
  type: 'ClusterIP',
  headless: false,
  clusterIPs: [],
  ports: [],
  publishNotReadyAddresses: false,
  ...fields,
});
const slice = (name: string, serviceName: string | undefined, ips: string[], fields: Partial<EndpointSliceInfo> = {}): EndpointSliceInfo => ({
  kind: 'EndpointSlice',
  namespace: 'default',
  name,
  ...(serviceName === undefined ? {} : { serviceName }),
  addressType: 'IPv4',
  endpoints: ips.map((ip) => ({ addresses: [ip], ready: true })),
  ports: [],
  ...fields,
});
const pod = (name: string, ips: string[], fields: Partial<PodInfo> = {}): PodInfo => ({
  kind: 'Pod',
  namespace: 'default',
  name,
  ips,
  phase: 'Running',
  ...fields,
});

const hello = service('hello', { clusterIPs: ['10.96.0.20'] });
const world = service('world', { clusterIPs: ['10.96.0.21'] });
const headless = service('nginx', { headless: true });

function cluster(): ClusterObject[] {
  return [
    ns('default'),
    hello,
    world,
    headless,
    slice('hello-1', 'hello', ['10.244.1.5']),
    slice('world-1', 'world', ['10.244.1.6']),
    slice('nginx-1', 'nginx', ['10.244.1.10']),
    pod('hello-a', ['10.244.1.5']),
  ];
}

let index: FakeIndex;
let store: ClusterStore;

beforeEach(() => {
  index = new FakeIndex();
  store = new ClusterStore({ index, zones: ['cluster.local'], ttl: 5, pods: 'verified' });
});

describe('ClusterStore publishing', () => {
  it('publishes the zone owner at construction', () => {
    expect(index.lines('zone')).toEqual(
      zone(`
        cluster.local. 5 IN NS ns.dns.cluster.local.
        dns-version.cluster.local. 28800 IN TXT "1.1.0"
        in-addr.arpa. 5 IN NS ns.dns.in-addr.arpa.
        ip6.arpa. 5 IN NS ns.dns.ip6.arpa.`),
    );
    expect(index.names('zone')).toEqual(['ns.dns.cluster.local', 'ns.dns.in-addr.arpa', 'ns.dns.ip6.arpa', 'pod.cluster.local', 'svc.cluster.local']);
  });

  it('replaceAll publishes one owner per service, pod and namespace in one batch', () => {
    index.reset();
    store.replaceAll(cluster());
    expect(index.batch).toHaveBeenCalledTimes(1);
    expect(index.touched()).toEqual(['ns:default', 'pod:default/hello-a', 'svc:default/hello', 'svc:default/nginx', 'svc:default/world']);
    expect(index.lines('svc:default/nginx')).toEqual(
      zone(`
        nginx.default.svc.cluster.local. 5 IN A 10.244.1.10
        10-244-1-10.nginx.default.svc.cluster.local. 5 IN A 10.244.1.10
        10.1.244.10.in-addr.arpa. 5 IN PTR 10-244-1-10.nginx.default.svc.cluster.local.`),
    );
    expect(index.lines('pod:default/hello-a')).toEqual(['10-244-1-5.default.pod.cluster.local. 5 IN A 10.244.1.5']);
    expect(store.counts).toEqual({ services: 3, endpointSlices: 3, pods: 1, namespaces: 1 });
    expect(store.synced).toBe(false);
    store.markSynced();
    expect(store.synced).toBe(true);
  });

  it('runs beforeSynced once, with the loaded records already published and synced still false', () => {
    const seen: Array<{ synced: boolean; published: string[] }> = [];
    const hooked: ClusterStore = new ClusterStore({
      index,
      zones: ['cluster.local'],
      ttl: 5,
      pods: 'verified',
      beforeSynced: () => seen.push({ synced: hooked.synced, published: index.touched() }),
    });
    index.reset();
    hooked.replaceAll(cluster());
    expect(seen).toEqual([]);
    hooked.markSynced();
    hooked.markSynced();
    expect(seen).toEqual([{ synced: false, published: ['ns:default', 'pod:default/hello-a', 'svc:default/hello', 'svc:default/nginx', 'svc:default/world'] }]);
    expect(hooked.synced).toBe(true);
  });

  it('replaceAll with deep-equal objects publishes nothing', () => {
    store.replaceAll(cluster());
    index.reset();
    // Fresh copies, equal but not the same objects.
    expect(store.replaceAll(structuredClone(cluster()))).toBe(0);
    expect(index.batch).not.toHaveBeenCalled();
    expect(index.touched()).toEqual([]);
  });

  it('an EndpointSlice change re-publishes only its service', () => {
    store.replaceAll(cluster());
    index.reset();
    const next = cluster().map((o) => (o.kind === 'EndpointSlice' && o.name === 'hello-1' ? slice('hello-1', 'hello', ['10.244.1.5', '10.244.2.7']) : o));
    expect(store.replaceAll(next)).toBe(1);
    expect(index.touched()).toEqual(['svc:default/hello']);
    expect(index.lines('svc:default/hello')).toContain('10-244-2-7.hello.default.svc.cluster.local. 5 IN A 10.244.2.7');
  });

  it('apply: a slice relabelled to another service moves its endpoints', () => {
    store.replaceAll(cluster());
    index.reset();
    store.apply([{ type: 'upsert', object: slice('hello-1', 'world', ['10.244.1.5']) }]);
    expect(index.touched()).toEqual(['svc:default/hello', 'svc:default/world']);
    expect(index.lines('svc:default/hello').filter((l) => l.includes('10.244.1.5') || l.includes('10-244-1-5'))).toEqual([]);
    expect(index.lines('svc:default/world')).toContain('10-244-1-5.world.default.svc.cluster.local. 5 IN A 10.244.1.5');
  });

  it('apply: a slice whose label is removed leaves its service', () => {
    store.replaceAll(cluster());
    index.reset();
    store.apply([{ type: 'upsert', object: slice('hello-1', undefined, ['10.244.1.5']) }]);
    expect(index.touched()).toEqual(['svc:default/hello']);
    expect(index.lines('svc:default/hello').some((l) => l.includes('10-244-1-5'))).toBe(false);
  });

  it('a slice that arrives before its Service is used once the Service comes', () => {
    store.apply([{ type: 'upsert', object: slice('late-1', 'late', ['10.244.5.5']) }]);
    expect(index.holds('svc:default/late')).toBe(false);
    store.apply([{ type: 'upsert', object: service('late', { headless: true }) }]);
    expect(index.lines('svc:default/late')).toContain('late.default.svc.cluster.local. 5 IN A 10.244.5.5');
  });

  it('deleting a service or a slice', () => {
    store.replaceAll(cluster());
    index.reset();
    store.apply([{ type: 'delete', kind: 'EndpointSlice', namespace: 'default', name: 'nginx-1' }]);
    // The headless service has no endpoints left: it publishes nothing, so its owner goes.
    expect(index.deleteOwner).toHaveBeenCalledWith('svc:default/nginx');
    index.reset();
    store.apply([{ type: 'delete', kind: 'Service', namespace: 'default', name: 'hello' }]);
    expect(index.touched()).toEqual(['svc:default/hello']);
    expect(index.holds('svc:default/hello')).toBe(false);
    // Deleting what is not there touches nothing.
    index.reset();
    expect(store.apply([{ type: 'delete', kind: 'Service', namespace: 'default', name: 'ghost' }])).toBe(0);
    expect(index.touched()).toEqual([]);
  });

  it('replaceAll deletes objects that disappeared', () => {
    store.replaceAll(cluster());
    index.reset();
    store.replaceAll(cluster().filter((o) => !(o.kind === 'Pod' || (o.kind === 'Service' && o.name === 'world'))));
    expect(index.touched()).toEqual(['pod:default/hello-a', 'svc:default/world']);
    expect(index.deleteOwner).toHaveBeenCalledTimes(2);
    expect(store.counts.pods).toBe(0);
  });

  it('kube-system/kube-dns changes re-publish the zone owner (ns.dns addresses)', () => {
    index.reset();
    store.apply([{ type: 'upsert', object: service('kube-dns', { namespace: 'kube-system', clusterIPs: ['10.96.0.10'] }) }]);
    expect(index.touched()).toEqual(['ns:kube-system', 'svc:kube-system/kube-dns', 'zone']);
    expect(index.lines('zone')).toContain('ns.dns.cluster.local. 5 IN A 10.96.0.10');
    store.apply([{ type: 'delete', kind: 'Service', namespace: 'kube-system', name: 'kube-dns' }]);
    expect(index.lines('zone').some((l) => l.startsWith('ns.dns.'))).toBe(false);
  });

  it('pods: records follow phase and IP changes; podByIp', () => {
    store.apply([{ type: 'upsert', object: pod('p', ['10.244.1.7'], { phase: 'Pending' }) }]);
    expect(index.owners.has('pod:default/p')).toBe(false);
    expect(store.podByIp('10.244.1.7')?.name).toBe('p');
    store.apply([{ type: 'upsert', object: pod('p', ['10.244.1.8', 'fd00:10::8']) }]);
    expect(index.lines('pod:default/p')).toEqual(
      zone(`
        10-244-1-8.default.pod.cluster.local. 5 IN A 10.244.1.8
        fd00-10--8.default.pod.cluster.local. 5 IN AAAA fd00:10::8`),
    );
    expect(store.podByIp('10.244.1.7')).toBeUndefined();
    expect(store.podByIp('FD00:10:0::8')?.name).toBe('p');
    // Host-network pods share an IP: the Running one is preferred.
    store.apply([{ type: 'upsert', object: pod('q', ['10.244.1.8'], { namespace: 'other', phase: 'Succeeded' }) }]);
    expect(podsByIp(store, '10.244.1.8').map((p) => p.name).sort()).toEqual(['p', 'q']);
    expect(store.podByIp('10.244.1.8')?.name).toBe('p');
    store.apply([{ type: 'delete', kind: 'Pod', namespace: 'default', name: 'p' }]);
    expect(store.podByIp('10.244.1.8')?.name).toBe('q');
    expect(index.owners.has('pod:default/p')).toBe(false);
  });

  it('publishes nothing for pods when pod records are not verified', () => {
    const idx = new FakeIndex();
    const s = new ClusterStore({ index: idx, zones: ['cluster.local'], ttl: 5, pods: 'insecure' });
    idx.reset();
    s.apply([{ type: 'upsert', object: pod('p', ['10.244.1.7']) }]);
    expect(idx.touched()).toEqual(['ns:default']);
    expect(idx.names('ns:default')).toEqual(['default.pod.cluster.local', 'default.svc.cluster.local']);
  });
});

describe('ClusterStore namespaces', () => {
  it('exist by a Namespace object, or by any Service or Pod in them', () => {
    expect(store.namespaceExists('shop')).toBe(false);
    store.apply([{ type: 'upsert', object: ns('shop') }]);
    expect(store.namespaceExists('shop')).toBe(true);
    expect(store.namespaceExists('SHOP')).toBe(true);
    expect(index.names('ns:shop')).toEqual(['shop.pod.cluster.local', 'shop.svc.cluster.local']);

    store.apply([{ type: 'upsert', object: service('cart', { namespace: 'billing', clusterIPs: ['10.96.1.1'] }) }]);
    expect(store.namespaceExists('billing')).toBe(true);
    expect(index.names('ns:billing')).toEqual(['billing.pod.cluster.local', 'billing.svc.cluster.local']);
    store.apply([{ type: 'upsert', object: pod('worker', [], { namespace: 'billing' }) }]);
    store.apply([{ type: 'delete', kind: 'Service', namespace: 'billing', name: 'cart' }]);
    expect(store.namespaceExists('billing')).toBe(true); // the pod is still there
    index.reset();
    store.apply([{ type: 'delete', kind: 'Pod', namespace: 'billing', name: 'worker' }]);
    expect(store.namespaceExists('billing')).toBe(false);
    expect(index.deleteOwner).toHaveBeenCalledWith('ns:billing');

    store.apply([{ type: 'delete', kind: 'Namespace', namespace: '', name: 'shop' }]);
    expect(store.namespaceExists('shop')).toBe(false);
    expect(index.owners.has('ns:shop')).toBe(false);
  });

  it('with pods disabled only <ns>.svc.<zone> exists', () => {
    const idx = new FakeIndex();
    const s = new ClusterStore({ index: idx, zones: ['cluster.local'], ttl: 5, pods: 'disabled' });
    s.apply([{ type: 'upsert', object: ns('shop') }]);
    expect(idx.names('ns:shop')).toEqual(['shop.svc.cluster.local']);
  });

  it('namespace owner is not re-published while its use count stays above zero', () => {
    store.apply([{ type: 'upsert', object: service('a', { clusterIPs: ['10.96.5.1'] }) }]);
    index.reset();
    store.apply([{ type: 'upsert', object: service('b', { clusterIPs: ['10.96.5.2'] }) }]);
    expect(index.touched()).toEqual(['svc:default/b']);
  });
});

describe('ClusterStore robustness', () => {
  it('a malformed object is logged once and skipped; the rest of the batch applies', () => {
    const log = fakeLogger();
    const idx = new FakeIndex();
    const s = new ClusterStore({ index: idx, zones: ['cluster.local'], ttl: 5, pods: 'verified', logger: log.logger });
    const bad = { kind: 'Service', namespace: 'default', name: 'bad', clusterIPs: 'oops' } as unknown as ClusterObject;
    const events = [
      { type: 'upsert' as const, object: bad },
      { type: 'upsert' as const, object: hello },
    ];
    expect(() => s.apply(events)).not.toThrow();
    expect(() => s.apply(events)).not.toThrow();
    expect(idx.lines('svc:default/hello')).toContain('hello.default.svc.cluster.local. 5 IN A 10.96.0.20');
    expect(getService(s, 'default', 'bad')).toBeUndefined();
    expect(log.warn).toHaveBeenCalledTimes(1);
    expect(log.warn.mock.calls[0][0]).toMatchObject({ object: 'Service/default/bad' });
  });

  it('an object the builder chokes on is skipped, its owner removed, and nothing throws', () => {
    const log = fakeLogger();
    const idx = new FakeIndex();
    const s = new ClusterStore({ index: idx, zones: ['cluster.local'], ttl: 5, pods: 'verified', logger: log.logger });
    s.apply([{ type: 'upsert', object: service('x', { clusterIPs: ['10.96.0.99'] }) }]);
    expect(idx.holds('svc:default/x')).toBe(true);
    // ports entries that are not objects make the builder throw.
    const broken = service('x', { clusterIPs: ['10.96.0.99'], ports: [null as never] });
    expect(() => s.apply([{ type: 'upsert', object: broken }])).not.toThrow();
    expect(idx.holds('svc:default/x')).toBe(false);
    expect(log.warn).toHaveBeenCalledTimes(1);
  });

  it('cost is proportional to the change: one slice event in a big cluster touches one owner', () => {
    const objects: ClusterObject[] = [];
    for (let i = 0; i < 2000; i++) {
      objects.push(service(`s${i}`, { clusterIPs: [`10.96.${i >> 8}.${i & 255}`] }));
      objects.push(slice(`s${i}-1`, `s${i}`, [`10.244.${i >> 8}.${i & 255}`]));
    }
    store.replaceAll(objects);
    index.reset();
    store.apply([{ type: 'upsert', object: slice('s1500-1', 's1500', ['10.244.99.1']) }]);
    expect(index.touched()).toEqual(['svc:default/s1500']);
  });
});
