// The bundled example (examples/cluster.yaml) through the real path: parseManifest → ClusterStore →
// RecordIndex. Every service's exact records, then a few lookups the README's dig commands rely on.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ClusterStore, type RecordSink } from '../../../src/cluster/cluster-store.js';
import { REVERSE_ZONES } from '../../../src/cluster/record-builder.js';
import { parseManifest } from '../../../src/manifest/load-manifest.js';
import { RecordIndex } from '../../../src/records/record-index.js';
import { formatRecord } from '../../../src/wire/presentation.js';
import { RRType, type ResourceRecord } from '../../../src/wire/types.js';
import { serviceOf, zone } from './fake-index.js';

/** Forwards to the real index and remembers each owner's records, to assert per service. */
class Recording implements RecordSink {
  readonly owners = new Map<string, ResourceRecord[]>();
  constructor(readonly index: RecordIndex) {}
  setOwner(owner: string, records: ResourceRecord[], names?: string[]): void {
    this.owners.set(owner, records);
    this.index.setOwner(owner, records, names);
  }
  deleteOwner(owner: string): void {
    this.owners.delete(owner);
    this.index.deleteOwner(owner);
  }
  batch(fn: () => void): void {
    this.index.batch(fn);
  }
  /** A Service's records: its own owner's and its EndpointSlices' (`svc:<ns>/<name>#<slice>`), de-duplicated. */
  lines(owner: string): string[] {
    const records = [...this.owners].filter(([o]) => serviceOf(o) === owner).flatMap(([, rrs]) => rrs);
    return [...new Set(records.map(formatRecord))].sort();
  }
}

const Z = 'cluster.local';
let index: RecordIndex;
let recording: Recording;
let store: ClusterStore;

beforeAll(() => {
  const { objects, skippedKinds } = parseManifest(readFileSync('examples/cluster.yaml', 'utf8'), 'examples/cluster.yaml');
  expect(skippedKinds.size).toBe(0);
  index = new RecordIndex({ zones: [Z, ...REVERSE_ZONES], ttl: 5, now: () => 1700000000 });
  recording = new Recording(index);
  store = new ClusterStore({ index: recording, zones: [Z], ttl: 5, pods: 'verified' });
  store.replaceAll(objects);
  store.markSynced();
});

const services: Array<[string, string]> = [
  [
    'default/kubernetes',
    `
    kubernetes.default.svc.cluster.local. 5 IN A 10.96.0.1
    _https._tcp.kubernetes.default.svc.cluster.local. 5 IN SRV 0 100 443 kubernetes.default.svc.cluster.local.
    kubernetes.default.svc.cluster.local. 5 IN SRV 0 100 443 kubernetes.default.svc.cluster.local.
    172-18-0-2.kubernetes.default.svc.cluster.local. 5 IN A 172.18.0.2
    172-18-0-2.kubernetes.default.svc.cluster.local. 5 IN SRV 0 100 6443 172-18-0-2.kubernetes.default.svc.cluster.local.
    1.0.96.10.in-addr.arpa. 5 IN PTR kubernetes.default.svc.cluster.local.
    2.0.18.172.in-addr.arpa. 5 IN PTR 172-18-0-2.kubernetes.default.svc.cluster.local.`,
  ],
  [
    'kube-system/kube-dns',
    `
    kube-dns.kube-system.svc.cluster.local. 5 IN A 10.96.0.10
    _dns._udp.kube-dns.kube-system.svc.cluster.local. 5 IN SRV 0 100 53 kube-dns.kube-system.svc.cluster.local.
    _dns-tcp._tcp.kube-dns.kube-system.svc.cluster.local. 5 IN SRV 0 100 53 kube-dns.kube-system.svc.cluster.local.
    _metrics._tcp.kube-dns.kube-system.svc.cluster.local. 5 IN SRV 0 100 9153 kube-dns.kube-system.svc.cluster.local.
    kube-dns.kube-system.svc.cluster.local. 5 IN SRV 0 33 53 kube-dns.kube-system.svc.cluster.local.
    kube-dns.kube-system.svc.cluster.local. 5 IN SRV 0 33 9153 kube-dns.kube-system.svc.cluster.local.
    10-244-0-2.kube-dns.kube-system.svc.cluster.local. 5 IN A 10.244.0.2
    10-244-0-2.kube-dns.kube-system.svc.cluster.local. 5 IN SRV 0 33 53 10-244-0-2.kube-dns.kube-system.svc.cluster.local.
    10-244-0-2.kube-dns.kube-system.svc.cluster.local. 5 IN SRV 0 33 9153 10-244-0-2.kube-dns.kube-system.svc.cluster.local.
    10-244-0-3.kube-dns.kube-system.svc.cluster.local. 5 IN A 10.244.0.3
    10-244-0-3.kube-dns.kube-system.svc.cluster.local. 5 IN SRV 0 33 53 10-244-0-3.kube-dns.kube-system.svc.cluster.local.
    10-244-0-3.kube-dns.kube-system.svc.cluster.local. 5 IN SRV 0 33 9153 10-244-0-3.kube-dns.kube-system.svc.cluster.local.
    10.0.96.10.in-addr.arpa. 5 IN PTR kube-dns.kube-system.svc.cluster.local.
    2.0.244.10.in-addr.arpa. 5 IN PTR 10-244-0-2.kube-dns.kube-system.svc.cluster.local.
    3.0.244.10.in-addr.arpa. 5 IN PTR 10-244-0-3.kube-dns.kube-system.svc.cluster.local.`,
  ],
  [
    'default/hello',
    `
    hello.default.svc.cluster.local. 5 IN A 10.96.0.20
    _http._tcp.hello.default.svc.cluster.local. 5 IN SRV 0 100 80 hello.default.svc.cluster.local.
    hello.default.svc.cluster.local. 5 IN SRV 0 100 80 hello.default.svc.cluster.local.
    10-244-1-5.hello.default.svc.cluster.local. 5 IN A 10.244.1.5
    10-244-1-5.hello.default.svc.cluster.local. 5 IN SRV 0 100 8080 10-244-1-5.hello.default.svc.cluster.local.
    10-244-2-6.hello.default.svc.cluster.local. 5 IN A 10.244.2.6
    10-244-2-6.hello.default.svc.cluster.local. 5 IN SRV 0 100 8080 10-244-2-6.hello.default.svc.cluster.local.
    20.0.96.10.in-addr.arpa. 5 IN PTR hello.default.svc.cluster.local.
    5.1.244.10.in-addr.arpa. 5 IN PTR 10-244-1-5.hello.default.svc.cluster.local.
    6.2.244.10.in-addr.arpa. 5 IN PTR 10-244-2-6.hello.default.svc.cluster.local.`,
  ],
  [
    'default/nginx',
    `
    nginx.default.svc.cluster.local. 5 IN A 10.244.1.10
    nginx.default.svc.cluster.local. 5 IN A 10.244.1.11
    nginx-0.nginx.default.svc.cluster.local. 5 IN A 10.244.1.10
    nginx-1.nginx.default.svc.cluster.local. 5 IN A 10.244.1.11
    _web._tcp.nginx.default.svc.cluster.local. 5 IN SRV 0 50 80 nginx-0.nginx.default.svc.cluster.local.
    _web._tcp.nginx.default.svc.cluster.local. 5 IN SRV 0 50 80 nginx-1.nginx.default.svc.cluster.local.
    nginx.default.svc.cluster.local. 5 IN SRV 0 50 80 nginx-0.nginx.default.svc.cluster.local.
    nginx.default.svc.cluster.local. 5 IN SRV 0 50 80 nginx-1.nginx.default.svc.cluster.local.
    nginx-0.nginx.default.svc.cluster.local. 5 IN SRV 0 100 80 nginx-0.nginx.default.svc.cluster.local.
    nginx-1.nginx.default.svc.cluster.local. 5 IN SRV 0 100 80 nginx-1.nginx.default.svc.cluster.local.
    10.1.244.10.in-addr.arpa. 5 IN PTR nginx-0.nginx.default.svc.cluster.local.
    11.1.244.10.in-addr.arpa. 5 IN PTR nginx-1.nginx.default.svc.cluster.local.`,
  ],
  [
    'default/database-service',
    `
    database-service.default.svc.cluster.local. 5 IN CNAME my.database.example.com.`,
  ],
  [
    'default/external-service',
    `
    external-service.default.svc.cluster.local. 5 IN A 10.96.0.40
    _http._tcp.external-service.default.svc.cluster.local. 5 IN SRV 0 100 80 external-service.default.svc.cluster.local.
    external-service.default.svc.cluster.local. 5 IN SRV 0 100 80 external-service.default.svc.cluster.local.
    192-0-2-10.external-service.default.svc.cluster.local. 5 IN A 192.0.2.10
    192-0-2-10.external-service.default.svc.cluster.local. 5 IN SRV 0 100 8080 192-0-2-10.external-service.default.svc.cluster.local.
    192-0-2-11.external-service.default.svc.cluster.local. 5 IN A 192.0.2.11
    192-0-2-11.external-service.default.svc.cluster.local. 5 IN SRV 0 100 8080 192-0-2-11.external-service.default.svc.cluster.local.
    40.0.96.10.in-addr.arpa. 5 IN PTR external-service.default.svc.cluster.local.
    10.2.0.192.in-addr.arpa. 5 IN PTR 192-0-2-10.external-service.default.svc.cluster.local.
    11.2.0.192.in-addr.arpa. 5 IN PTR 192-0-2-11.external-service.default.svc.cluster.local.`,
  ],
  [
    'default/dual',
    `
    dual.default.svc.cluster.local. 5 IN A 10.96.0.30
    dual.default.svc.cluster.local. 5 IN AAAA fd00:10:96::30
    _http._tcp.dual.default.svc.cluster.local. 5 IN SRV 0 50 80 dual.default.svc.cluster.local.
    dual.default.svc.cluster.local. 5 IN SRV 0 50 80 dual.default.svc.cluster.local.
    10-244-2-20.dual.default.svc.cluster.local. 5 IN A 10.244.2.20
    10-244-2-20.dual.default.svc.cluster.local. 5 IN SRV 0 100 8080 10-244-2-20.dual.default.svc.cluster.local.
    fd00-10-244-2--20.dual.default.svc.cluster.local. 5 IN AAAA fd00:10:244:2::20
    fd00-10-244-2--20.dual.default.svc.cluster.local. 5 IN SRV 0 100 8080 fd00-10-244-2--20.dual.default.svc.cluster.local.
    30.0.96.10.in-addr.arpa. 5 IN PTR dual.default.svc.cluster.local.
    0.3.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.6.9.0.0.0.1.0.0.0.0.d.f.ip6.arpa. 5 IN PTR dual.default.svc.cluster.local.
    20.2.244.10.in-addr.arpa. 5 IN PTR 10-244-2-20.dual.default.svc.cluster.local.
    0.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.2.0.0.0.4.4.2.0.0.1.0.0.0.0.d.f.ip6.arpa. 5 IN PTR fd00-10-244-2--20.dual.default.svc.cluster.local.`,
  ],
  [
    'shop/cart',
    `
    cart.shop.svc.cluster.local. 5 IN A 10.96.0.50
    _http._tcp.cart.shop.svc.cluster.local. 5 IN SRV 0 100 80 cart.shop.svc.cluster.local.
    _grpc._tcp.cart.shop.svc.cluster.local. 5 IN SRV 0 100 9090 cart.shop.svc.cluster.local.
    cart.shop.svc.cluster.local. 5 IN SRV 0 50 80 cart.shop.svc.cluster.local.
    cart.shop.svc.cluster.local. 5 IN SRV 0 50 9090 cart.shop.svc.cluster.local.
    10-244-2-30.cart.shop.svc.cluster.local. 5 IN A 10.244.2.30
    10-244-2-30.cart.shop.svc.cluster.local. 5 IN SRV 0 50 8080 10-244-2-30.cart.shop.svc.cluster.local.
    10-244-2-30.cart.shop.svc.cluster.local. 5 IN SRV 0 50 9090 10-244-2-30.cart.shop.svc.cluster.local.
    50.0.96.10.in-addr.arpa. 5 IN PTR cart.shop.svc.cluster.local.
    30.2.244.10.in-addr.arpa. 5 IN PTR 10-244-2-30.cart.shop.svc.cluster.local.`,
  ],
  [
    'shop/ledger',
    `
    ledger.shop.svc.cluster.local. 5 IN AAAA fd00:10:244:1::5
    fd00-10-244-1--5.ledger.shop.svc.cluster.local. 5 IN AAAA fd00:10:244:1::5
    _grpc._tcp.ledger.shop.svc.cluster.local. 5 IN SRV 0 100 9090 fd00-10-244-1--5.ledger.shop.svc.cluster.local.
    ledger.shop.svc.cluster.local. 5 IN SRV 0 100 9090 fd00-10-244-1--5.ledger.shop.svc.cluster.local.
    fd00-10-244-1--5.ledger.shop.svc.cluster.local. 5 IN SRV 0 100 9090 fd00-10-244-1--5.ledger.shop.svc.cluster.local.
    5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.0.0.0.4.4.2.0.0.1.0.0.0.0.d.f.ip6.arpa. 5 IN PTR fd00-10-244-1--5.ledger.shop.svc.cluster.local.`,
  ],
];

describe('examples/cluster.yaml', () => {
  it('holds what the issue asks for', () => {
    expect(store.counts).toEqual({ services: 9, endpointSlices: 9, pods: 11, namespaces: 3 });
    expect([...new Set([...recording.owners.keys()].filter((o) => o.startsWith('svc:')).map(serviceOf))].sort()).toEqual(services.map(([k]) => `svc:${k}`).sort());
  });

  it.each(services)('%s: exact records', (key, expected) => {
    expect(recording.lines(`svc:${key}`)).toEqual(zone(expected));
  });

  it('pods (verified): Running pods only, every IP; the finished Job pod has none', () => {
    const pods = [...recording.owners.keys()].filter((o) => o.startsWith('pod:')).flatMap((o) => recording.lines(o));
    expect(pods.sort()).toEqual(
      zone(`
        10-244-0-2.kube-system.pod.cluster.local. 5 IN A 10.244.0.2
        10-244-0-3.kube-system.pod.cluster.local. 5 IN A 10.244.0.3
        10-244-1-5.default.pod.cluster.local. 5 IN A 10.244.1.5
        10-244-2-6.default.pod.cluster.local. 5 IN A 10.244.2.6
        10-244-1-10.default.pod.cluster.local. 5 IN A 10.244.1.10
        10-244-1-11.default.pod.cluster.local. 5 IN A 10.244.1.11
        10-244-1-12.default.pod.cluster.local. 5 IN A 10.244.1.12
        10-244-2-20.default.pod.cluster.local. 5 IN A 10.244.2.20
        fd00-10-244-2--20.default.pod.cluster.local. 5 IN AAAA fd00:10:244:2::20
        10-244-2-30.shop.pod.cluster.local. 5 IN A 10.244.2.30
        fd00-10-244-1--5.shop.pod.cluster.local. 5 IN AAAA fd00:10:244:1::5`),
    );
  });

  it('zone records: NS, schema version, ns.dns = the kube-dns cluster IP', () => {
    expect(recording.lines('zone')).toEqual(
      zone(`
        cluster.local. 5 IN NS ns.dns.cluster.local.
        dns-version.cluster.local. 28800 IN TXT "1.1.0"
        ns.dns.cluster.local. 5 IN A 10.96.0.10
        in-addr.arpa. 5 IN NS ns.dns.in-addr.arpa.
        ns.dns.in-addr.arpa. 5 IN A 10.96.0.10
        ip6.arpa. 5 IN NS ns.dns.ip6.arpa.
        ns.dns.ip6.arpa. 5 IN A 10.96.0.10`),
    );
  });
});

describe('examples/cluster.yaml through RecordIndex.lookup', () => {
  const answer = (qname: string, qtype: number) => {
    const result = index.lookup(qname, qtype);
    return {
      kind: result.kind,
      answer: 'answer' in result ? result.answer.map(formatRecord).sort() : [],
      additional: result.kind === 'answer' ? result.additional.map(formatRecord).sort() : [],
    };
  };

  it.each<[string, string, number, string]>([
    ['ClusterIP A', 'hello.default.svc.cluster.local', RRType.A, 'answer'],
    ['IPv4-only service asked AAAA', 'hello.default.svc.cluster.local', RRType.AAAA, 'nodata'],
    ['not-ready StatefulSet pod', 'nginx-2.nginx.default.svc.cluster.local', RRType.A, 'nxdomain'],
    ['existing namespace', 'default.svc.cluster.local', RRType.A, 'nodata'],
    ['namespace from a Namespace object with pods only', 'kube-system.pod.cluster.local', RRType.A, 'nodata'],
    ['unknown namespace', 'nope.svc.cluster.local', RRType.A, 'nxdomain'],
    ['svc.<zone>', 'svc.cluster.local', RRType.A, 'nodata'],
    ['pod.<zone>', 'pod.cluster.local', RRType.A, 'nodata'],
    ['dns-version asked A', 'dns-version.cluster.local', RRType.A, 'nodata'],
    ['below an ExternalName', 'x.database-service.default.svc.cluster.local', RRType.A, 'nxdomain'],
    ['finished Job pod', '10-244-2-31.shop.pod.cluster.local', RRType.A, 'nxdomain'],
  ])('%s: %s', (_label, qname, qtype, kind) => {
    expect(answer(qname, qtype).kind).toBe(kind);
  });

  it('headless SRV carries the targets\' addresses in the additional section', () => {
    expect(answer('_web._tcp.nginx.default.svc.cluster.local', RRType.SRV)).toEqual({
      kind: 'answer',
      answer: zone(`
        _web._tcp.nginx.default.svc.cluster.local. 5 IN SRV 0 50 80 nginx-0.nginx.default.svc.cluster.local.
        _web._tcp.nginx.default.svc.cluster.local. 5 IN SRV 0 50 80 nginx-1.nginx.default.svc.cluster.local.`),
      additional: zone(`
        nginx-0.nginx.default.svc.cluster.local. 5 IN A 10.244.1.10
        nginx-1.nginx.default.svc.cluster.local. 5 IN A 10.244.1.11`),
    });
  });

  it('ExternalName answers its CNAME; PTR answers the service name', () => {
    expect(answer('database-service.default.svc.cluster.local', RRType.A).answer).toEqual([
      'database-service.default.svc.cluster.local. 5 IN CNAME my.database.example.com.',
    ]);
    expect(answer('10.0.96.10.in-addr.arpa', RRType.PTR).answer).toEqual(['10.0.96.10.in-addr.arpa. 5 IN PTR kube-dns.kube-system.svc.cluster.local.']);
    expect(answer('10.1.244.10.in-addr.arpa', RRType.PTR).answer).toEqual(['10.1.244.10.in-addr.arpa. 5 IN PTR nginx-0.nginx.default.svc.cluster.local.']);
  });

  it('dual-stack AAAA and an IPv6 headless endpoint', () => {
    expect(answer('dual.default.svc.cluster.local', RRType.AAAA).answer).toEqual(['dual.default.svc.cluster.local. 5 IN AAAA fd00:10:96::30']);
    expect(answer('fd00-10-244-1--5.ledger.shop.svc.cluster.local', RRType.AAAA).answer).toEqual([
      'fd00-10-244-1--5.ledger.shop.svc.cluster.local. 5 IN AAAA fd00:10:244:1::5',
    ]);
  });
});
