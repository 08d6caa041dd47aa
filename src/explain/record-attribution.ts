// Which object made a record the server answered, and by which rule. The record comes from the server's own
// answer; this only finds its origin: the qname grammar (cluster/qname.ts) says what kind of name it is, the
// store says which Service, EndpointSlice or Pod stands behind it (record-builder.ts makes them the same way).
import type { ClusterStore } from '../cluster/cluster-store.js';
import type { EndpointSliceInfo } from '../cluster/objects.js';
import { parseQname, endpointLabel } from '../cluster/qname.js';
import { DNS_SERVICE } from '../cluster/record-builder.js';
import { canonicalIp } from '../cluster/trim.js';
import { reverseNameToIp } from '../cluster/reverse-name.js';
import { RRType, type ResourceRecord, type SrvData } from '../wire/types.js';
import type { RecordSource } from './explanation.js';
import { Rules } from './spec-rules.js';

export interface AttributionContext {
  store: ClusterStore;
  /** Cluster zones, the first the primary (PTR targets point into it). */
  clusterZones: readonly string[];
  /** The cluster or reverse zone `name` is in, or null (the record index's findZone). */
  indexZone: (name: string) => string | null;
  /** The zone file serving `name`, or null. */
  zoneFileOf: (name: string) => string | null;
  /** The upstreams a name outside every served zone goes to (empty: not forwarded). */
  upstreamsOf: (name: string) => string[];
}

export interface Attribution {
  source: RecordSource;
  rule: string;
}

const zoneSource = (zone: string): RecordSource => ({ kind: 'Zone', namespace: '', name: zone === '' ? '.' : zone });
const serviceSource = (namespace: string, name: string): RecordSource => ({ kind: 'Service', namespace, name });
const sliceSource = (slice: EndpointSliceInfo): RecordSource => ({ kind: 'EndpointSlice', namespace: slice.namespace, name: slice.name });

/** The first slice of the Service with an endpoint (published or not) matching `match`. */
function sliceWith(ctx: AttributionContext, namespace: string, service: string, match: (ip: string, label: string) => boolean): EndpointSliceInfo | undefined {
  for (const slice of ctx.store.slicesOf(namespace, service)) {
    if (slice.addressType === 'FQDN') continue;
    for (const endpoint of slice.endpoints) {
      for (const raw of endpoint.addresses) {
        const ip = canonicalIp(raw);
        if (ip !== null && match(ip, endpointLabel(endpoint.hostname, ip))) return slice;
      }
    }
  }
  return undefined;
}

function bySlice(ctx: AttributionContext, namespace: string, service: string, match: (ip: string, label: string) => boolean, rule: string): Attribution {
  const slice = sliceWith(ctx, namespace, service, match);
  return { source: slice ? sliceSource(slice) : serviceSource(namespace, service), rule };
}

export function attributeRecord(record: ResourceRecord, ctx: AttributionContext): Attribution {
  const name = record.name;
  const zone = ctx.indexZone(name);
  if (zone === null) {
    const file = ctx.zoneFileOf(name);
    if (file !== null) return { source: { kind: 'ZoneFile', namespace: '', name: file }, rule: Rules.zoneFile };
    const upstreams = ctx.upstreamsOf(name);
    return { source: { kind: 'Upstream', namespace: '', name: upstreams.length > 0 ? upstreams.join(',') : 'unknown' }, rule: Rules.forwarded };
  }
  if (record.type === RRType.SOA) return { source: zoneSource(zone), rule: Rules.zoneApex };
  if (record.type === RRType.NS) return { source: zoneSource(zone), rule: Rules.zoneNs };
  if (!ctx.clusterZones.includes(zone)) return attributePtr(record, ctx, zone);

  const parsed = parseQname(name, zone);
  switch (parsed?.kind) {
    case 'dns-version':
      return { source: zoneSource(zone), rule: Rules.schemaVersion };
    case 'nameserver':
      return { source: serviceSource(DNS_SERVICE.namespace, DNS_SERVICE.name), rule: Rules.nameserverAddress };
    case 'service': {
      const { namespace, service } = parsed;
      const info = ctx.store.service(namespace, service);
      if (info?.type === 'ExternalName') return { source: serviceSource(namespace, service), rule: Rules.externalName };
      if (info !== undefined && !info.headless) {
        return { source: serviceSource(namespace, service), rule: record.type === RRType.SRV ? Rules.clusterIpSrv : Rules.clusterIpAddress };
      }
      if (record.type === RRType.SRV) {
        const label = (record.data as SrvData).target.split('.')[0];
        return bySlice(ctx, namespace, service, (_ip, l) => l === label, Rules.headlessSrv);
      }
      return bySlice(ctx, namespace, service, (ip) => ip === record.data, Rules.headlessAddress);
    }
    case 'endpoint': {
      const { namespace, service, endpoint } = parsed;
      const rule = record.type === RRType.SRV ? Rules.headlessSrv : Rules.endpointAddress;
      return bySlice(ctx, namespace, service, (ip, label) => label === endpoint && (record.type === RRType.SRV || ip === record.data), rule);
    }
    case 'port': {
      const { namespace, service } = parsed;
      const info = ctx.store.service(namespace, service);
      if (info !== undefined && !info.headless) return { source: serviceSource(namespace, service), rule: Rules.clusterIpSrv };
      const label = record.type === RRType.SRV ? (record.data as SrvData).target.split('.')[0] : '';
      return bySlice(ctx, namespace, service, (_ip, l) => l === label, Rules.headlessSrv);
    }
    case 'pod': {
      const { namespace, ip } = parsed;
      const pod = ip === null ? undefined : ctx.store.podsWithIp(ip).find((p) => p.namespace === namespace);
      if (pod !== undefined && ctx.store.buildOptions.pods === 'verified') {
        return { source: { kind: 'Pod', namespace, name: pod.name }, rule: Rules.podRecord };
      }
      return { source: { kind: 'Namespace', namespace: '', name: namespace }, rule: Rules.podInsecure };
    }
    default:
      return { source: zoneSource(zone), rule: Rules.zoneApex };
  }
}

/** A PTR in a reverse zone: the name it points to says whether a ClusterIP or an endpoint made it. */
function attributePtr(record: ResourceRecord, ctx: AttributionContext, zone: string): Attribution {
  const target = typeof record.data === 'string' ? record.data : '';
  const primary = ctx.clusterZones[0] ?? '';
  const parsed = parseQname(target, primary);
  const ip = reverseNameToIp(record.name);
  if (parsed?.kind === 'service') return { source: serviceSource(parsed.namespace, parsed.service), rule: Rules.clusterIpPtr };
  if (parsed?.kind === 'endpoint') {
    return bySlice(ctx, parsed.namespace, parsed.service, (address, label) => label === parsed.endpoint && (ip === null || address === ip), Rules.headlessPtr);
  }
  return { source: zoneSource(zone), rule: Rules.zoneApex };
}
