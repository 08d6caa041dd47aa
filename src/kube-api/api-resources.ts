// The four API collections clusterdns lists and watches (docs/architecture.md "Kubernetes API client"), and the reflector
// specs a configuration turns into: one per resource, or one per (resource, namespace) with --namespaces.
import type { ClusterObjectKind } from '../cluster/objects.js';

export interface ApiResource {
  kind: ClusterObjectKind;
  /** Path prefix of the API group version. */
  groupVersion: '/api/v1' | '/apis/discovery.k8s.io/v1';
  plural: 'services' | 'endpointslices' | 'pods' | 'namespaces';
  namespaced: boolean;
}

export const API_RESOURCES: Record<ClusterObjectKind, ApiResource> = {
  Service: { kind: 'Service', groupVersion: '/api/v1', plural: 'services', namespaced: true },
  EndpointSlice: {
    kind: 'EndpointSlice',
    groupVersion: '/apis/discovery.k8s.io/v1',
    plural: 'endpointslices',
    namespaced: true,
  },
  Pod: { kind: 'Pod', groupVersion: '/api/v1', plural: 'pods', namespaced: true },
  Namespace: { kind: 'Namespace', groupVersion: '/api/v1', plural: 'namespaces', namespaced: false },
};

/** The resource as RBAC rules and `kubectl auth can-i` name it: `services`, `endpointslices.discovery.k8s.io`. */
export function rbacResourceName(kind: ClusterObjectKind): string {
  const r = API_RESOURCES[kind];
  return r.groupVersion === '/api/v1' ? r.plural : `${r.plural}.${r.groupVersion.split('/')[2]}`;
}

/** The collection path, cluster-wide or inside one namespace. */
export function collectionPath(kind: ClusterObjectKind, namespace?: string): string {
  const r = API_RESOURCES[kind];
  if (namespace === undefined || !r.namespaced) return `${r.groupVersion}/${r.plural}`;
  return `${r.groupVersion}/namespaces/${encodeURIComponent(namespace)}/${r.plural}`;
}

/** What one reflector lists and watches. */
export interface ReflectorTarget {
  kind: ClusterObjectKind;
  path: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** For logs: "services", "services in team-a", "namespace team-a". */
  description: string;
  /** The namespace of a namespaced path (--namespaces); undefined cluster-wide. */
  namespace?: string;
}

export interface TargetOptions {
  /** Only these namespaces (CoreDNS `namespaces`); empty or undefined = all. */
  namespaces?: readonly string[];
  /** A label selector for Services, EndpointSlices and Pods (CoreDNS `labels`). */
  labelSelector?: string;
  /** Watch Pods (for `--pods verified` and autopath). */
  watchPods: boolean;
}

/**
 * The reflectors for a configuration. As CoreDNS's `labels`, the label selector filters Services,
 * EndpointSlices (the EndpointSlice controller copies a Service's labels onto its slices) and Pods, never
 * Namespaces. With namespaces, every namespaced resource is watched per namespace (namespaced paths, so a
 * Role in each of those namespaces is enough) and Namespaces are not watched at all: listing them, even with a
 * `metadata.name` field selector, is a cluster-scoped request no Role can grant. The namespaces named are
 * assumed to exist (see `assumedNamespaces`).
 */
export function reflectorTargets(options: TargetOptions): ReflectorTarget[] {
  const kinds: ClusterObjectKind[] = ['Service', 'EndpointSlice'];
  if (options.watchPods) kinds.push('Pod');
  const label = options.labelSelector?.trim() || undefined;
  const namespaces = assumedNamespaces(options.namespaces);
  const targets: ReflectorTarget[] = [];
  if (namespaces.length === 0) {
    for (const kind of kinds) {
      targets.push({ kind, path: collectionPath(kind), labelSelector: label, description: API_RESOURCES[kind].plural });
    }
    targets.push({ kind: 'Namespace', path: collectionPath('Namespace'), description: 'namespaces' });
    return targets;
  }
  for (const ns of namespaces) {
    for (const kind of kinds) {
      targets.push({
        kind,
        path: collectionPath(kind, ns),
        labelSelector: label,
        description: `${API_RESOURCES[kind].plural} in ${ns}`,
        namespace: ns,
      });
    }
  }
  return targets;
}

/**
 * The namespaces of --namespaces, trimmed and de-duplicated: under it they are taken to exist without asking
 * the API (their `<ns>.svc` names answer NODATA, not NXDOMAIN), as the operator named them.
 */
export function assumedNamespaces(namespaces: readonly string[] | undefined): string[] {
  return [...new Set((namespaces ?? []).map((n) => n.trim()).filter((n) => n !== ''))];
}
