// Builders for the raw Kubernetes JSON the emulator serves: what the API server would return, including
// the noise (managedFields, annotations, container specs) that the trimmer must drop.
import type { Json } from './emulator.js';

const NOISE = {
  managedFields: [{ manager: 'kube-controller-manager', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1' }],
  annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"big":"blob"}' },
};

export function namespace(name: string, labels: Record<string, string> = {}): Json {
  return {
    kind: 'Namespace',
    apiVersion: 'v1',
    metadata: { name, labels: { 'kubernetes.io/metadata.name': name, ...labels }, ...NOISE },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  };
}

export interface PortSpec {
  name?: string;
  port: number;
  protocol?: 'TCP' | 'UDP' | 'SCTP';
}

export interface ServiceSpec {
  clusterIP?: string;
  clusterIPs?: string[];
  type?: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
  externalName?: string;
  ports?: PortSpec[];
  labels?: Record<string, string>;
  publishNotReadyAddresses?: boolean;
}

export function service(ns: string, name: string, spec: ServiceSpec = {}): Json {
  const clusterIP = spec.type === 'ExternalName' ? undefined : (spec.clusterIP ?? spec.clusterIPs?.[0] ?? 'None');
  const body: Json = {
    type: spec.type ?? 'ClusterIP',
    ports: (spec.ports ?? [{ name: 'http', port: 80 }]).map((p) => ({
      protocol: 'TCP',
      targetPort: p.port,
      ...p,
    })),
    selector: { app: name },
    sessionAffinity: 'None',
  };
  if (clusterIP !== undefined) {
    body.clusterIP = clusterIP;
    body.clusterIPs = spec.clusterIPs ?? [clusterIP];
  }
  if (spec.externalName) body.externalName = spec.externalName;
  if (spec.publishNotReadyAddresses) body.publishNotReadyAddresses = true;
  return {
    kind: 'Service',
    apiVersion: 'v1',
    metadata: { name, namespace: ns, labels: { app: name, ...spec.labels }, ...NOISE },
    spec: body,
    status: { loadBalancer: {} },
  };
}

export interface EndpointSpec {
  addresses: string[];
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
  hostname?: string;
}

export interface SliceSpec {
  addressType?: 'IPv4' | 'IPv6' | 'FQDN';
  endpoints: EndpointSpec[];
  ports?: PortSpec[];
  labels?: Record<string, string>;
}

export function endpointSlice(ns: string, name: string, serviceName: string, spec: SliceSpec): Json {
  return {
    kind: 'EndpointSlice',
    apiVersion: 'discovery.k8s.io/v1',
    metadata: {
      name,
      namespace: ns,
      labels: {
        'kubernetes.io/service-name': serviceName,
        'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
        app: serviceName,
        ...spec.labels,
      },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: serviceName, uid: 'x' }],
      ...NOISE,
    },
    addressType: spec.addressType ?? 'IPv4',
    endpoints: spec.endpoints.map((e) => {
      const out: Json = {
        addresses: e.addresses,
        conditions: {
          ready: e.ready ?? true,
          serving: e.serving ?? e.ready ?? true,
          terminating: e.terminating ?? false,
        },
        nodeName: 'node-1',
        targetRef: { kind: 'Pod', namespace: ns, name: e.hostname ?? `pod-${e.addresses[0]}` },
      };
      if (e.hostname) out.hostname = e.hostname;
      return out;
    }),
    ports: (spec.ports ?? [{ name: 'http', port: 8080 }]).map((p) => ({ protocol: 'TCP', ...p })),
  };
}

export function pod(
  ns: string,
  name: string,
  spec: { ip?: string; ips?: string[]; phase?: string; labels?: Record<string, string> } = {},
): Json {
  const ips = spec.ips ?? (spec.ip ? [spec.ip] : []);
  const status: Json = { phase: spec.phase ?? 'Running', hostIP: '172.18.0.2' };
  if (ips.length > 0) {
    status.podIP = ips[0];
    status.podIPs = ips.map((ip) => ({ ip }));
  }
  return {
    kind: 'Pod',
    apiVersion: 'v1',
    metadata: { name, namespace: ns, labels: { app: name, ...spec.labels }, ...NOISE },
    spec: { containers: [{ name: 'main', image: 'registry.k8s.io/pause:3.9', args: ['--long', 'list'] }] },
    status,
  };
}
