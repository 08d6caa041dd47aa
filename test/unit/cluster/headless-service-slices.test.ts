// A headless Service's records are published per EndpointSlice: a change to one slice re-publishes that
// slice's records, and the union over all owners stays exactly what the whole Service builds to (SRV
// weights included, spec 1.1.0 §2.4.2 / RFC 2782).
import { describe, expect, it } from 'vitest';
import { ClusterStore, type RecordSink } from '../../../src/cluster/cluster-store.js';
import type { EndpointSliceInfo, ServiceInfo } from '../../../src/cluster/objects.js';
import { buildServiceRecords } from '../../../src/cluster/record-builder.js';
import { RecordIndex } from '../../../src/records/record-index.js';
import { formatRecord } from '../../../src/wire/presentation.js';
import { RRType, type ResourceRecord } from '../../../src/wire/types.js';

const ZONES = ['cluster.local'];
const OPTIONS = { zones: ZONES, ttl: 5 };

/** Forwards to a real RecordIndex and counts the records each change publishes and retracts. */
class CountingSink implements RecordSink {
  readonly owners = new Map<string, ResourceRecord[]>();
  published = 0;
  retracted = 0;
  readonly touched = new Set<string>();
  constructor(readonly index: RecordIndex) {}
  setOwner(owner: string, records: ResourceRecord[], names?: string[]): void {
    this.retracted += this.owners.get(owner)?.length ?? 0;
    this.published += records.length;
    this.touched.add(owner);
    this.owners.set(owner, records);
    this.index.setOwner(owner, records, names);
  }
  deleteOwner(owner: string): void {
    const held = this.owners.get(owner);
    if (held) {
      this.retracted += held.length;
      this.touched.add(owner);
    }
    this.owners.delete(owner);
    this.index.deleteOwner(owner);
  }
  batch(fn: () => void): void {
    this.index.batch(fn);
  }
  reset(): void {
    this.published = 0;
    this.retracted = 0;
    this.touched.clear();
  }
  /** Every record of the Service's owners, as sorted, de-duplicated zone-file lines. */
  lines(service: string): string[] {
    const records = [...this.owners].filter(([o]) => o === service || o.startsWith(`${service}#`)).flatMap(([, rrs]) => rrs);
    return [...new Set(records.map(formatRecord))].sort();
  }
}

const headless = (fields: Partial<ServiceInfo> = {}): ServiceInfo => ({
  kind: 'Service',
  namespace: 'default',
  name: 'big',
  type: 'ClusterIP',
  headless: true,
  clusterIPs: [],
  ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
  publishNotReadyAddresses: false,
  ...fields,
});

const slice = (name: string, endpoints: Array<{ ip: string; hostname?: string }>): EndpointSliceInfo => ({
  kind: 'EndpointSlice',
  namespace: 'default',
  name,
  serviceName: 'big',
  addressType: 'IPv4',
  endpoints: endpoints.map(({ ip, hostname }) => ({ addresses: [ip], ready: true, ...(hostname === undefined ? {} : { hostname }) })),
  ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
});

/** 100 endpoints, 10.<gen>.<i>.1-100. */
const bigSlice = (i: number, gen: number): EndpointSliceInfo =>
  slice(`big-${i}`, Array.from({ length: 100 }, (_, j) => ({ ip: `10.${gen}.${i}.${j + 1}` })));

const expected = (service: ServiceInfo, slices: EndpointSliceInfo[]): string[] =>
  [...new Set(buildServiceRecords(service, slices, OPTIONS).records.map(formatRecord))].sort();

/** `sliceOwnersAbove: 0` splits even a small Service, to check the per-slice weights on a few endpoints. */
function setup(sliceOwnersAbove?: number): { sink: CountingSink; store: ClusterStore; index: RecordIndex } {
  const index = new RecordIndex({ zones: [...ZONES, 'in-addr.arpa', 'ip6.arpa'], ttl: 5 });
  const sink = new CountingSink(index);
  const store = new ClusterStore({ index: sink, zones: ZONES, ttl: 5, pods: 'disabled', ...(sliceOwnersAbove === undefined ? {} : { sliceOwnersAbove }) });
  return { sink, store, index };
}

describe('a headless Service published per EndpointSlice', () => {
  it('one slice change of a 10,000-address headless Service publishes and retracts only that slice\'s records, and the records stay those of the whole Service', () => {
    const { sink, store, index } = setup();
    const service = headless();
    const slices = Array.from({ length: 100 }, (_, i) => bigSlice(i, 1));
    sink.reset(); // the zone's own records
    store.apply([{ type: 'upsert', object: service }, ...slices.map((object) => ({ type: 'upsert' as const, object }))]);
    // Per endpoint: service A, service SRV, _http._tcp SRV, endpoint A, endpoint SRV, PTR.
    expect(sink.published).toBe(60_000);

    sink.reset();
    slices[7] = bigSlice(7, 2);
    store.apply([{ type: 'upsert', object: slices[7] }]);
    expect([...sink.touched].filter((o) => o.includes('#'))).toEqual(['svc:default/big#big-7']);
    expect(sink.published).toBe(600);
    expect(sink.retracted).toBe(600);

    expect(sink.lines('svc:default/big')).toEqual(expected(service, slices));
    const a = index.rrset('big.default.svc.cluster.local', RRType.A);
    expect(a).toHaveLength(10_000);
    expect(a.some((rr) => rr.data === '10.2.7.1')).toBe(true);
    expect(a.some((rr) => rr.data === '10.1.7.1')).toBe(false);
    expect(index.rrset('1.7.2.10.in-addr.arpa', RRType.PTR).map((rr) => rr.data)).toEqual(['10-2-7-1.big.default.svc.cluster.local']);
  });

  it('when the endpoint count moves an SRV weight (⌊100 / n⌋), every slice is re-weighted and the records equal the whole Service\'s', () => {
    const { sink, store } = setup(0);
    const service = headless();
    let slices = [slice('a', [{ ip: '10.0.0.1' }]), slice('b', [{ ip: '10.0.0.2' }]), slice('c', [{ ip: '10.0.0.3' }])];
    store.apply([{ type: 'upsert', object: service }, ...slices.map((object) => ({ type: 'upsert' as const, object }))]);
    expect(sink.lines('svc:default/big')).toContain('big.default.svc.cluster.local. 5 IN SRV 0 33 80 10-0-0-1.big.default.svc.cluster.local.');

    sink.reset();
    store.apply([{ type: 'delete', kind: 'EndpointSlice', namespace: 'default', name: 'c' }]);
    slices = slices.slice(0, 2);
    expect([...sink.touched].sort()).toEqual(['svc:default/big#a', 'svc:default/big#b', 'svc:default/big#c']);
    expect(sink.lines('svc:default/big')).toContain('big.default.svc.cluster.local. 5 IN SRV 0 50 80 10-0-0-1.big.default.svc.cluster.local.');
    expect(sink.lines('svc:default/big')).toEqual(expected(service, slices));
  });

  it('a sequence of slice changes (duplicates across slices, a hostname two slices share, relabels, deletes) always leaves the whole Service\'s records', () => {
    const { sink, store } = setup(0);
    const service = headless();
    const current = new Map<string, EndpointSliceInfo>();
    const upsert = (s: EndpointSliceInfo): void => {
      current.set(s.name, s);
      store.apply([{ type: 'upsert', object: s }]);
    };
    const check = (): void => expect(sink.lines('svc:default/big')).toEqual(expected(service, [...current.values()]));

    upsert(slice('a', [{ ip: '10.0.0.1' }, { ip: '10.0.0.2', hostname: 'db' }]));
    store.apply([{ type: 'upsert', object: service }]);
    check();
    upsert(slice('b', [{ ip: '10.0.0.2', hostname: 'db' }, { ip: '10.0.0.3' }])); // the same endpoint in two slices
    check();
    upsert(slice('c', [{ ip: '10.0.0.4', hostname: 'db' }])); // endpoint name `db` now has two addresses
    check();
    upsert(slice('a', [{ ip: '10.0.0.1' }]));
    check();
    const relabelled = { ...slice('b', []), serviceName: 'other' };
    current.delete('b');
    store.apply([{ type: 'upsert', object: relabelled }]);
    check();
    current.delete('c');
    store.apply([{ type: 'delete', kind: 'EndpointSlice', namespace: 'default', name: 'c' }]);
    check();
    store.apply([{ type: 'delete', kind: 'Service', namespace: 'default', name: 'big' }]);
    expect(sink.lines('svc:default/big')).toEqual([]);
  });

  it('a Service splits into per-slice owners past sliceOwnersAbove and goes back to one owner at half of it, its records the same throughout', () => {
    const { sink, store } = setup(4);
    const service = headless();
    const slices = new Map<string, EndpointSliceInfo>();
    const upsert = (s: EndpointSliceInfo): void => {
      slices.set(s.name, s);
      store.apply([{ type: 'upsert', object: s }]);
      expect(sink.lines('svc:default/big')).toEqual(expected(service, [...slices.values()]));
    };
    const sliceOwners = (): string[] => [...sink.owners.keys()].filter((o) => o.startsWith('svc:default/big#')).sort();
    store.apply([{ type: 'upsert', object: service }]);
    upsert(slice('a', [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }]));
    expect(sliceOwners()).toEqual([]);
    upsert(slice('b', [{ ip: '10.0.0.3' }, { ip: '10.0.0.4' }, { ip: '10.0.0.5' }]));
    expect(sliceOwners()).toEqual(['svc:default/big#a', 'svc:default/big#b']);
    upsert(slice('b', [{ ip: '10.0.0.3' }])); // 3 entries: above half of 4, still split
    expect(sliceOwners()).toEqual(['svc:default/big#a', 'svc:default/big#b']);
    upsert(slice('a', [{ ip: '10.0.0.1' }])); // 2 entries: one owner again
    expect(sliceOwners()).toEqual([]);
    expect(sink.owners.has('svc:default/big')).toBe(true);
  });
});
