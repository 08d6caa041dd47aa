// The record builder, table-driven: each case is objects in, the exact records out as zone-file lines.
import { describe, expect, it } from 'vitest';
import type { EndpointSliceInfo, PodInfo, PodsMode, ServiceInfo } from '../../../src/cluster/objects.js';
import {
  buildNamespaceRecords,
  buildPodRecords,
  buildServiceRecords,
  buildZoneRecords,
} from '../../../src/cluster/record-builder.js';
import { sortedLines, zone } from './fake-index.js';

const ZONES = ['cluster.local'];

function svc(fields: Partial<ServiceInfo> & { name: string }): ServiceInfo {
  return {
    kind: 'Service',
    namespace: 'default',
    type: 'ClusterIP',
    headless: false,
    clusterIPs: [],
    ports: [],
    publishNotReadyAddresses: false,
    ...fields,
  };
}

function slice(fields: Partial<EndpointSliceInfo> & { name: string; serviceName?: string }): EndpointSliceInfo {
  return { kind: 'EndpointSlice', namespace: 'default', addressType: 'IPv4', endpoints: [], ports: [], ...fields };
}

const http = { name: 'http', port: 80, protocol: 'TCP' as const };

const nginxSlice = slice({
  name: 'nginx-abc',
  serviceName: 'nginx',
  endpoints: [
    { addresses: ['10.244.1.10'], ready: true, hostname: 'nginx-0' },
    { addresses: ['10.244.1.11'], ready: true, hostname: 'nginx-1' },
    { addresses: ['10.244.1.12'], ready: false, hostname: 'nginx-2' },
  ],
  ports: [{ name: 'web', port: 80, protocol: 'TCP' }],
});
const nginx = svc({ name: 'nginx', headless: true, ports: [{ name: 'web', port: 80, protocol: 'TCP' }] });

interface Case {
  name: string;
  service: ServiceInfo;
  slices?: EndpointSliceInfo[];
  zones?: string[];
  ttl?: number;
  expected: string;
}

const cases: Case[] = [
  {
    name: 'ClusterIP with a named port and two ready endpoints (no hostnames)',
    service: svc({ name: 'hello', clusterIPs: ['10.96.0.20'], ports: [http] }),
    slices: [
      slice({
        name: 'hello-1',
        serviceName: 'hello',
        endpoints: [
          { addresses: ['10.244.1.5'], ready: true },
          { addresses: ['10.244.2.6'], ready: true },
        ],
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      }),
    ],
    expected: `
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
  },
  {
    name: 'ClusterIP without endpoints, a named and an unnamed port, UDP; the TTL is applied',
    service: svc({
      name: 'kube-dns',
      namespace: 'kube-system',
      clusterIPs: ['10.96.0.10'],
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP' },
        { name: 'dns-tcp', port: 53, protocol: 'TCP' },
        { port: 9153, protocol: 'TCP' },
      ],
    }),
    ttl: 30,
    expected: `
      kube-dns.kube-system.svc.cluster.local. 30 IN A 10.96.0.10
      _dns._udp.kube-dns.kube-system.svc.cluster.local. 30 IN SRV 0 100 53 kube-dns.kube-system.svc.cluster.local.
      _dns-tcp._tcp.kube-dns.kube-system.svc.cluster.local. 30 IN SRV 0 100 53 kube-dns.kube-system.svc.cluster.local.
      ; CoreDNS: the bare name lists every declared port, weight 100/3, one SRV per distinct port
      kube-dns.kube-system.svc.cluster.local. 30 IN SRV 0 33 53 kube-dns.kube-system.svc.cluster.local.
      kube-dns.kube-system.svc.cluster.local. 30 IN SRV 0 33 9153 kube-dns.kube-system.svc.cluster.local.
      10.0.96.10.in-addr.arpa. 30 IN PTR kube-dns.kube-system.svc.cluster.local.`,
  },
  {
    name: 'dual-stack ClusterIP: A and AAAA, PTR in both reverse trees, SRV weight as CoreDNS (2 addresses)',
    service: svc({ name: 'dual', clusterIPs: ['10.96.0.30', 'fd00:10:96::30'], ports: [http] }),
    expected: `
      dual.default.svc.cluster.local. 5 IN A 10.96.0.30
      dual.default.svc.cluster.local. 5 IN AAAA fd00:10:96::30
      _http._tcp.dual.default.svc.cluster.local. 5 IN SRV 0 50 80 dual.default.svc.cluster.local.
      dual.default.svc.cluster.local. 5 IN SRV 0 50 80 dual.default.svc.cluster.local.
      30.0.96.10.in-addr.arpa. 5 IN PTR dual.default.svc.cluster.local.
      0.3.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.6.9.0.0.0.1.0.0.0.0.d.f.ip6.arpa. 5 IN PTR dual.default.svc.cluster.local.`,
  },
  {
    name: 'ClusterIP without any port: A and PTR, no SRV',
    service: svc({ name: 'bare', clusterIPs: ['10.96.0.9'] }),
    expected: `
      bare.default.svc.cluster.local. 5 IN A 10.96.0.9
      9.0.96.10.in-addr.arpa. 5 IN PTR bare.default.svc.cluster.local.`,
  },
  {
    name: 'ClusterIP not yet allocated: nothing',
    service: svc({ name: 'pending', ports: [http] }),
    expected: '',
  },
  {
    name: 'headless: ready endpoints only, hostnames, SRV endpoints × ports, PTR → hostname records',
    service: nginx,
    slices: [nginxSlice],
    expected: `
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
  },
  {
    name: 'headless with publishNotReadyAddresses: the not-ready endpoint is published too',
    service: { ...nginx, publishNotReadyAddresses: true },
    slices: [nginxSlice],
    expected: `
      nginx.default.svc.cluster.local. 5 IN A 10.244.1.10
      nginx.default.svc.cluster.local. 5 IN A 10.244.1.11
      nginx.default.svc.cluster.local. 5 IN A 10.244.1.12
      nginx-0.nginx.default.svc.cluster.local. 5 IN A 10.244.1.10
      nginx-1.nginx.default.svc.cluster.local. 5 IN A 10.244.1.11
      nginx-2.nginx.default.svc.cluster.local. 5 IN A 10.244.1.12
      _web._tcp.nginx.default.svc.cluster.local. 5 IN SRV 0 33 80 nginx-0.nginx.default.svc.cluster.local.
      _web._tcp.nginx.default.svc.cluster.local. 5 IN SRV 0 33 80 nginx-1.nginx.default.svc.cluster.local.
      _web._tcp.nginx.default.svc.cluster.local. 5 IN SRV 0 33 80 nginx-2.nginx.default.svc.cluster.local.
      nginx.default.svc.cluster.local. 5 IN SRV 0 33 80 nginx-0.nginx.default.svc.cluster.local.
      nginx.default.svc.cluster.local. 5 IN SRV 0 33 80 nginx-1.nginx.default.svc.cluster.local.
      nginx.default.svc.cluster.local. 5 IN SRV 0 33 80 nginx-2.nginx.default.svc.cluster.local.
      nginx-0.nginx.default.svc.cluster.local. 5 IN SRV 0 100 80 nginx-0.nginx.default.svc.cluster.local.
      nginx-1.nginx.default.svc.cluster.local. 5 IN SRV 0 100 80 nginx-1.nginx.default.svc.cluster.local.
      nginx-2.nginx.default.svc.cluster.local. 5 IN SRV 0 100 80 nginx-2.nginx.default.svc.cluster.local.
      10.1.244.10.in-addr.arpa. 5 IN PTR nginx-0.nginx.default.svc.cluster.local.
      11.1.244.10.in-addr.arpa. 5 IN PTR nginx-1.nginx.default.svc.cluster.local.
      12.1.244.10.in-addr.arpa. 5 IN PTR nginx-2.nginx.default.svc.cluster.local.`,
  },
  {
    name: 'headless with no ready endpoint: nothing (NXDOMAIN)',
    service: nginx,
    slices: [slice({ name: 'n', serviceName: 'nginx', endpoints: [{ addresses: ['10.244.1.12'], ready: false, hostname: 'nginx-2' }], ports: nginxSlice.ports })],
    expected: '',
  },
  {
    name: 'headless over several slices: aggregated, de-duplicated, both families, IPv6 dashed names; FQDN and foreign slices ignored',
    service: svc({ name: 'db', headless: true, ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }] }),
    slices: [
      slice({
        name: 'db-a',
        serviceName: 'db',
        endpoints: [
          { addresses: ['10.244.1.20'], ready: true, hostname: 'db-0' },
          { addresses: ['10.244.1.21'], ready: true },
        ],
        ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }],
      }),
      // The same endpoint again (slices overlap while the controller moves endpoints between them).
      slice({
        name: 'db-b',
        serviceName: 'db',
        endpoints: [{ addresses: ['10.244.1.20'], ready: true, hostname: 'db-0' }],
        ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }],
      }),
      slice({
        name: 'db-v6',
        serviceName: 'db',
        addressType: 'IPv6',
        endpoints: [
          { addresses: ['fd00:10:244:1::20'], ready: true, hostname: 'db-0' },
          { addresses: ['fd00:10:244:1::5'], ready: true },
        ],
        ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }],
      }),
      slice({ name: 'db-fqdn', serviceName: 'db', addressType: 'FQDN', endpoints: [{ addresses: ['db.example.com'], ready: true }], ports: [] }),
      slice({ name: 'other', serviceName: 'other', endpoints: [{ addresses: ['10.244.9.9'], ready: true }], ports: [] }),
      slice({ name: 'elsewhere', namespace: 'prod', serviceName: 'db', endpoints: [{ addresses: ['10.244.8.8'], ready: true }], ports: [] }),
    ],
    expected: `
      db.default.svc.cluster.local. 5 IN A 10.244.1.20
      db.default.svc.cluster.local. 5 IN A 10.244.1.21
      db.default.svc.cluster.local. 5 IN AAAA fd00:10:244:1::20
      db.default.svc.cluster.local. 5 IN AAAA fd00:10:244:1::5
      db-0.db.default.svc.cluster.local. 5 IN A 10.244.1.20
      db-0.db.default.svc.cluster.local. 5 IN AAAA fd00:10:244:1::20
      10-244-1-21.db.default.svc.cluster.local. 5 IN A 10.244.1.21
      fd00-10-244-1--5.db.default.svc.cluster.local. 5 IN AAAA fd00:10:244:1::5
      _pg._tcp.db.default.svc.cluster.local. 5 IN SRV 0 25 5432 db-0.db.default.svc.cluster.local.
      _pg._tcp.db.default.svc.cluster.local. 5 IN SRV 0 25 5432 10-244-1-21.db.default.svc.cluster.local.
      _pg._tcp.db.default.svc.cluster.local. 5 IN SRV 0 25 5432 fd00-10-244-1--5.db.default.svc.cluster.local.
      db.default.svc.cluster.local. 5 IN SRV 0 25 5432 db-0.db.default.svc.cluster.local.
      db.default.svc.cluster.local. 5 IN SRV 0 25 5432 10-244-1-21.db.default.svc.cluster.local.
      db.default.svc.cluster.local. 5 IN SRV 0 25 5432 fd00-10-244-1--5.db.default.svc.cluster.local.
      db-0.db.default.svc.cluster.local. 5 IN SRV 0 50 5432 db-0.db.default.svc.cluster.local.
      10-244-1-21.db.default.svc.cluster.local. 5 IN SRV 0 100 5432 10-244-1-21.db.default.svc.cluster.local.
      fd00-10-244-1--5.db.default.svc.cluster.local. 5 IN SRV 0 100 5432 fd00-10-244-1--5.db.default.svc.cluster.local.
      20.1.244.10.in-addr.arpa. 5 IN PTR db-0.db.default.svc.cluster.local.
      21.1.244.10.in-addr.arpa. 5 IN PTR 10-244-1-21.db.default.svc.cluster.local.
      0.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.0.0.0.4.4.2.0.0.1.0.0.0.0.d.f.ip6.arpa. 5 IN PTR db-0.db.default.svc.cluster.local.
      5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.0.0.0.4.4.2.0.0.1.0.0.0.0.d.f.ip6.arpa. 5 IN PTR fd00-10-244-1--5.db.default.svc.cluster.local.`,
  },
  {
    name: 'headless slice without ports: addresses, no SRV',
    service: svc({ name: 'raw', headless: true }),
    slices: [slice({ name: 'raw-1', serviceName: 'raw', endpoints: [{ addresses: ['10.244.3.3'], ready: true, hostname: 'r' }] })],
    expected: `
      raw.default.svc.cluster.local. 5 IN A 10.244.3.3
      r.raw.default.svc.cluster.local. 5 IN A 10.244.3.3
      3.3.244.10.in-addr.arpa. 5 IN PTR r.raw.default.svc.cluster.local.`,
  },
  {
    name: 'ExternalName: CNAME to the external name, no PTR, nothing below',
    service: svc({ name: 'database-service', type: 'ExternalName', externalName: 'my.database.example.com' }),
    expected: `
      database-service.default.svc.cluster.local. 5 IN CNAME my.database.example.com.`,
  },
  {
    name: 'ExternalName holding an IPv4 address answers A',
    service: svc({ name: 'legacy', type: 'ExternalName', externalName: '192.0.2.44' }),
    expected: `
      legacy.default.svc.cluster.local. 5 IN A 192.0.2.44`,
  },
  {
    name: 'ExternalName holding an IPv6 address answers AAAA',
    service: svc({ name: 'legacy6', type: 'ExternalName', externalName: '2001:db8::44' }),
    expected: `
      legacy6.default.svc.cluster.local. 5 IN AAAA 2001:db8::44`,
  },
  {
    name: 'several zones: forward records in each, PTR once into the first',
    service: svc({ name: 'hello', clusterIPs: ['10.96.0.20'], ports: [http] }),
    zones: ['cluster.local', 'example.org'],
    expected: `
      hello.default.svc.cluster.local. 5 IN A 10.96.0.20
      _http._tcp.hello.default.svc.cluster.local. 5 IN SRV 0 100 80 hello.default.svc.cluster.local.
      hello.default.svc.cluster.local. 5 IN SRV 0 100 80 hello.default.svc.cluster.local.
      hello.default.svc.example.org. 5 IN A 10.96.0.20
      _http._tcp.hello.default.svc.example.org. 5 IN SRV 0 100 80 hello.default.svc.example.org.
      hello.default.svc.example.org. 5 IN SRV 0 100 80 hello.default.svc.example.org.
      20.0.96.10.in-addr.arpa. 5 IN PTR hello.default.svc.cluster.local.`,
  },
  {
    name: 'ClusterIP: not-ready endpoints get no endpoint name and no PTR',
    service: svc({ name: 'web', clusterIPs: ['10.96.0.60'] }),
    slices: [
      slice({
        name: 'web-1',
        serviceName: 'web',
        endpoints: [
          { addresses: ['10.244.4.1'], ready: true, hostname: 'web-a' },
          { addresses: ['10.244.4.2'], ready: false },
        ],
      }),
    ],
    expected: `
      web.default.svc.cluster.local. 5 IN A 10.96.0.60
      web-a.web.default.svc.cluster.local. 5 IN A 10.244.4.1
      60.0.96.10.in-addr.arpa. 5 IN PTR web.default.svc.cluster.local.
      1.4.244.10.in-addr.arpa. 5 IN PTR web-a.web.default.svc.cluster.local.`,
  },
];

describe('buildServiceRecords', () => {
  it.each(cases)('$name', ({ service, slices = [], zones = ZONES, ttl = 5, expected }) => {
    const { records, names } = buildServiceRecords(service, slices, { zones, ttl });
    expect(sortedLines(records)).toEqual(zone(expected));
    expect(names).toEqual([]);
    // No duplicates leave the builder.
    expect(records.length).toBe(sortedLines(records).length);
  });
});

describe('buildServiceRecords with CoreDNS kubernetes options', () => {
  const web = svc({ name: 'web', clusterIPs: ['10.96.0.60'], ports: [http] });
  const webSlice = slice({ name: 'web-a', serviceName: 'web', endpoints: [{ addresses: ['10.244.4.1'], ready: true, hostname: 'web-a' }], ports: [http] });
  const notReady = slice({ name: 'web-b', serviceName: 'web', endpoints: [{ addresses: ['10.244.4.2'], ready: false }], ports: [http] });
  const names = (records: ReturnType<typeof buildServiceRecords>['records']) => [...new Set(records.map((record) => record.name))].sort();

  it('ignore empty_service: a ClusterIP Service with no ready endpoint has no records at all (NXDOMAIN), one with a ready endpoint keeps them', () => {
    expect(buildServiceRecords(web, [notReady], { zones: ZONES, ttl: 5, ignoreEmptyService: true }).records).toEqual([]);
    expect(buildServiceRecords(web, [notReady], { zones: ZONES, ttl: 5 }).records.length).toBeGreaterThan(0);
    expect(names(buildServiceRecords(web, [webSlice], { zones: ZONES, ttl: 5, ignoreEmptyService: true }).records)).toContain('web.default.svc.cluster.local');
  });

  it('noendpoints: no endpoint names, headless Services empty, ClusterIP Services keep their cluster IP', () => {
    expect(buildServiceRecords(nginx, [nginxSlice], { zones: ZONES, ttl: 5, noEndpoints: true }).records).toEqual([]);
    const plain = buildServiceRecords(web, [webSlice], { zones: ZONES, ttl: 5, noEndpoints: true }).records;
    expect(names(plain)).not.toContain('web-a.web.default.svc.cluster.local');
    expect(plain.filter((record) => record.name === 'web.default.svc.cluster.local' && record.type === 1).map((record) => record.data)).toEqual(['10.96.0.60']);
  });
});

describe('buildServiceRecords with endpoint Pod names (CoreDNS endpoint_pod_names)', () => {
  const db = svc({ name: 'db', headless: true, ports: [http] });
  const dbSlice = slice({
    name: 'db-a',
    serviceName: 'db',
    endpoints: [
      { addresses: ['10.244.5.1'], ready: true, podName: 'db-5f7c-abcde' },
      { addresses: ['10.244.5.2'], ready: true, hostname: 'primary' },
      { addresses: ['10.244.5.3'], ready: true },
    ],
    ports: [http],
  });

  it('names an endpoint by its Pod when it has no hostname, in A, SRV targets and PTR; the hostname still wins; else the dashed IP', () => {
    const records = buildServiceRecords(db, [dbSlice], { zones: ZONES, ttl: 5 }).records;
    const lines = (type: number, name?: string) => records.filter((r) => r.type === type && (name === undefined || r.name === name)).map((r) => `${r.name} ${String(r.data)}`).sort();
    expect(lines(1).filter((line) => !line.startsWith('db.'))).toEqual([
      '10-244-5-3.db.default.svc.cluster.local 10.244.5.3',
      'db-5f7c-abcde.db.default.svc.cluster.local 10.244.5.1',
      'primary.db.default.svc.cluster.local 10.244.5.2',
    ]);
    expect(records.filter((r) => r.type === 33 && r.name === '_http._tcp.db.default.svc.cluster.local').map((r) => (r.data as { target: string }).target).sort()).toEqual([
      '10-244-5-3.db.default.svc.cluster.local',
      'db-5f7c-abcde.db.default.svc.cluster.local',
      'primary.db.default.svc.cluster.local',
    ]);
    expect(lines(12, '1.5.244.10.in-addr.arpa')).toEqual(['1.5.244.10.in-addr.arpa db-5f7c-abcde.db.default.svc.cluster.local']);
  });
});

describe('buildServiceRecords de-duplication', () => {
  // Record lists past 16 records switch from comparing records to keying them; the output stays duplicate-free.
  it.each([2, 20])('%i named ports, each listed twice, give one SRV record each', (count) => {
    const ports = Array.from({ length: count }, (_, i) => ({ name: `p${i}`, port: 8000 + i, protocol: 'TCP' as const }));
    const service = svc({ name: 'multi', clusterIPs: ['10.96.0.70'], ports: [...ports, ...ports] });
    const lines = sortedLines(buildServiceRecords(service, [], { zones: ZONES, ttl: 5 }).records);
    expect(new Set(lines).size).toBe(lines.length);
    for (let i = 0; i < count; i++) {
      // (The API server rejects duplicate port names; the builder must still not emit a record twice.)
      expect(lines.filter((line) => line.startsWith(`_p${i}._tcp.multi.default.svc.cluster.local. 5 IN SRV `))).toHaveLength(1);
    }
  });
});

describe('buildNamespaceRecords', () => {
  it.each<[PodsMode, string[]]>([
    ['verified', ['shop.pod.cluster.local', 'shop.svc.cluster.local', 'shop.pod.example.org', 'shop.svc.example.org'].sort()],
    ['insecure', ['shop.pod.cluster.local', 'shop.svc.cluster.local', 'shop.pod.example.org', 'shop.svc.example.org'].sort()],
    ['disabled', ['shop.svc.cluster.local', 'shop.svc.example.org']],
  ])('pods %s', (pods, names) => {
    const out = buildNamespaceRecords('shop', { zones: ['cluster.local', 'example.org'], ttl: 5, pods });
    expect(out.records).toEqual([]);
    expect([...out.names].sort()).toEqual(names);
  });
});

describe('buildPodRecords', () => {
  const pod = (phase: string, ips: string[]): PodInfo => ({ kind: 'Pod', namespace: 'default', name: 'p', ips, phase });
  it.each<[string, PodInfo, PodsMode, string]>([
    ['Running, verified', pod('Running', ['10.244.1.10']), 'verified', '10-244-1-10.default.pod.cluster.local. 5 IN A 10.244.1.10'],
    [
      'Running dual-stack, verified',
      pod('Running', ['10.244.2.20', 'fd00:10:244:2::20']),
      'verified',
      `10-244-2-20.default.pod.cluster.local. 5 IN A 10.244.2.20
       fd00-10-244-2--20.default.pod.cluster.local. 5 IN AAAA fd00:10:244:2::20`,
    ],
    ['Pending, verified', pod('Pending', ['10.244.1.10']), 'verified', ''],
    ['Running but being deleted (deletionTimestamp), verified', { ...pod('Running', ['10.244.1.10']), terminating: true }, 'verified', ''],
    ['Succeeded, verified', pod('Succeeded', ['10.244.1.10']), 'verified', ''],
    ['Running, insecure (the handler answers these)', pod('Running', ['10.244.1.10']), 'insecure', ''],
    ['Running, disabled', pod('Running', ['10.244.1.10']), 'disabled', ''],
  ])('%s', (_label, p, pods, expected) => {
    const out = buildPodRecords(p, { zones: ZONES, ttl: 5, pods });
    expect(sortedLines(out.records)).toEqual(zone(expected));
  });
});

describe('buildZoneRecords', () => {
  it('with kube-system/kube-dns: NS, TXT, ns.dns addresses = its cluster IPs', () => {
    const dns = svc({ name: 'kube-dns', namespace: 'kube-system', clusterIPs: ['10.96.0.10', 'fd00:10:96::a'] });
    const out = buildZoneRecords({ zones: ['cluster.local', 'example.org'], ttl: 5, reverseZones: [] }, dns);
    expect(sortedLines(out.records)).toEqual(
      zone(`
        cluster.local. 5 IN NS ns.dns.cluster.local.
        dns-version.cluster.local. 28800 IN TXT "1.1.0"
        ns.dns.cluster.local. 5 IN A 10.96.0.10
        ns.dns.cluster.local. 5 IN AAAA fd00:10:96::a
        example.org. 5 IN NS ns.dns.example.org.
        dns-version.example.org. 28800 IN TXT "1.1.0"
        ns.dns.example.org. 5 IN A 10.96.0.10
        ns.dns.example.org. 5 IN AAAA fd00:10:96::a`),
    );
    expect([...out.names].sort()).toEqual(
      ['ns.dns.cluster.local', 'svc.cluster.local', 'pod.cluster.local', 'ns.dns.example.org', 'svc.example.org', 'pod.example.org'].sort(),
    );
  });

  it('without it: ns.dns.<zone> exists without addresses; the reverse zones get their apex NS', () => {
    const out = buildZoneRecords({ zones: ZONES, ttl: 5 });
    expect(sortedLines(out.records)).toEqual(
      zone(`
        cluster.local. 5 IN NS ns.dns.cluster.local.
        dns-version.cluster.local. 28800 IN TXT "1.1.0"
        in-addr.arpa. 5 IN NS ns.dns.in-addr.arpa.
        ip6.arpa. 5 IN NS ns.dns.ip6.arpa.`),
    );
    expect([...out.names].sort()).toEqual(['ns.dns.cluster.local', 'ns.dns.in-addr.arpa', 'ns.dns.ip6.arpa', 'pod.cluster.local', 'svc.cluster.local']);
  });

  it('reverse zones: ns.dns.<reverse zone> answers the DNS service addresses too', () => {
    const dns = svc({ name: 'kube-dns', namespace: 'kube-system', clusterIPs: ['10.96.0.10'] });
    const out = buildZoneRecords({ zones: ZONES, ttl: 5, reverseZones: ['in-addr.arpa'] }, dns);
    expect(sortedLines(out.records)).toEqual(
      zone(`
        cluster.local. 5 IN NS ns.dns.cluster.local.
        dns-version.cluster.local. 28800 IN TXT "1.1.0"
        ns.dns.cluster.local. 5 IN A 10.96.0.10
        in-addr.arpa. 5 IN NS ns.dns.in-addr.arpa.
        ns.dns.in-addr.arpa. 5 IN A 10.96.0.10`),
    );
  });
});
