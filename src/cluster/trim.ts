// Raw Kubernetes JSON (as `kubectl get -o json|yaml`, an API list or a watch event gives it) → the trimmed
// shapes of objects.ts. Only the fields DNS needs survive (docs/architecture.md "Memory"), so a
// 100k-endpoint cluster does not keep managedFields, annotations, specs of containers and so on.
//
// Supported: v1 Namespace, v1 Service, discovery.k8s.io/v1 EndpointSlice (v1beta1 has the same fields we
// read), v1 Pod. Any other kind → null. A supported kind that is malformed → a plain Error whose message
// says which object and which field; the callers (manifest loader, cluster store, reflector) add context.
import { isIP } from 'node:net';
import { normalizeName } from '../wire/name.js';
import type {
  ClusterObject,
  ClusterObjectKind,
  EndpointInfo,
  EndpointPort,
  EndpointSliceInfo,
  NamespaceInfo,
  PodDnsSettings,
  PodInfo,
  Protocol,
  ServiceInfo,
  ServicePort,
} from './objects.js';

/** The label that ties an EndpointSlice to its Service. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

const API_VERSIONS: Record<ClusterObjectKind, readonly string[]> = {
  Namespace: ['v1'],
  Service: ['v1'],
  Pod: ['v1'],
  EndpointSlice: ['discovery.k8s.io/v1', 'discovery.k8s.io/v1beta1'],
};

const SERVICE_TYPES: ReadonlySet<string> = new Set(['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName']);
const PROTOCOLS: ReadonlySet<string> = new Set(['TCP', 'UDP', 'SCTP']);
const ADDRESS_TYPES: ReadonlySet<string> = new Set(['IPv4', 'IPv6', 'FQDN']);

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True when `kind` is one of the four kinds clusterdns reads. */
export function isSupportedKind(kind: unknown): kind is ClusterObjectKind {
  return kind === 'Namespace' || kind === 'Service' || kind === 'EndpointSlice' || kind === 'Pod';
}

/** What a trimmed object keeps beyond what every configuration needs. */
export interface TrimOptions {
  /** Keep each endpoint's Pod name (its targetRef), for CoreDNS `endpoint_pod_names`. */
  podNames?: boolean;
}

const NO_OPTIONS: TrimOptions = {};

/**
 * Trim one raw object. `kindHint` is for API list items, which carry no `kind`/`apiVersion` of their own
 * (the reflector knows what it listed); when the object names a kind, that wins.
 */
export function trimObject(raw: unknown, kindHint?: ClusterObjectKind, options: TrimOptions = NO_OPTIONS): ClusterObject | null {
  if (!isRecord(raw)) return null;
  const kind = raw.kind ?? kindHint;
  if (!isSupportedKind(kind)) return null;
  const apiVersion = raw.apiVersion;
  if (apiVersion !== undefined && !API_VERSIONS[kind].includes(apiVersion as string)) return null;

  const meta = raw.metadata;
  if (!isRecord(meta)) throw new Error(`${kind} without metadata`);
  const name = meta.name;
  if (typeof name !== 'string' || name === '') throw new Error(`${kind} without metadata.name`);
  // No uid: DNS has no use for it, and a property added after the object literal cost each object an
  // out-of-object property array besides the string.
  if (kind === 'Namespace') return { kind: 'Namespace', name: name.toLowerCase() };

  // Namespaced kinds: hand-written manifests often omit the namespace; kubectl would apply them to "default".
  const namespace = meta.namespace ?? 'default';
  if (typeof namespace !== 'string' || namespace === '') {
    throw new Error(`${kind} ${name}: metadata.namespace must be a non-empty string`);
  }
  const where = `${kind} ${namespace}/${name}`;
  const ctx = { where, name: name.toLowerCase(), namespace: intern(namespace.toLowerCase()) };
  switch (kind) {
    case 'Service':
      return trimService(raw, ctx);
    case 'EndpointSlice':
      return trimEndpointSlice(raw, meta, ctx, options.podNames === true);
    case 'Pod':
      return trimPod(raw, ctx);
  }
}

interface Context {
  where: string;
  name: string;
  namespace: string;
}

function trimService(raw: Json, ctx: Context): ServiceInfo {
  const spec = optionalRecord(raw.spec, `${ctx.where}: spec`);
  const type = spec.type ?? 'ClusterIP';
  if (typeof type !== 'string' || !SERVICE_TYPES.has(type)) {
    throw new Error(`${ctx.where}: unknown spec.type ${JSON.stringify(type)}`);
  }
  const clusterIP = spec.clusterIP;
  if (clusterIP !== undefined && clusterIP !== null && typeof clusterIP !== 'string') {
    throw new Error(`${ctx.where}: spec.clusterIP must be a string`);
  }
  let rawIPs: unknown[];
  if (spec.clusterIPs !== undefined && spec.clusterIPs !== null) {
    if (!Array.isArray(spec.clusterIPs)) throw new Error(`${ctx.where}: spec.clusterIPs must be a list`);
    rawIPs = spec.clusterIPs;
  } else {
    rawIPs = typeof clusterIP === 'string' ? [clusterIP] : [];
  }
  const headless = clusterIP === 'None' || rawIPs[0] === 'None';
  const clusterIPs: string[] = [];
  for (const value of rawIPs) {
    if (value === 'None' || value === '' || value === null) continue;
    const ip = typeof value === 'string' ? canonicalIp(value) : null;
    if (ip === null) throw new Error(`${ctx.where}: spec.clusterIPs has an invalid IP ${JSON.stringify(value)}`);
    if (!clusterIPs.includes(ip)) clusterIPs.push(ip);
  }

  const service: ServiceInfo = {
    kind: 'Service',
    namespace: ctx.namespace,
    name: ctx.name,
    type: type as ServiceInfo['type'],
    headless: type !== 'ExternalName' && headless,
    clusterIPs: type === 'ExternalName' ? [] : exact(clusterIPs),
    ports: trimServicePorts(spec.ports, ctx.where),
    publishNotReadyAddresses: spec.publishNotReadyAddresses === true,
  };
  if (type === 'ExternalName') {
    const target = spec.externalName;
    if (typeof target !== 'string' || normalizeName(target) === '') {
      throw new Error(`${ctx.where}: type ExternalName without spec.externalName`);
    }
    service.externalName = normalizeName(target);
  }
  return service;
}

function trimServicePorts(value: unknown, where: string): ServicePort[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new Error(`${where}: spec.ports must be a list`);
  return value.map((entry, i) => {
    if (!isRecord(entry)) throw new Error(`${where}: spec.ports[${i}] must be an object`);
    const port = entry.port;
    if (!isPortNumber(port)) throw new Error(`${where}: spec.ports[${i}].port must be 1..65535`);
    const protocol = trimProtocol(entry.protocol, `${where}: spec.ports[${i}]`);
    const name = trimPortName(entry.name, `${where}: spec.ports[${i}]`);
    // In the literal, not added afterwards (see the endpoints in trimEndpointSlice).
    return name === undefined ? { port, protocol } : { name, port, protocol };
  });
}

function trimEndpointSlice(raw: Json, meta: Json, ctx: Context, podNames: boolean): EndpointSliceInfo {
  const addressType = raw.addressType;
  if (typeof addressType !== 'string' || !ADDRESS_TYPES.has(addressType)) {
    throw new Error(`${ctx.where}: addressType must be IPv4, IPv6 or FQDN, not ${JSON.stringify(addressType)}`);
  }
  const labels = meta.labels;
  const serviceName = isRecord(labels) ? labels[SERVICE_NAME_LABEL] : undefined;

  const endpoints: EndpointInfo[] = [];
  const rawEndpoints = raw.endpoints ?? [];
  if (!Array.isArray(rawEndpoints)) throw new Error(`${ctx.where}: endpoints must be a list`);
  rawEndpoints.forEach((entry: unknown, i) => {
    const at = `${ctx.where}: endpoints[${i}]`;
    if (!isRecord(entry)) throw new Error(`${at} must be an object`);
    if (!Array.isArray(entry.addresses)) throw new Error(`${at}.addresses must be a list`);
    const addresses: string[] = [];
    for (const value of entry.addresses) {
      if (typeof value !== 'string' || value === '') throw new Error(`${at}.addresses has an empty entry`);
      let address: string | null;
      if (addressType === 'FQDN') address = normalizeName(value);
      else {
        address = canonicalIp(value);
        if (address === null || (isIP(address) === 4) !== (addressType === 'IPv4')) {
          throw new Error(`${at}.addresses has ${JSON.stringify(value)}, not an ${addressType} address`);
        }
      }
      if (!addresses.includes(address)) addresses.push(address);
    }
    const conditions = entry.conditions;
    const ready = !(isRecord(conditions) && conditions.ready === false);
    // Optional fields go into the object literal, never added afterwards: a property added to a literal
    // costs the object an out-of-object property array (V8), for every endpoint.
    const hostname = typeof entry.hostname === 'string' && entry.hostname !== '' ? entry.hostname.toLowerCase() : undefined;
    // The hostname wins over the pod name (CoreDNS endpointHostname), so an endpoint with one never keeps the other.
    const podName = podNames && hostname === undefined ? targetPodName(entry.targetRef) : undefined;
    const endpoint: EndpointInfo =
      podName !== undefined
        ? { addresses: exact(addresses), ready, podName }
        : hostname === undefined
          ? { addresses: exact(addresses), ready }
          : { addresses: exact(addresses), ready, hostname };
    endpoints.push(ready ? endpoint : notReadyDetails(endpoint, entry, conditions));
  });

  const ports: EndpointPort[] = [];
  const rawPorts = raw.ports ?? [];
  if (!Array.isArray(rawPorts)) throw new Error(`${ctx.where}: ports must be a list`);
  rawPorts.forEach((entry: unknown, i) => {
    const at = `${ctx.where}: ports[${i}]`;
    if (!isRecord(entry)) throw new Error(`${at} must be an object`);
    // A port without a number means "all ports" (discovery.k8s.io/v1); DNS has nothing to publish for it.
    if (entry.port === undefined || entry.port === null) return;
    if (!isPortNumber(entry.port)) throw new Error(`${at}.port must be 1..65535`);
    const protocol = trimProtocol(entry.protocol, at);
    const name = trimPortName(entry.name, at);
    ports.push(name === undefined ? { port: entry.port, protocol } : { name, port: entry.port, protocol });
  });

  const kind = 'EndpointSlice';
  const { namespace, name } = ctx;
  const type = addressType as EndpointSliceInfo['addressType'];
  const kept = exact(endpoints);
  const keptPorts = exact(ports);
  const service = typeof serviceName === 'string' && serviceName !== '' ? serviceName.toLowerCase() : undefined;
  const triggered = triggerTime(meta.annotations);
  // One object literal per combination of the optional fields: once optimised, a spread copy
  // ({ ...slice, serviceName }) gave every slice a hidden class and descriptor array of its own (V8).
  if (service === undefined) {
    return triggered === undefined
      ? { kind, namespace, name, addressType: type, endpoints: kept, ports: keptPorts }
      : { kind, namespace, name, addressType: type, endpoints: kept, ports: keptPorts, lastChangeTriggerTime: triggered };
  }
  return triggered === undefined
    ? { kind, namespace, name, addressType: type, endpoints: kept, ports: keptPorts, serviceName: service }
    : { kind, namespace, name, addressType: type, endpoints: kept, ports: keptPorts, serviceName: service, lastChangeTriggerTime: triggered };
}

/**
 * The endpoint's Pod name, lowercase: its targetRef when that is a Pod and the name fits in a DNS label (CoreDNS
 * ignores longer ones, object/endpoint.go); else undefined.
 */
function targetPodName(targetRef: unknown): string | undefined {
  if (!isRecord(targetRef) || targetRef.kind !== 'Pod') return undefined;
  const name = targetRef.name;
  return typeof name === 'string' && name !== '' && name.length < 64 ? name.toLowerCase() : undefined;
}

/** A not-ready endpoint keeps its pod's name and whether it is terminating, for `explain` (rare, so cheap). */
function notReadyDetails(endpoint: EndpointInfo, entry: Json, conditions: unknown): EndpointInfo {
  const ref = entry.targetRef;
  const pod = isRecord(ref) && ref.kind === 'Pod' && typeof ref.name === 'string' && ref.name !== '' ? ref.name : undefined;
  const terminating = isRecord(conditions) && conditions.terminating === true;
  if (pod === undefined && !terminating) return endpoint;
  return { ...endpoint, ...(pod === undefined ? {} : { targetPod: pod }), ...(terminating ? { terminating: true as const } : {}) };
}

/** The endpoints controller's `endpoints.kubernetes.io/last-change-trigger-time` (RFC 3339), in ms; absent or unreadable: undefined. */
function triggerTime(annotations: unknown): number | undefined {
  const value = isRecord(annotations) ? annotations['endpoints.kubernetes.io/last-change-trigger-time'] : undefined;
  const ms = typeof value === 'string' ? Date.parse(value) : NaN;
  return Number.isFinite(ms) ? ms : undefined;
}

function trimPod(raw: Json, ctx: Context): PodInfo {
  const status = optionalRecord(raw.status, `${ctx.where}: status`);
  const ips: string[] = [];
  const add = (value: unknown, field: string): void => {
    if (value === undefined || value === null || value === '') return;
    const ip = typeof value === 'string' ? canonicalIp(value) : null;
    if (ip === null) throw new Error(`${ctx.where}: ${field} has an invalid IP ${JSON.stringify(value)}`);
    if (!ips.includes(ip)) ips.push(ip);
  };
  if (Array.isArray(status.podIPs) && status.podIPs.length > 0) {
    status.podIPs.forEach((entry: unknown, i) => add(isRecord(entry) ? entry.ip : entry, `status.podIPs[${i}].ip`));
  } else {
    add(status.podIP, 'status.podIP');
  }
  const phase = typeof status.phase === 'string' && status.phase !== '' ? status.phase : 'Unknown';
  const dns = trimPodDns(raw.spec);
  const pod: PodInfo =
    dns === undefined
      ? { kind: 'Pod', namespace: ctx.namespace, name: ctx.name, ips: exact(ips), phase }
      : { kind: 'Pod', namespace: ctx.namespace, name: ctx.name, ips: exact(ips), phase, dns };
  // A pod being deleted keeps phase Running until it is gone; CoreDNS (object/pod.go) drops it at once.
  const deleting = isRecord(raw.metadata) ? raw.metadata.deletionTimestamp : undefined;
  return deleting !== undefined && deleting !== null && deleting !== '' ? { ...pod, terminating: true } : pod;
}

const DNS_POLICIES: ReadonlySet<string> = new Set(['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None']);

/**
 * spec.dnsPolicy, spec.hostNetwork and spec.dnsConfig, for `explain --from-pod`; undefined for the default
 * (ClusterFirst, no dnsConfig, no host network), which is nearly every pod, so they cost nothing. Unreadable
 * values are left out: they never make a pod unusable for DNS.
 */
function trimPodDns(spec: unknown): PodDnsSettings | undefined {
  if (!isRecord(spec)) return undefined;
  const policy = typeof spec.dnsPolicy === 'string' && DNS_POLICIES.has(spec.dnsPolicy) ? (spec.dnsPolicy as PodDnsSettings['policy']) : 'ClusterFirst';
  const hostNetwork = spec.hostNetwork === true;
  const config = isRecord(spec.dnsConfig) ? spec.dnsConfig : undefined;
  if (policy === 'ClusterFirst' && !hostNetwork && config === undefined) return undefined;
  const strings = (value: unknown): string[] | undefined => {
    const list = Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && v !== '') : [];
    return list.length > 0 ? list : undefined;
  };
  const options = Array.isArray(config?.options)
    ? config.options.flatMap((o: unknown) => {
        if (!isRecord(o) || typeof o.name !== 'string' || o.name === '') return [];
        return [typeof o.value === 'string' && o.value !== '' ? `${o.name}:${o.value}` : o.name];
      })
    : [];
  const nameservers = strings(config?.nameservers);
  const searches = strings(config?.searches);
  return {
    policy,
    ...(hostNetwork ? { hostNetwork: true as const } : {}),
    ...(nameservers ? { nameservers } : {}),
    ...(searches ? { searches: searches.map((s) => normalizeName(s)) } : {}),
    ...(options.length > 0 ? { options } : {}),
  };
}

/**
 * A copy of an array built by push() with no spare capacity. V8 grows an array on its first push to 17 slots;
 * trimmed objects live as long as the cluster, so the spare slots would too.
 */
function exact<T>(values: T[]): T[] {
  return values.slice();
}

/**
 * One string per namespace name: every object of a namespace shares it instead of carrying its own copy
 * from JSON.parse (V8 shares only values of up to 10 characters). Bounded so a churn of namespaces cannot
 * grow it for good: when full it starts over (only sharing is lost, never correctness).
 */
const interned = new Map<string, string>();
const MAX_INTERNED = 20_000;
export function intern(value: string): string {
  const known = interned.get(value);
  if (known !== undefined) return known;
  if (interned.size >= MAX_INTERNED) interned.clear();
  interned.set(value, value);
  return value;
}

function optionalRecord(value: unknown, what: string): Json {
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) throw new Error(`${what} must be an object`);
  return value;
}

function isPortNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535;
}

function trimProtocol(value: unknown, where: string): Protocol {
  if (value === undefined || value === null) return 'TCP';
  if (typeof value !== 'string' || !PROTOCOLS.has(value)) {
    throw new Error(`${where}.protocol must be TCP, UDP or SCTP, not ${JSON.stringify(value)}`);
  }
  return value as Protocol;
}

function trimPortName(value: unknown, where: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new Error(`${where}.name must be a string`);
  return value.toLowerCase();
}

/**
 * The canonical text of an IP address, or null when `text` is none: IPv6 lowercase and compressed per
 * RFC 5952 (so "FD00:10:0:0::5" and "fd00:10::5" are one address and one dashed name), IPv4 without leading
 * zeros (old API servers accepted "010.0.0.1" and meant 10.0.0.1).
 */
export function canonicalIp(text: string): string | null {
  // Nearly every address a cluster holds is already canonical IPv4: recognise that without allocating (it runs
  // for every address of every object and on autopath lookups).
  if (isCanonicalIpv4(text)) return text;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (v4) {
    const octets = v4.slice(1).map((o) => Number.parseInt(o, 10));
    return octets.every((o) => o <= 255) ? octets.join('.') : null;
  }
  if (isIP(text) !== 6 || text.includes('%')) return null; // no zone ids in cluster addresses
  // WHATWG URL serialises IPv6 hosts in RFC 5952 form (lowercase, longest zero run compressed).
  return new URL(`http://[${text}]/`).hostname.slice(1, -1);
}

/** Four decimal octets 0..255 without leading zeros: the form canonicalIp returns for IPv4. */
function isCanonicalIpv4(text: string): boolean {
  let octets = 0;
  let digits = 0;
  let value = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 46; // a final '.' closes the last octet
    if (c === 46) {
      if (digits === 0 || value > 255) return false;
      octets++;
      digits = 0;
      value = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits === 1 && value === 0) return false; // a leading zero: not canonical
      if (++digits > 3) return false;
      value = value * 10 + (c - 48);
    } else {
      return false;
    }
  }
  return octets === 4;
}
