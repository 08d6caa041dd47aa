// Questions tests ask a ClusterStore that serving never does, answered from its public objects() so the
// store ships no test-only accessors.
import type { ClusterStore } from '../../src/cluster/cluster-store.js';
import type { PodInfo, ServiceInfo } from '../../src/cluster/objects.js';
import { canonicalIp } from '../../src/cluster/trim.js';

/** The Service held under this namespace and name (any letter case), or undefined. */
export function getService(store: ClusterStore, namespace: string, name: string): ServiceInfo | undefined {
  const ns = namespace.toLowerCase();
  const n = name.toLowerCase();
  for (const object of store.objects()) if (object.kind === 'Service' && object.namespace === ns && object.name === n) return object;
  return undefined;
}

/** Every pod with this IP (host-network pods share their node's), in any written form of the address. */
export function podsByIp(store: ClusterStore, ip: string): PodInfo[] {
  const wanted = canonicalIp(ip);
  if (wanted === null) return [];
  const pods: PodInfo[] = [];
  for (const object of store.objects()) {
    if (object.kind === 'Pod' && object.ips.some((address) => (canonicalIp(address) ?? address) === wanted)) pods.push(object);
  }
  return pods;
}
