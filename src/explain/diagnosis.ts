// Why a name answers nothing (NXDOMAIN, NODATA) or less than expected: one reason per finding, each naming the
// object involved. It reads the cluster objects the records were built from and never decides the answer:
// the rcode comes from the server, these only say why.
import type { ClusterStore } from '../cluster/cluster-store.js';
import type { EndpointInfo, EndpointSliceInfo, ServiceInfo } from '../cluster/objects.js';
import { endpointLabel, parseQname, type Qname } from '../cluster/qname.js';
import { canonicalIp } from '../cluster/trim.js';
import { RRType } from '../wire/types.js';
import type { ObjectRef, Reason } from './explanation.js';

export interface DiagnosisContext {
  store: ClusterStore;
  clusterZones: readonly string[];
  /** The cluster or reverse zone `name` is in, or null. */
  indexZone: (name: string) => string | null;
  zoneFileOf: (name: string) => string | null;
  /** Where a name outside every served zone goes: the route's domain ("" the default) and upstreams, or null. */
  routeOf: (name: string) => { domain: string; upstreams: string[] } | null;
  /** Every zone served, for the zone-not-served message. */
  servedZones: () => string[];
  /** This explainer cannot forward (the CLI offline): say what a server would do. */
  offline: boolean;
}

export interface Outcome {
  rcode: string;
  /** Answer records for the question (before CNAME chasing they may be only a CNAME). */
  answered: boolean;
}

const serviceRef = (s: { namespace: string; name: string }): ObjectRef => ({ kind: 'Service', namespace: s.namespace, name: s.name });
const sliceRef = (s: EndpointSliceInfo): ObjectRef => ({ kind: 'EndpointSlice', namespace: s.namespace, name: s.name });

export function diagnose(qname: string, qtype: number, outcome: Outcome, ctx: DiagnosisContext): Reason[] {
  const zone = ctx.indexZone(qname);
  if (zone === null) return ctx.zoneFileOf(qname) === null ? [notServed(qname, ctx)] : [];
  if (!ctx.clusterZones.includes(zone)) return []; // reverse zones: a PTR exists for published addresses only
  const parsed = parseQname(qname, zone);
  if (parsed === null) return [];
  return forName(parsed, qtype, outcome, ctx);
}

function notServed(qname: string, ctx: DiagnosisContext): Reason {
  const zones = ctx.servedZones().map((z) => (z === '' ? '.' : z)).join(', ');
  const route = ctx.routeOf(qname);
  let where: string;
  if (ctx.offline) where = 'clusterdns serve forwards it to --upstream (or the nameservers of /etc/resolv.conf); explain without a server does not send it';
  else if (route === null) where = 'no upstream is configured, so the server answers REFUSED';
  else if (route.domain === '') where = `it is forwarded to ${route.upstreams.join(', ')}`;
  else where = `it is forwarded to ${route.upstreams.join(', ')} (stub domain ${route.domain})`;
  return { code: 'zone-not-served', message: `${qname} is in none of the zones served here (${zones}): ${where}` };
}

function forName(parsed: Qname, qtype: number, outcome: Outcome, ctx: DiagnosisContext): Reason[] {
  const { store } = ctx;
  const pods = store.buildOptions.pods;
  const negative = !outcome.answered;
  switch (parsed.kind) {
    case 'pod-root':
      return pods === 'disabled' ? [podsDisabled()] : [];
    case 'namespace':
      if (parsed.under === 'pod' && pods === 'disabled') return [podsDisabled()];
      return store.namespaceExists(parsed.namespace) ? [] : [noNamespace(parsed.namespace)];
    case 'service':
    case 'endpoint':
    case 'port':
      return serviceName(parsed, qtype, negative, ctx);
    case 'pod':
      return negative ? podName(parsed, ctx) : [];
    default:
      return [];
  }
}

function podsDisabled(): Reason {
  return { code: 'pod-records-disabled', message: 'pod records are disabled (--pods disabled): no name under pod.<zone> exists' };
}

function noNamespace(namespace: string): Reason {
  return {
    code: 'no-such-namespace',
    message: `namespace ${namespace} does not exist (no Namespace object, and no Service or Pod in it)`,
    object: { kind: 'Namespace', namespace: '', name: namespace },
  };
}

type ServiceQname = Extract<Qname, { kind: 'service' | 'endpoint' | 'port' }>;

function serviceName(parsed: ServiceQname, qtype: number, negative: boolean, ctx: DiagnosisContext): Reason[] {
  const { store } = ctx;
  const { namespace, service } = parsed;
  const info = store.service(namespace, service);
  if (info === undefined) {
    const reasons: Reason[] = [];
    if (!store.namespaceExists(namespace)) reasons.push(noNamespace(namespace));
    reasons.push(noService(namespace, service, ctx));
    return reasons;
  }
  if (info.type === 'ExternalName') {
    if (parsed.kind === 'service') return [];
    return [
      {
        code: 'externalname-capture',
        message: `${service}.${namespace} is an ExternalName Service (CNAME to ${info.externalName ?? ''}): it captures its name, and no name under it exists`,
        object: serviceRef(info),
      },
    ];
  }
  const slices = store.slicesOf(namespace, service).filter((s) => s.addressType !== 'FQDN');
  const reasons: Reason[] = [];
  const noEndpoints = endpointsMissing(info, slices, store.buildOptions.noEndpoints === true);
  const notReady = info.publishNotReadyAddresses ? [] : notReadyReasons(slices);
  const family = familyOf(qtype);
  switch (parsed.kind) {
    case 'service':
      if (info.headless) {
        // spec 1.1.0 §2.4.1: a headless Service's name answers with its endpoints' addresses.
        if (noEndpoints !== null) reasons.push(noEndpoints);
        reasons.push(...notReady);
        if (negative && noEndpoints === null && family !== null) {
          const wrongFamily = endpointsWithoutFamily(info, slices, family);
          if (wrongFamily !== null) reasons.push(wrongFamily);
        }
      } else if (negative) {
        // §2.3.1: a ClusterIP Service's A/AAAA are its cluster IPs, whatever its endpoints; the endpoints matter
        // only under `ignore empty_service`, which publishes nothing for a Service with no published endpoint.
        if (store.buildOptions.ignoreEmptyService === true && publishedLabels(info, slices).length === 0) {
          if (noEndpoints !== null) reasons.push(noEndpoints);
          reasons.push(...notReady);
        } else if (family !== null) {
          const wrongFamily = clusterIpsWithoutFamily(info, family);
          if (wrongFamily !== null) reasons.push(wrongFamily);
        }
      }
      if (negative && qtype === RRType.SRV) reasons.push(...unnamedPorts(info, slices, null));
      return reasons;
    case 'endpoint': {
      if (!negative) return [];
      const label = parsed.endpoint;
      const matching = notReady.filter((r) => r.labels?.includes(label));
      if (matching.length > 0) return matching.map(strip);
      if (noEndpoints !== null) return [noEndpoints];
      const known = publishedLabels(info, slices);
      if (known.includes(label)) {
        // The endpoint exists: a negative answer is a type it has no record of (an IPv4 endpoint asked AAAA).
        if (family === null) return [];
        const wrongFamily = endpointsWithoutFamily(info, slices, family, label);
        return wrongFamily === null ? [] : [wrongFamily];
      }
      return [
        {
          code: 'no-endpoints',
          message: `Service ${namespace}/${service} has no endpoint named ${label}; its endpoints are ${known.length > 0 ? known.join(', ') : 'none'}`,
          object: serviceRef(info),
        },
      ];
    }
    case 'port': {
      if (!negative) return [];
      if (info.headless && noEndpoints !== null) return [noEndpoints];
      return unnamedPorts(info, slices, { name: parsed.port, protocol: parsed.protocol });
    }
  }
}

/** A not-ready reason, with the labels it covers (for endpoint names) until it is reported. */
type LabelledReason = Reason & { labels?: string[] };

function strip(reason: LabelledReason): Reason {
  const { labels: _labels, ...rest } = reason;
  return rest;
}

function noService(namespace: string, service: string, ctx: DiagnosisContext): Reason {
  const elsewhere: string[] = [];
  for (const s of ctx.store.allServices()) if (s.name === service && s.namespace !== namespace) elsewhere.push(s.namespace);
  const orphans = ctx.store.slicesOf(namespace, service);
  let message = `there is no Service ${service} in namespace ${namespace}`;
  if (elsewhere.length > 0) message += `; a Service of that name exists in namespace${elsewhere.length > 1 ? 's' : ''} ${elsewhere.sort().join(', ')}`;
  if (orphans.length > 0) message += `; EndpointSlice ${orphans.map((s) => s.name).join(', ')} is labelled for it but the Service is missing`;
  return { code: 'no-such-service', message, object: { kind: 'Service', namespace, name: service } };
}

/** The Service has nothing to publish: no slice labelled for it, or slices without endpoints. */
function endpointsMissing(info: ServiceInfo, slices: EndpointSliceInfo[], noEndpointsOption: boolean): Reason | null {
  if (noEndpointsOption) {
    return { code: 'no-endpoints', message: 'endpoint records are turned off (CoreDNS kubernetes noendpoints)', object: serviceRef(info) };
  }
  if (slices.length === 0) {
    return {
      code: 'no-endpoints',
      message: `no EndpointSlice is labelled kubernetes.io/service-name=${info.name} in namespace ${info.namespace}: the Service has no selector, or its selector matches no pod`,
      object: serviceRef(info),
    };
  }
  if (slices.every((s) => s.endpoints.length === 0)) {
    return {
      code: 'no-endpoints',
      message: `EndpointSlice ${slices.map((s) => s.name).join(', ')} has no endpoints: the Service's selector matches no pod`,
      object: sliceRef(slices[0]),
    };
  }
  return null;
}

type Family = 'IPv4' | 'IPv6';

/** The address family an address question asks for (A: IPv4, AAAA: IPv6), or null for other types. */
function familyOf(qtype: number): Family | null {
  if (qtype === RRType.A) return 'IPv4';
  if (qtype === RRType.AAAA) return 'IPv6';
  return null;
}

const familyOfIp = (ip: string): Family => (ip.includes(':') ? 'IPv6' : 'IPv4');
const isFamily = (ip: string, family: Family): boolean => familyOfIp(ip) === family;
const typeOf = (family: Family): string => (family === 'IPv6' ? 'AAAA' : 'A');

/** Up to five addresses, then a count: a large headless Service has thousands. */
function someAddresses(ips: readonly string[]): string {
  const shown = ips.slice(0, 5).join(', ');
  return ips.length > 5 ? `${shown} and ${ips.length - 5} more` : shown;
}

/** A ClusterIP Service asked A or AAAA: its records are its cluster IPs (spec 1.1.0 §2.3.1), one per family. */
function clusterIpsWithoutFamily(info: ServiceInfo, family: Family): Reason | null {
  if (info.clusterIPs.some((ip) => isFamily(ip, family))) return null;
  const families = [...new Set(info.clusterIPs.map(familyOfIp))];
  const has =
    info.clusterIPs.length === 0
      ? 'it has no cluster IP at all (spec.clusterIP is empty)'
      : `its spec.clusterIPs are ${info.clusterIPs.join(', ')} (ipFamilies ${families.join(', ')})`;
  return {
    code: 'no-address-of-type',
    message: `Service ${info.namespace}/${info.name} has no ${family} cluster IP, so no ${typeOf(family)} record: ${has}; a ClusterIP Service's A/AAAA records are its cluster IPs, not its endpoints (spec 1.1.0 §2.3.1)`,
    object: serviceRef(info),
  };
}

/**
 * A headless Service (or one endpoint name, `label`) asked A or AAAA: its records are its endpoints' addresses
 * (spec 1.1.0 §2.4.1). Null when some endpoint has that family: a not-ready one is then the reason.
 */
function endpointsWithoutFamily(info: ServiceInfo, slices: EndpointSliceInfo[], family: Family, label?: string): Reason | null {
  const ips: string[] = [];
  const holding: EndpointSliceInfo[] = [];
  for (const slice of slices) {
    for (const endpoint of slice.endpoints) {
      for (const a of endpoint.addresses) {
        const ip = canonicalIp(a) ?? a;
        if (label !== undefined && endpointLabel(endpoint.hostname, ip) !== label) continue;
        if (isFamily(ip, family)) return null;
        ips.push(ip);
        if (!holding.includes(slice)) holding.push(slice);
      }
    }
  }
  if (holding.length === 0) return null;
  const service = `Service ${info.namespace}/${info.name}`;
  const whose = label === undefined ? `headless ${service}` : `endpoint ${label} of ${service}`;
  const where = holding.map((s) => `${s.name} (addressType ${s.addressType})`).join(', ');
  const rule = label === undefined ? "a headless Service's A/AAAA records are its endpoints' addresses" : "an endpoint name's A/AAAA records are its addresses";
  return {
    code: 'no-address-of-type',
    message: `${whose} has no ${family} address, so no ${typeOf(family)} record: its ${label === undefined ? 'endpoints' : 'addresses'} are ${someAddresses(ips)} in EndpointSlice ${where}; ${rule} (spec 1.1.0 §2.4.1)`,
    object: label === undefined ? serviceRef(info) : sliceRef(holding[0]),
  };
}

function conditionOf(endpoint: EndpointInfo): string {
  return endpoint.terminating ? 'conditions.ready is false and conditions.terminating is true (the pod is being deleted)' : 'conditions.ready is false';
}

function notReadyReasons(slices: EndpointSliceInfo[]): LabelledReason[] {
  const reasons: LabelledReason[] = [];
  for (const slice of slices) {
    for (const endpoint of slice.endpoints) {
      if (endpoint.ready) continue;
      const ips = endpoint.addresses.map((a) => canonicalIp(a) ?? a);
      const labels = ips.map((ip) => endpointLabel(endpoint.hostname, ip));
      const pod = endpoint.targetPod === undefined ? 'an endpoint with no pod reference' : `pod ${slice.namespace}/${endpoint.targetPod}`;
      reasons.push({
        code: 'endpoint-not-ready',
        message: `${pod} (${ips.join(', ')}${endpoint.hostname ? `, hostname ${endpoint.hostname}` : ''}) in EndpointSlice ${slice.name} is not published: ${conditionOf(endpoint)}`,
        object: endpoint.targetPod === undefined ? sliceRef(slice) : { kind: 'Pod', namespace: slice.namespace, name: endpoint.targetPod },
        labels,
      });
    }
  }
  return reasons;
}

function publishedLabels(info: ServiceInfo, slices: EndpointSliceInfo[]): string[] {
  const labels = new Set<string>();
  for (const slice of slices) {
    for (const endpoint of slice.endpoints) {
      if (!endpoint.ready && !info.publishNotReadyAddresses) continue;
      for (const a of endpoint.addresses) labels.add(endpointLabel(endpoint.hostname, canonicalIp(a) ?? a));
    }
  }
  return [...labels];
}

/** SRV needs named ports: on the Service (ClusterIP) or on its EndpointSlices (headless). */
function unnamedPorts(info: ServiceInfo, slices: EndpointSliceInfo[], wanted: { name: string; protocol: string } | null): Reason[] {
  const describe = (ports: ReadonlyArray<{ name?: string; port: number; protocol: string }>) =>
    ports.length === 0 ? 'none' : ports.map((p) => `${p.name ?? '(unnamed)'} ${p.port}/${p.protocol}`).join(', ');
  const want = wanted === null ? '' : `no port named ${wanted.name} with protocol ${wanted.protocol}; `;
  if (info.headless) {
    const reasons: Reason[] = [];
    for (const slice of slices) {
      const named = slice.ports.filter((p) => p.name !== undefined);
      const has = wanted === null ? named.length > 0 : named.some((p) => p.name === wanted.name && p.protocol.toLowerCase() === wanted.protocol);
      if (has) continue;
      reasons.push({
        code: 'port-unnamed',
        message: `EndpointSlice ${slice.name} points at Service ${info.name} but has ${want}its ports: ${describe(slice.ports)}; SRV records need a named port (spec 1.1.0 §2.4.2)`,
        object: sliceRef(slice),
      });
    }
    return reasons;
  }
  const named = info.ports.filter((p) => p.name !== undefined);
  const has = wanted === null ? named.length > 0 : named.some((p) => p.name === wanted.name && p.protocol.toLowerCase() === wanted.protocol);
  if (has) return [];
  return [
    {
      code: 'port-unnamed',
      message: `Service ${info.namespace}/${info.name} has ${want}its ports: ${describe(info.ports)}; SRV records need a named port (spec 1.1.0 §2.3.2)`,
      object: serviceRef(info),
    },
  ];
}

function podName(parsed: Extract<Qname, { kind: 'pod' }>, ctx: DiagnosisContext): Reason[] {
  const { store } = ctx;
  const pods = store.buildOptions.pods;
  if (pods === 'disabled') return [podsDisabled()];
  if (!store.namespaceExists(parsed.namespace)) return [noNamespace(parsed.namespace)];
  if (parsed.ip === null) {
    return [{ code: 'pod-not-found', message: `${parsed.label} is not an IP address written with dashes (10-244-1-10), so no pod has this name` }];
  }
  if (pods === 'insecure') return [];
  const withIp = store.podsWithIp(parsed.ip);
  const here = withIp.filter((p) => p.namespace === parsed.namespace);
  if (here.length === 0) {
    const elsewhere = withIp.map((p) => `${p.namespace}/${p.name}`);
    return [
      {
        code: 'pod-not-found',
        message: `no pod in namespace ${parsed.namespace} has IP ${parsed.ip} (pods verified)${elsewhere.length > 0 ? `; it belongs to ${elsewhere.join(', ')}` : ''}`,
        object: { kind: 'Namespace', namespace: '', name: parsed.namespace },
      },
    ];
  }
  return here.map((pod) => ({
    code: 'pod-terminating' as const,
    message: pod.terminating
      ? `pod ${pod.namespace}/${pod.name} is being deleted (metadata.deletionTimestamp is set): pods verified publishes Running pods only`
      : `pod ${pod.namespace}/${pod.name} is ${pod.phase}, not Running: pods verified publishes Running pods only`,
    object: { kind: 'Pod', namespace: pod.namespace, name: pod.name },
  }));
}
