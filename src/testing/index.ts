// `clusterdns/testing`: builders for the Kubernetes objects a test declares. Each returns a plain, valid
// object (typed with the package's own Kubernetes object types) that `dns.apply()` accepts — or that you could
// `kubectl apply` — with sensible defaults, so a test states only what it cares about.
//
// Defaults are deterministic per call order: ClusterIPs come from 10.96.0.0/16 (starting at 10.96.1.1, so
// the well-known 10.96.0.1 and 10.96.0.10 stay free), pod IPs from 10.244.0.0/16 and uids from a counter.
// `resetBuilders()` restarts the counters (e.g. in a beforeEach) when a test compares exact values.
import type {
  Endpoint,
  EndpointPort,
  EndpointSliceObject,
  KubernetesObject,
  NamespaceObject,
  PodObject,
  ServiceObject,
  ServicePort,
} from '../embedding/object-types.js';

export type {
  Endpoint,
  EndpointPort,
  EndpointSliceObject,
  KubernetesObject,
  NamespaceObject,
  ObjectMeta,
  PodObject,
  ServiceObject,
  ServicePort,
} from '../embedding/object-types.js';

/** The label that ties an EndpointSlice to its Service. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export type PortProtocol = 'TCP' | 'UDP' | 'SCTP';

/** A Service port: a number (`80`, TCP, unnamed) or the fields that matter. */
export type PortSpec = number | { name?: string; port: number; protocol?: PortProtocol; targetPort?: number };

// One set of counters per process, shared through a global symbol by the ESM and the CommonJS copy of this
// module: a suite that loads both (import here, require there) still gets distinct addresses and uids.
interface Counters {
  serviceIp: number;
  podIp: number;
  uid: number;
}
const COUNTERS = Symbol.for('clusterdns.testing.counters');
const counters: Counters = ((globalThis as { [COUNTERS]?: Counters })[COUNTERS] ??= { serviceIp: 0, podIp: 0, uid: 0 });

/** Restart the ClusterIP, pod IP and uid counters (deterministic values per test). */
export function resetBuilders(): void {
  counters.serviceIp = 0;
  counters.podIp = 0;
  counters.uid = 0;
}

/** The next free ClusterIP in 10.96.0.0/16, from 10.96.1.1 up (65k per process; wraps around). */
export function allocateClusterIP(): string {
  const n = 257 + (counters.serviceIp++ % (65536 - 258));
  return `10.96.${n >> 8}.${n & 255}`;
}

/** The next pod IP in 10.244.0.0/16, from 10.244.0.2 up. */
export function allocatePodIP(): string {
  const n = 2 + (counters.podIp++ % (65536 - 3));
  return `10.244.${n >> 8}.${n & 255}`;
}

function uid(): string {
  return `00000000-0000-4000-8000-${(++counters.uid).toString(16).padStart(12, '0')}`;
}

function isIPv6(ip: string): boolean {
  return ip.includes(':');
}

function toServicePorts(ports: readonly PortSpec[] | undefined): ServicePort[] | undefined {
  if (ports === undefined) return undefined;
  return ports.map((p) => {
    const spec = typeof p === 'number' ? { port: p } : p;
    const out: ServicePort = { port: spec.port, protocol: spec.protocol ?? 'TCP' };
    if (spec.name !== undefined) out.name = spec.name;
    if (spec.targetPort !== undefined) out.targetPort = spec.targetPort;
    return out;
  });
}

/** EndpointSlice ports for Service ports: the target port number (or the port), same name and protocol. */
function toSlicePorts(ports: readonly PortSpec[] | undefined): EndpointPort[] {
  return (ports ?? []).map((p) => {
    const spec = typeof p === 'number' ? { port: p } : p;
    const out: EndpointPort = { port: spec.targetPort ?? spec.port, protocol: spec.protocol ?? 'TCP' };
    if (spec.name !== undefined) out.name = spec.name;
    return out;
  });
}

export interface ServiceOptions {
  /** Default: the next free address in 10.96.0.0/16. Use '127.0.0.1' to reach a server of the test. */
  clusterIP?: string;
  /** Dual-stack: every ClusterIP, primary first (clusterIP defaults to the first). */
  clusterIPs?: string[];
  ports?: readonly PortSpec[];
  /** Default 'ClusterIP'. */
  type?: 'ClusterIP' | 'NodePort' | 'LoadBalancer';
  selector?: Record<string, string>;
  labels?: Record<string, string>;
  publishNotReadyAddresses?: boolean;
}

/** A Service with a ClusterIP (allocated unless given): `<name>.<namespace>.svc.<zone>` A/AAAA and SRV. */
export function service(name: string, namespace = 'default', options: ServiceOptions = {}): ServiceObject {
  const clusterIPs = options.clusterIPs ?? [options.clusterIP ?? allocateClusterIP()];
  const clusterIP = options.clusterIP ?? clusterIPs[0];
  const families = [...new Set(clusterIPs.map((ip) => (isIPv6(ip) ? 'IPv6' : 'IPv4')))];
  const spec: NonNullable<ServiceObject['spec']> = {
    type: options.type ?? 'ClusterIP',
    clusterIP,
    clusterIPs,
    ipFamilies: families,
    ipFamilyPolicy: families.length > 1 ? 'RequireDualStack' : 'SingleStack',
    selector: options.selector ?? { app: name },
  };
  const ports = toServicePorts(options.ports);
  if (ports !== undefined) spec.ports = ports;
  if (options.publishNotReadyAddresses !== undefined) spec.publishNotReadyAddresses = options.publishNotReadyAddresses;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, uid: uid(), labels: { ...(options.labels ?? {}) } },
    spec,
  };
}

/** One endpoint of a headless service or slice: an address, or the address with its details. */
export type EndpointSpec =
  | string
  | {
      ip: string;
      /** The endpoint's DNS label: `<hostname>.<service>.<namespace>.svc.<zone>`. */
      hostname?: string;
      /** Default true. */
      ready?: boolean;
      /** The pod behind it (headlessService creates it); default `<service>-<i>`. */
      podName?: string;
      nodeName?: string;
    };

interface NormalizedEndpoint {
  ip: string;
  hostname?: string;
  ready: boolean;
  podName?: string;
  nodeName?: string;
}

function normalizeEndpoint(endpoint: EndpointSpec): NormalizedEndpoint {
  if (typeof endpoint === 'string') return { ip: endpoint, ready: true };
  return { ...endpoint, ready: endpoint.ready ?? true };
}

function toEndpoint(endpoint: NormalizedEndpoint, namespace: string): Endpoint {
  const out: Endpoint = {
    addresses: [endpoint.ip],
    conditions: { ready: endpoint.ready, serving: endpoint.ready, terminating: false },
  };
  if (endpoint.hostname !== undefined) out.hostname = endpoint.hostname;
  if (endpoint.nodeName !== undefined) out.nodeName = endpoint.nodeName;
  if (endpoint.podName !== undefined) out.targetRef = { kind: 'Pod', namespace, name: endpoint.podName };
  return out;
}

export interface EndpointSliceOptions {
  endpoints: readonly EndpointSpec[];
  /** Default `<service>-<family>` (e.g. `db-ipv4`). */
  name?: string;
  /** Default: from the first address (IPv4 or IPv6). */
  addressType?: 'IPv4' | 'IPv6' | 'FQDN';
  ports?: readonly PortSpec[];
  labels?: Record<string, string>;
}

/** An EndpointSlice labelled for `serviceName` (`kubernetes.io/service-name`). */
export function endpointSlice(serviceName: string, namespace = 'default', options: EndpointSliceOptions): EndpointSliceObject {
  const endpoints = options.endpoints.map(normalizeEndpoint);
  const addressType =
    options.addressType ?? (endpoints.length > 0 && isIPv6(endpoints[0]!.ip) ? 'IPv6' : 'IPv4');
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: options.name ?? `${serviceName}-${addressType.toLowerCase()}`,
      namespace,
      uid: uid(),
      labels: {
        ...(options.labels ?? {}),
        [SERVICE_NAME_LABEL]: serviceName,
        'endpointslice.kubernetes.io/managed-by': 'clusterdns-testing',
      },
    },
    addressType,
    endpoints: endpoints.map((e) => toEndpoint(e, namespace)),
    ports: toSlicePorts(options.ports),
  };
}

export interface PodOptions {
  /** Default: the next address in 10.244.0.0/16. */
  ip?: string;
  /** Dual-stack pod IPs, primary first. */
  ips?: string[];
  /** Default 'Running' (only running pods get verified pod records). */
  phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
  hostname?: string;
  subdomain?: string;
  labels?: Record<string, string>;
  nodeName?: string;
}

/** A Pod with an IP and a phase (pod records `a-b-c-d.<namespace>.pod.<zone>`). */
export function pod(name: string, namespace = 'default', options: PodOptions = {}): PodObject {
  const ips = options.ips ?? [options.ip ?? allocatePodIP()];
  const spec: NonNullable<PodObject['spec']> = {
    containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10' }],
  };
  if (options.hostname !== undefined) spec.hostname = options.hostname;
  if (options.subdomain !== undefined) spec.subdomain = options.subdomain;
  if (options.nodeName !== undefined) spec.nodeName = options.nodeName;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, uid: uid(), labels: { ...(options.labels ?? {}) } },
    spec,
    status: {
      phase: options.phase ?? 'Running',
      podIP: ips[0],
      podIPs: ips.map((ip) => ({ ip })),
    },
  };
}

/** A Namespace. */
export function namespace(name: string): NamespaceObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, uid: uid() }, status: { phase: 'Active' } };
}

/** An ExternalName Service: `<name>.<namespace>.svc.<zone>` is a CNAME to `target`. */
export function externalName(
  name: string,
  namespace: string,
  target: string,
  options: { ports?: readonly PortSpec[]; labels?: Record<string, string> } = {},
): ServiceObject {
  const spec: NonNullable<ServiceObject['spec']> = { type: 'ExternalName', externalName: target };
  const ports = toServicePorts(options.ports);
  if (ports !== undefined) spec.ports = ports;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, uid: uid(), labels: { ...(options.labels ?? {}) } },
    spec,
  };
}

export interface HeadlessServiceOptions {
  /** Addresses (`'10.244.0.5'`) or `{ ip, hostname?, ready?, podName? }`; IPv4 and IPv6 may be mixed. */
  endpoints: readonly EndpointSpec[];
  ports?: readonly PortSpec[];
  /**
   * Give endpoints without a hostname one (`<podName>`, i.e. `<service>-<i>`), so each has a
   * `<hostname>.<service>.<namespace>.svc.<zone>` record. Default true.
   */
  hostnames?: boolean;
  /** Create a Running pod for each endpoint (pod records, pod names). Default true. */
  pods?: boolean;
  publishNotReadyAddresses?: boolean;
  selector?: Record<string, string>;
  labels?: Record<string, string>;
}

/**
 * A headless Service with its EndpointSlice(s) and pods: an array to pass to `apply`/`delete` as a whole,
 * with the parts also named (`.service`, `.endpointSlices`, `.pods`).
 */
export type ServiceBundle = KubernetesObject[] & {
  readonly service: ServiceObject;
  /** The first slice (IPv4 when there are IPv4 endpoints). */
  readonly endpointSlice: EndpointSliceObject;
  /** One per address family in use. */
  readonly endpointSlices: EndpointSliceObject[];
  readonly pods: PodObject[];
};

/** A headless Service (`clusterIP: None`): its name answers every ready endpoint address. */
export function headlessService(name: string, namespace: string, options: HeadlessServiceOptions): ServiceBundle {
  const selector = options.selector ?? { app: name };
  const svcSpec: NonNullable<ServiceObject['spec']> = {
    type: 'ClusterIP',
    clusterIP: 'None',
    clusterIPs: ['None'],
    selector,
  };
  const ports = toServicePorts(options.ports);
  if (ports !== undefined) svcSpec.ports = ports;
  if (options.publishNotReadyAddresses !== undefined) svcSpec.publishNotReadyAddresses = options.publishNotReadyAddresses;
  const svc: ServiceObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, uid: uid(), labels: { ...(options.labels ?? {}) } },
    spec: svcSpec,
  };

  const withHostnames = options.hostnames ?? true;
  const endpoints = options.endpoints.map((e, i) => {
    const n = normalizeEndpoint(e);
    const podName = n.podName ?? `${name}-${i}`;
    return { ...n, podName, hostname: n.hostname ?? (withHostnames ? podName : undefined) };
  });
  const v4 = endpoints.filter((e) => !isIPv6(e.ip));
  const v6 = endpoints.filter((e) => isIPv6(e.ip));
  const slices: EndpointSliceObject[] = [];
  if (v4.length > 0 || v6.length === 0) {
    slices.push(endpointSlice(name, namespace, { endpoints: v4, addressType: 'IPv4', ports: options.ports }));
  }
  if (v6.length > 0) slices.push(endpointSlice(name, namespace, { endpoints: v6, addressType: 'IPv6', ports: options.ports }));

  const pods: PodObject[] = [];
  if (options.pods ?? true) {
    const byPod = new Map<string, { ips: string[]; hostname?: string; ready: boolean }>();
    for (const e of endpoints) {
      const entry = byPod.get(e.podName);
      if (entry) entry.ips.push(e.ip);
      else byPod.set(e.podName, { ips: [e.ip], hostname: e.hostname, ready: e.ready });
    }
    for (const [podName, entry] of byPod) {
      pods.push(
        pod(podName, namespace, {
          ips: entry.ips,
          labels: { ...selector },
          ...(entry.hostname !== undefined ? { hostname: entry.hostname, subdomain: name } : {}),
          phase: 'Running',
        }),
      );
    }
  }
  const objects: KubernetesObject[] = [svc, ...slices, ...pods];
  return Object.assign(objects, { service: svc, endpointSlice: slices[0]!, endpointSlices: slices, pods });
}
