import { describe, expect, it } from 'vitest';
import { canonicalIp, trimObject } from '../../../src/cluster/trim.js';
import type { EndpointSliceInfo } from '../../../src/cluster/objects.js';

const meta = (name: string, namespace?: string, extra: Record<string, unknown> = {}) => ({
  name,
  ...(namespace === undefined ? {} : { namespace }),
  uid: `uid-${name}`,
  resourceVersion: '123',
  creationTimestamp: '2025-01-15T09:10:41Z',
  managedFields: [{ manager: 'kubectl' }],
  ...extra,
});

describe('trimObject: Namespace', () => {
  it('keeps the name only (the uid and everything else is dropped)', () => {
    expect(
      trimObject({ apiVersion: 'v1', kind: 'Namespace', metadata: meta('Shop'), spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } }),
    ).toEqual({ kind: 'Namespace', name: 'shop' });
  });
});

describe('trimObject: Service', () => {
  it('ClusterIP: clusterIPs, ports (name lowercased, protocol defaulted), flags', () => {
    const raw = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta('hello', 'default', { labels: { app: 'hello' } }),
      spec: {
        type: 'ClusterIP',
        clusterIP: '10.96.0.20',
        clusterIPs: ['10.96.0.20'],
        ports: [
          { name: 'HTTP', port: 80, targetPort: 8080, protocol: 'TCP' },
          { port: 9000 },
          { name: 'dns', port: 53, protocol: 'UDP' },
        ],
        selector: { app: 'hello' },
        publishNotReadyAddresses: true,
      },
      status: { loadBalancer: {} },
    };
    expect(trimObject(raw)).toEqual({
      kind: 'Service',
      namespace: 'default',
      name: 'hello',
      type: 'ClusterIP',
      headless: false,
      clusterIPs: ['10.96.0.20'],
      ports: [
        { name: 'http', port: 80, protocol: 'TCP' },
        { port: 9000, protocol: 'TCP' },
        { name: 'dns', port: 53, protocol: 'UDP' },
      ],
      publishNotReadyAddresses: true,
    });
  });

  it('falls back to spec.clusterIP, defaults type and namespace', () => {
    const s = trimObject({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'a' }, spec: { clusterIP: '10.0.0.1' } });
    expect(s).toMatchObject({ namespace: 'default', type: 'ClusterIP', headless: false, clusterIPs: ['10.0.0.1'], ports: [] });
    expect(s).not.toHaveProperty('uid');
  });

  it('headless: clusterIP None, no cluster IPs', () => {
    const s = trimObject({ apiVersion: 'v1', kind: 'Service', metadata: meta('nginx', 'default'), spec: { clusterIP: 'None', clusterIPs: ['None'], ports: [{ name: 'web', port: 80 }] } });
    expect(s).toMatchObject({ headless: true, clusterIPs: [] });
  });

  it('dual-stack: both families, IPv6 canonicalised, empty entries dropped', () => {
    const s = trimObject({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta('dual', 'default'),
      spec: { type: 'NodePort', clusterIP: '10.96.0.30', clusterIPs: ['10.96.0.30', 'FD00:10:96:0:0:0:0:30', ''], ipFamilyPolicy: 'RequireDualStack' },
    });
    expect(s).toMatchObject({ type: 'NodePort', headless: false, clusterIPs: ['10.96.0.30', 'fd00:10:96::30'] });
  });

  it('ExternalName: target lowercased without the trailing dot, no cluster IPs', () => {
    const s = trimObject({ apiVersion: 'v1', kind: 'Service', metadata: meta('db', 'default'), spec: { type: 'ExternalName', externalName: 'My.Database.Example.com.' } });
    expect(s).toMatchObject({ type: 'ExternalName', externalName: 'my.database.example.com', clusterIPs: [], headless: false });
  });
});

describe('trimObject: EndpointSlice', () => {
  describe('the Pod names of endpoints (CoreDNS endpoint_pod_names)', () => {
    const raw = {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      addressType: 'IPv4',
      metadata: meta('web-abc', 'default', { labels: { 'kubernetes.io/service-name': 'web' } }),
      endpoints: [
        { addresses: ['10.244.1.10'], targetRef: { kind: 'Pod', namespace: 'default', name: 'Web-7d9f-X2' } },
        { addresses: ['10.244.1.11'], hostname: 'named', targetRef: { kind: 'Pod', name: 'web-7d9f-y3' } },
        { addresses: ['10.244.1.12'], targetRef: { kind: 'Node', name: 'node-1' } },
        { addresses: ['10.244.1.13'], targetRef: { kind: 'Pod', name: `p${'x'.repeat(63)}` } },
      ],
    };
    const endpoints = (options?: { podNames?: boolean }) => (trimObject(raw, undefined, options) as EndpointSliceInfo).endpoints;

    it('are not kept by default: memory a cluster without endpoint_pod_names saves', () => {
      expect(endpoints().map((endpoint) => 'podName' in endpoint)).toEqual([false, false, false, false]);
    });

    it('are kept lowercase with podNames, only for a Pod targetRef of at most 63 characters and an endpoint without hostname', () => {
      expect(endpoints({ podNames: true })).toEqual([
        { addresses: ['10.244.1.10'], ready: true, podName: 'web-7d9f-x2' },
        { addresses: ['10.244.1.11'], ready: true, hostname: 'named' },
        { addresses: ['10.244.1.12'], ready: true },
        { addresses: ['10.244.1.13'], ready: true },
      ]);
    });
  });

  it('ready defaults to true, hostname and the service-name label are kept, portless ports dropped', () => {
    const raw = {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      addressType: 'IPv4',
      metadata: meta('nginx-abc', 'default', { labels: { 'kubernetes.io/service-name': 'nginx', 'endpointslice.kubernetes.io/managed-by': 'x' } }),
      endpoints: [
        { addresses: ['10.244.1.10'], conditions: { ready: true, serving: true }, hostname: 'nginx-0', nodeName: 'w1', targetRef: { kind: 'Pod', name: 'nginx-0' } },
        { addresses: ['10.244.1.11'] },
        { addresses: ['10.244.1.12', '10.244.1.12'], conditions: { ready: false } },
      ],
      ports: [{ name: 'web', port: 80, protocol: 'TCP' }, { name: 'all' }, { port: 81 }],
    };
    expect(trimObject(raw)).toEqual({
      kind: 'EndpointSlice',
      namespace: 'default',
      name: 'nginx-abc',
      serviceName: 'nginx',
      addressType: 'IPv4',
      endpoints: [
        { addresses: ['10.244.1.10'], ready: true, hostname: 'nginx-0' },
        { addresses: ['10.244.1.11'], ready: true },
        { addresses: ['10.244.1.12'], ready: false },
      ],
      ports: [
        { name: 'web', port: 80, protocol: 'TCP' },
        { port: 81, protocol: 'TCP' },
      ],
    });
  });

  it('endpoints: null (an empty slice as kubectl prints it) and no label', () => {
    const s = trimObject({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv6', metadata: meta('x', 'ns'), endpoints: null, ports: null });
    expect(s).toEqual({ kind: 'EndpointSlice', namespace: 'ns', name: 'x', addressType: 'IPv6', endpoints: [], ports: [] });
  });

  it('IPv6 addresses are canonicalised; FQDN addresses kept as names', () => {
    const v6 = trimObject({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv6', metadata: meta('v6', 'ns'), endpoints: [{ addresses: ['FD00:0010::0005'] }] });
    expect(v6).toMatchObject({ endpoints: [{ addresses: ['fd00:10::5'], ready: true }] });
    const fqdn = trimObject({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'FQDN', metadata: meta('f', 'ns'), endpoints: [{ addresses: ['Example.COM.'] }] });
    expect(fqdn).toMatchObject({ addressType: 'FQDN', endpoints: [{ addresses: ['example.com'] }] });
  });
});

describe('trimObject: Pod', () => {
  it('podIPs and phase', () => {
    const raw = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: meta('dual-1', 'default'),
      spec: { containers: [{ name: 'c', image: 'i' }], nodeName: 'w2' },
      status: { phase: 'Running', podIP: '10.244.2.20', podIPs: [{ ip: '10.244.2.20' }, { ip: 'fd00:10:244:2::20' }], hostIP: '172.18.0.4' },
    };
    expect(trimObject(raw)).toEqual({ kind: 'Pod', namespace: 'default', name: 'dual-1', ips: ['10.244.2.20', 'fd00:10:244:2::20'], phase: 'Running' });
  });

  it('falls back to status.podIP; a pod without status is Unknown with no IPs', () => {
    expect(trimObject({ apiVersion: 'v1', kind: 'Pod', metadata: meta('a', 'x'), status: { phase: 'Pending', podIP: '10.1.1.1' } })).toMatchObject({ ips: ['10.1.1.1'], phase: 'Pending' });
    expect(trimObject({ apiVersion: 'v1', kind: 'Pod', metadata: meta('b', 'x') })).toMatchObject({ ips: [], phase: 'Unknown' });
    const deleting = { apiVersion: 'v1', kind: 'Pod', metadata: { ...meta('c', 'x'), deletionTimestamp: '2026-12-01T10:00:00Z' }, status: { phase: 'Running', podIP: '10.1.1.2' } };
    expect(trimObject(deleting)).toMatchObject({ phase: 'Running', terminating: true });
    expect(trimObject({ ...deleting, metadata: meta('c', 'x') })).not.toHaveProperty('terminating');
  });
});

describe('trimObject: kinds it does not read', () => {
  it.each([
    ['a Deployment', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta('d', 'x') }],
    ['v1 Endpoints', { apiVersion: 'v1', kind: 'Endpoints', metadata: meta('e', 'x') }],
    ['a Service of another API group', { apiVersion: 'serving.knative.dev/v1', kind: 'Service', metadata: meta('k', 'x') }],
    ['a string', 'Service'],
    ['null', null],
    ['a list', [1, 2]],
    ['no kind at all', { metadata: meta('x') }],
  ])('%s → null', (_label, raw) => {
    expect(trimObject(raw)).toBeNull();
  });

  it('uses the kind hint for API list items that carry no kind', () => {
    expect(trimObject({ metadata: meta('n') }, 'Namespace')).toEqual({ kind: 'Namespace', name: 'n'});
    // The object's own kind wins over the hint.
    expect(trimObject({ kind: 'ConfigMap', apiVersion: 'v1', metadata: meta('c', 'x') }, 'Pod')).toBeNull();
  });
});

describe('trimObject: malformed objects of supported kinds throw a clear Error', () => {
  const svc = (spec: unknown, metadata: unknown = meta('s', 'ns')) => ({ apiVersion: 'v1', kind: 'Service', metadata, spec });
  const slice = (fields: Record<string, unknown>) => ({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: meta('e', 'ns'), addressType: 'IPv4', ...fields });
  it.each<[string, unknown, RegExp]>([
    ['no metadata', { apiVersion: 'v1', kind: 'Service', spec: {} }, /Service without metadata$/],
    ['no metadata.name', svc({}, { namespace: 'x' }), /Service without metadata\.name/],
    ['a non-string namespace', svc({}, { name: 's', namespace: 7 }), /Service s: metadata\.namespace/],
    ['unknown type', svc({ type: 'Magic' }), /Service ns\/s: unknown spec\.type "Magic"/],
    ['ports not a list', svc({ ports: { port: 80 } }), /spec\.ports must be a list/],
    ['port out of range', svc({ ports: [{ name: 'x', port: 0 }] }), /spec\.ports\[0\]\.port must be 1\.\.65535/],
    ['bad protocol', svc({ ports: [{ port: 80, protocol: 'tcp' }] }), /spec\.ports\[0\]\.protocol must be TCP, UDP or SCTP/],
    ['bad cluster IP', svc({ clusterIP: '10.96.0.300' }), /spec\.clusterIPs has an invalid IP "10\.96\.0\.300"/],
    ['ExternalName without a name', svc({ type: 'ExternalName' }), /type ExternalName without spec\.externalName/],
    ['slice without addressType', slice({ addressType: undefined }), /EndpointSlice ns\/e: addressType must be IPv4, IPv6 or FQDN/],
    ['slice endpoint without addresses', slice({ endpoints: [{ conditions: {} }] }), /endpoints\[0\]\.addresses must be a list/],
    ['IPv6 address in an IPv4 slice', slice({ endpoints: [{ addresses: ['fd00::1'] }] }), /has "fd00::1", not an IPv4 address/],
    ['slice port not a number', slice({ ports: [{ name: 'x', port: 'eighty' }] }), /ports\[0\]\.port must be 1\.\.65535/],
    ['pod with a bad IP', { apiVersion: 'v1', kind: 'Pod', metadata: meta('p', 'ns'), status: { podIPs: [{ ip: 'nope' }] } }, /Pod ns\/p: status\.podIPs\[0\]\.ip has an invalid IP/],
    ['namespace without a name', { apiVersion: 'v1', kind: 'Namespace', metadata: {} }, /Namespace without metadata\.name/],
  ])('%s', (_label, raw, message) => {
    expect(() => trimObject(raw)).toThrow(message);
  });
});

describe('canonicalIp', () => {
  it.each([
    ['10.0.0.1', '10.0.0.1'],
    ['010.001.000.001', '10.1.0.1'],
    ['FD00:0:0:0::5', 'fd00::5'],
    ['fd00:0:0:1:0:0:0:1', 'fd00:0:0:1::1'],
    ['::1', '::1'],
    ['256.0.0.1', null],
    ['fe80::1%eth0', null],
    ['example.com', null],
    ['', null],
    ['0.0.0.0', '0.0.0.0'],
    ['255.255.255.255', '255.255.255.255'],
    ['01.2.3.4', '1.2.3.4'],
    ['1.2.3', null],
    ['1.2.3.4.5', null],
    ['1..2.3', null],
    ['1234.1.1.1', null],
    ['1.2.3.4.', null],
    ['1.2.3.256', null],
  ])('%s → %s', (input, expected) => {
    expect(canonicalIp(input)).toBe(expected);
  });
});
