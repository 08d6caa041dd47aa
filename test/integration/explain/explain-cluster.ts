// A small cluster with one object behind each reason code of `explain`, as raw Kubernetes objects.
import type { ClusterDnsServer } from '../../../src/cluster-dns.js';
import { trimObject } from '../../../src/cluster/trim.js';

const ns = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const svc = (name: string, namespace: string, spec: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec });
const slice = (name: string, namespace: string, service: string, endpoints: unknown[], ports: unknown[]) => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name, namespace, labels: { 'kubernetes.io/service-name': service } },
  addressType: 'IPv4',
  endpoints,
  ports,
});
const pod = (name: string, namespace: string, ip: string, phase: string, extra: { metadata?: object; spec?: object } = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace, ...extra.metadata },
  spec: { containers: [], ...extra.spec },
  status: { phase, podIP: ip, podIPs: [{ ip }] },
});

export const EXPLAIN_CLUSTER: unknown[] = [
  ns('default'),
  ns('shop'),
  svc('kube-dns', 'kube-system', { clusterIP: '10.96.0.10', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] }),
  svc('web', 'default', { clusterIP: '10.96.1.1', ports: [{ name: 'http', port: 80 }] }),
  svc('api', 'default', { clusterIP: 'None', ports: [{ name: 'grpc', port: 9000 }] }),
  slice('api-abc', 'default', 'api', [
    { addresses: ['10.244.0.1'], hostname: 'api-0', conditions: { ready: true }, targetRef: { kind: 'Pod', name: 'api-0' } },
    { addresses: ['10.244.0.2'], hostname: 'api-1', conditions: { ready: false, terminating: true }, targetRef: { kind: 'Pod', name: 'api-1' } },
  ], [{ name: 'grpc', port: 9000, protocol: 'TCP' }]),
  svc('lonely', 'default', { clusterIP: 'None' }),
  svc('empty', 'default', { clusterIP: 'None', ports: [{ name: 'http', port: 80 }] }),
  slice('empty-xyz', 'default', 'empty', [], [{ name: 'http', port: 80 }]),
  svc('raw', 'default', { clusterIP: '10.96.1.3', ports: [{ port: 8080 }] }),
  svc('v6only', 'default', { clusterIP: 'fd00:10:96::7', clusterIPs: ['fd00:10:96::7'], ipFamilies: ['IPv6'], ports: [{ name: 'http', port: 80 }] }),
  svc('bare', 'default', { clusterIP: 'None' }),
  slice('bare-1', 'default', 'bare', [{ addresses: ['10.244.0.5'], conditions: { ready: true } }], [{ port: 8080, protocol: 'TCP' }]),
  svc('db', 'default', { type: 'ExternalName', externalName: 'db.example.org' }),
  pod('runner', 'default', '10.244.0.9', 'Running'),
  pod('done', 'default', '10.244.0.10', 'Succeeded'),
  pod('leaving', 'default', '10.244.0.11', 'Running', { metadata: { deletionTimestamp: '2026-01-01T00:00:00Z' } }),
  pod('frontend', 'shop', '10.244.0.20', 'Running'),
  pod('custom', 'shop', '10.244.0.21', 'Running', { spec: { dnsPolicy: 'None', dnsConfig: { nameservers: ['10.96.0.10'], searches: ['svc.cluster.local'], options: [{ name: 'ndots', value: '2' }] } } }),
];

/** Feed raw objects to a server's store, as its data source would. */
export function load(dns: ClusterDnsServer, objects: readonly unknown[]): void {
  dns.store.apply(objects.map((object) => ({ type: 'upsert' as const, object: trimObject(object)! })));
}
