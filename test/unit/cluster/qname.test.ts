import { describe, expect, it } from 'vitest';
import {
  dnsVersionName,
  endpointLabel,
  endpointName,
  namespaceName,
  nameserverName,
  parseQname,
  podName,
  podRootName,
  serviceName,
  srvName,
  svcRootName,
  type Qname,
} from '../../../src/cluster/qname.js';

const Z = 'cluster.local';

describe('qname build → parse round trip', () => {
  it.each<[string, string, Qname]>([
    ['apex', Z, { kind: 'apex' }],
    ['svc root', svcRootName(Z), { kind: 'svc-root' }],
    ['pod root', podRootName(Z), { kind: 'pod-root' }],
    ['namespace (svc)', namespaceName('Default', Z), { kind: 'namespace', namespace: 'default', under: 'svc' }],
    ['namespace (pod)', namespaceName('shop', Z, 'pod'), { kind: 'namespace', namespace: 'shop', under: 'pod' }],
    ['service', serviceName('hello', 'default', Z), { kind: 'service', namespace: 'default', service: 'hello' }],
    ['endpoint', endpointName('nginx-0', 'nginx', 'default', Z), { kind: 'endpoint', namespace: 'default', service: 'nginx', endpoint: 'nginx-0' }],
    ['SRV', srvName('HTTP', 'TCP', 'hello', 'default', Z), { kind: 'port', namespace: 'default', service: 'hello', port: 'http', protocol: 'tcp' }],
    ['SRV udp', srvName('dns', 'UDP', 'kube-dns', 'kube-system', Z), { kind: 'port', namespace: 'kube-system', service: 'kube-dns', port: 'dns', protocol: 'udp' }],
    ['pod IPv4', podName('10.244.1.10', 'default', Z), { kind: 'pod', namespace: 'default', label: '10-244-1-10', ip: '10.244.1.10' }],
    ['pod IPv6', podName('fd00:10::5', 'default', Z), { kind: 'pod', namespace: 'default', label: 'fd00-10--5', ip: 'fd00:10::5' }],
    ['dns-version', dnsVersionName(Z), { kind: 'dns-version' }],
    ['nameserver', nameserverName(Z), { kind: 'nameserver' }],
  ])('%s', (_label, name, parsed) => {
    expect(parseQname(name, Z)).toEqual(parsed);
  });

  it('names exactly as the spec spells them', () => {
    expect([
      serviceName('hello', 'default', Z),
      srvName('http', 'TCP', 'hello', 'default', Z),
      endpointName('nginx-0', 'nginx', 'default', Z),
      podName('10.244.1.10', 'default', Z),
      podName('fd00:10::5', 'default', Z),
      namespaceName('shop', Z),
      svcRootName(Z),
      podRootName(Z),
      dnsVersionName(Z),
      nameserverName(Z),
    ]).toEqual([
      'hello.default.svc.cluster.local',
      '_http._tcp.hello.default.svc.cluster.local',
      'nginx-0.nginx.default.svc.cluster.local',
      '10-244-1-10.default.pod.cluster.local',
      'fd00-10--5.default.pod.cluster.local',
      'shop.svc.cluster.local',
      'svc.cluster.local',
      'pod.cluster.local',
      'dns-version.cluster.local',
      'ns.dns.cluster.local',
    ]);
  });

  it('endpoint labels: hostname, else the dashed IP', () => {
    expect(endpointLabel('Nginx-0', '10.244.1.10')).toBe('nginx-0');
    expect(endpointLabel(undefined, '10.244.1.10')).toBe('10-244-1-10');
    expect(endpointLabel('', 'fd00:10::5')).toBe('fd00-10--5');
  });
});

describe('parseQname', () => {
  it.each<[string, string, Qname | null]>([
    ['case-insensitive', 'Hello.DEFAULT.Svc.Cluster.Local', { kind: 'service', namespace: 'default', service: 'hello' }],
    ['outside the zone', 'example.com', null],
    ['a suffix that is not a label boundary', 'xcluster.local', null],
    ['a multi-label zone other than ours', 'hello.default.svc.cluster.locals', null],
    ['unknown single label', 'foo.cluster.local', { kind: 'other' }],
    ['tail other than svc/pod', 'hello.default.xyz.cluster.local', { kind: 'other' }],
    ['SRV without underscores', 'http.tcp.hello.default.svc.cluster.local', { kind: 'other' }],
    ['SRV with only one underscore', '_http.tcp.hello.default.svc.cluster.local', { kind: 'other' }],
    ['a bare underscore', '_._tcp.hello.default.svc.cluster.local', { kind: 'other' }],
    ['too long under svc', 'a._http._tcp.hello.default.svc.cluster.local', { kind: 'other' }],
    ['too long under pod', 'a.10-0-0-1.default.pod.cluster.local', { kind: 'other' }],
    ['pod label that is no IP', 'nginx.default.pod.cluster.local', { kind: 'pod', namespace: 'default', label: 'nginx', ip: null }],
    ['ns.dns only as a whole', 'x.ns.dns.cluster.local', { kind: 'other' }],
    ['an empty label', 'a..svc.cluster.local', { kind: 'other' }],
  ])('%s: %s', (_label, qname, parsed) => {
    expect(parseQname(qname, Z)).toEqual(parsed);
  });

  it('works for other zones, including a one-label one', () => {
    expect(parseQname('hello.default.svc.example.org', 'example.org')).toEqual({ kind: 'service', namespace: 'default', service: 'hello' });
    expect(parseQname('_web._tcp.nginx.default.svc.k8s', 'k8s')).toEqual({
      kind: 'port',
      namespace: 'default',
      service: 'nginx',
      port: 'web',
      protocol: 'tcp',
    });
    expect(parseQname('hello.default.svc.cluster.local', 'example.org')).toBeNull();
  });
});
