// The package types the objects users pass with its own interfaces (src/embedding/object-types.ts), so its
// .d.ts never reaches @kubernetes/client-node's. Objects made with client-node's model classes must still be
// accepted as they are: this file type-checks the assignment (`npm run typecheck`) and serves the objects.
import { V1EndpointSlice, V1Namespace, V1Pod, V1Service } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { startClusterDns, type KubernetesObject } from '../../src/index.js';

function clientNodeObjects(): KubernetesObject[] {
  const svc = Object.assign(new V1Service(), {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'shop', creationTimestamp: new Date(0) },
    spec: { clusterIP: '10.96.3.3', clusterIPs: ['10.96.3.3'], ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
  });
  const slice = Object.assign(new V1EndpointSlice(), {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'db-abc', namespace: 'shop', labels: { 'kubernetes.io/service-name': 'db' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['10.244.3.3'], conditions: { ready: true }, hostname: 'db-0' }],
  });
  const headless = Object.assign(new V1Service(), {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'db', namespace: 'shop' },
    spec: { clusterIP: 'None' },
  });
  const pod = Object.assign(new V1Pod(), {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'shop' },
    spec: { containers: [{ name: 'app' }] },
    status: { phase: 'Running', podIP: '10.244.3.4', podIPs: [{ ip: '10.244.3.4' }] },
  });
  const ns = Object.assign(new V1Namespace(), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
  // The assignment this file exists for: client-node's classes to the package's own object types.
  const objects: KubernetesObject[] = [svc, slice, headless, pod, ns];
  return objects;
}

describe('objects typed with @kubernetes/client-node', () => {
  it('are accepted by the package types and served: Service A, headless endpoint hostname, pod record', async () => {
    await using dns = await startClusterDns({ objects: clientNodeObjects() });
    const r = dns.resolver();
    expect(await r.resolve4('web.shop.svc.cluster.local')).toEqual(['10.96.3.3']);
    expect(await r.resolve4('db-0.db.shop.svc.cluster.local')).toEqual(['10.244.3.3']);
    expect(await r.resolve4('10-244-3-4.shop.pod.cluster.local')).toEqual(['10.244.3.4']);
  });
});
