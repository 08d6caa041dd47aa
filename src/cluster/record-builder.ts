// Trimmed objects → resource records (Kubernetes DNS-Based Service Discovery, schema 1.1.0). Pure functions:
// no I/O, no state; the cluster store decides what to rebuild and hands the result to the record index.
//
// Where the spec leaves a choice, CoreDNS's kubernetes plugin decides (plugin/kubernetes/kubernetes.go
// findServices, reverse.go, plugin/backend_lookup.go):
// - Endpoint names `<hostname>.<svc>.<ns>.svc.<zone>` exist for ClusterIP services too (A/AAAA), and every
//   ready endpoint of any service gets a PTR to its endpoint name.
// - SRV on the bare service name lists every declared port; SRV on an endpoint name lists that endpoint's
//   ports with itself as target.
// - SRV priority 0, weight ⌊100 / n⌋ (at least 1) where n counts the (address, port) pairs behind the RRset,
//   before duplicate SRVs fold: 100 for one ClusterIP and one port, 50 for a dual-stack one, 33 for each of
//   three headless endpoints.
// - The schema-version TXT has TTL 28800 whatever the configured TTL.
// - Endpoint labels: the endpoint's hostname, else its Pod name when trimmed with it (`endpoint_pod_names`),
//   else the dashed IP. Not-ready endpoints publish nothing unless
//   the Service has publishNotReadyAddresses. FQDN slices are ignored.
// - PTR owners are reverse names (in-addr.arpa / ip6.arpa), published once, pointing into the first zone.
import { ipToReverseName } from '../records/ip-names.js';
import { sameRR } from '../records/same-record.js';
import { RRClass, RRType, type ResourceRecord } from '../wire/types.js';
import type { EndpointSliceInfo, PodInfo, PodsMode, ServiceInfo } from './objects.js';
import {
  dnsVersionName,
  endpointLabel,
  endpointName,
  namespaceName,
  nameserverName,
  podName,
  podRootName,
  serviceName,
  srvName,
  svcRootName,
} from './qname.js';
import { canonicalIp } from './trim.js';

/** The schema version published at `dns-version.<zone>` (spec 1.1.0 §2.2). */
export const DNS_SCHEMA_VERSION = '1.1.0';
/** CoreDNS answers the schema-version TXT with this TTL, not the configured one. */
export const DNS_VERSION_TTL = 28800;
/** The Service whose cluster IPs answer for `ns.dns.<zone>`. */
export const DNS_SERVICE = { namespace: 'kube-system', name: 'kube-dns' } as const;

/** The reverse zones PTR records live in; the record index must serve them next to the cluster zones. */
export const REVERSE_ZONES: readonly string[] = ['in-addr.arpa', 'ip6.arpa'];

export interface BuildOptions {
  /** Cluster zones, lowercase, no trailing dot; the first is the primary zone (PTR targets). */
  zones: readonly string[];
  ttl: number;
  /** Reverse zones that get an apex NS like the cluster zones (default REVERSE_ZONES). */
  reverseZones?: readonly string[];
  /** CoreDNS kubernetes `ignore empty_service`: a ClusterIP Service without ready endpoints has no records (NXDOMAIN). */
  ignoreEmptyService?: boolean;
  /** CoreDNS kubernetes `noendpoints`: no endpoint records (headless Services and endpoint names are NXDOMAIN). */
  noEndpoints?: boolean;
}

/** What one owner contributes to the index: records, plus names that exist without records of their own. */
export interface OwnerRecords {
  records: ResourceRecord[];
  names: string[];
}

// ---------------------------------------------------------------------------------------------- helpers

function address(name: string, ip: string, ttl: number): ResourceRecord {
  return ip.includes(':')
    ? { name, type: RRType.AAAA, class: RRClass.IN, ttl, data: ip }
    : { name, type: RRType.A, class: RRClass.IN, ttl, data: ip };
}

function ptr(ip: string, target: string, ttl: number): ResourceRecord {
  return { name: ipToReverseName(ip), type: RRType.PTR, class: RRClass.IN, ttl, data: target };
}

/** One (target, port) per SRV; n = how many (address, port) pairs stood behind the RRset. */
function srvRecords(name: string, entries: ReadonlyArray<{ target: string; port: number }>, n: number, ttl: number): ResourceRecord[] {
  const weight = srvWeight(n);
  // Ports seen per target: no "target port" key string per record (a headless RRset has thousands).
  const seen = new Map<string, number | number[]>();
  const out: ResourceRecord[] = [];
  for (const { target, port } of entries) {
    const had = seen.get(target);
    if (had === undefined) seen.set(target, port);
    else if (had === port || (Array.isArray(had) && had.includes(port))) continue;
    else seen.set(target, Array.isArray(had) ? [...had, port] : [had, port]);
    out.push({ name, type: RRType.SRV, class: RRClass.IN, ttl, data: { priority: 0, weight, port, target } });
  }
  return out;
}

/** Append without spreading (an RRset of thousands would be thousands of call arguments). */
function pushAll(out: ResourceRecord[], records: readonly ResourceRecord[]): void {
  for (const record of records) out.push(record);
}

/** Past this many records a RecordList keeps identity keys instead of scanning. */
const SCAN_LIMIT = 16;

function recordKey(rr: ResourceRecord): string {
  // JSON.stringify only for structured RDATA (SRV, TXT, SOA).
  return typeof rr.data === 'string' ? `${rr.name} ${rr.type} "${rr.data}` : `${rr.name} ${rr.type} ${JSON.stringify(rr.data)}`;
}

/** An owner's records without duplicates: `add` skips a record identical (name, type, rdata) to one held. */
class RecordList {
  readonly records: ResourceRecord[] = [];
  /** Identity keys, built only once the list is long enough for a linear scan to cost more than the keys. */
  private seen: Set<string> | undefined;

  add(rr: ResourceRecord): void {
    // Most owners hold a handful of records: compare field by field, no key strings (building them showed
    // in load profiles). A headless Service with many endpoints switches to a Set of keys.
    if (this.seen === undefined) {
      for (const existing of this.records) if (sameRR(existing, rr)) return;
      this.records.push(rr);
      if (this.records.length > SCAN_LIMIT) this.seen = new Set(this.records.map(recordKey));
      return;
    }
    const key = recordKey(rr);
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.records.push(rr);
  }

  addAll(rrs: Iterable<ResourceRecord>): void {
    for (const rr of rrs) this.add(rr);
  }
}

// ---------------------------------------------------------------------------------------------- services

/** One published endpoint address with one of its ports (port undefined when its slice declares none). */
export interface EndpointEntry {
  ip: string;
  label: string;
  port?: { name?: string; port: number; protocol: string };
}

/** What makes two entries the same across slices (one endpoint listed by two slices publishes once). */
export function endpointEntryKey(e: EndpointEntry): string {
  return e.port ? `${e.ip} ${e.label} ${e.port.name ?? ''} ${e.port.protocol} ${e.port.port}` : `${e.ip} ${e.label}`;
}

/** The SRV name group of an entry: its named port and protocol (unnamed ports have no `_port._proto` name). */
export function endpointPortGroup(e: EndpointEntry): string | undefined {
  return e.port?.name ? `${e.port.name}\0${e.port.protocol}` : undefined;
}

/**
 * The published endpoint addresses of a Service: every IPv4/IPv6 slice labelled with its name, ready (or
 * publishNotReadyAddresses), de-duplicated across slices, one entry per (address, label, port).
 */
export function endpointEntries(service: ServiceInfo, slices: Iterable<EndpointSliceInfo>): EndpointEntry[] {
  const out: EndpointEntry[] = [];
  const seen = new Set<string>();
  for (const slice of slices) {
    if (slice.addressType === 'FQDN') continue;
    if (slice.namespace !== service.namespace || slice.serviceName !== service.name) continue;
    for (const endpoint of slice.endpoints) {
      if (!endpoint.ready && !service.publishNotReadyAddresses) continue;
      for (const raw of endpoint.addresses) {
        const ip = canonicalIp(raw);
        if (ip === null) continue;
        const label = endpointLabel(endpoint.hostname, ip, endpoint.podName);
        const ports = slice.ports.length > 0 ? slice.ports : [undefined];
        for (const port of ports) {
          const entry: EndpointEntry = port ? { ip, label, port } : { ip, label };
          const key = endpointEntryKey(entry);
          if (seen.has(key)) continue;
          seen.add(key);
          out.push(entry);
        }
      }
    }
  }
  return out;
}

/**
 * How many distinct entries stand behind each SRV RRset of a Service (its weights, ⌊100 / n⌋, depend on
 * them): all of them (the bare name), per named port, per endpoint label.
 */
export interface EndpointCounts {
  total: number;
  byPort: ReadonlyMap<string, number>;
  byLabel: ReadonlyMap<string, number>;
}

/** The counts of a complete, de-duplicated entry list. */
export function countEndpointEntries(entries: readonly EndpointEntry[]): EndpointCounts {
  const byPort = new Map<string, number>();
  const byLabel = new Map<string, number>();
  for (const e of entries) {
    const group = endpointPortGroup(e);
    if (group !== undefined) byPort.set(group, (byPort.get(group) ?? 0) + 1);
    byLabel.set(e.label, (byLabel.get(e.label) ?? 0) + 1);
  }
  return { total: entries.length, byPort, byLabel };
}

/** The weight of an SRV RRset with `n` (address, port) pairs behind it. */
export function srvWeight(n: number): number {
  return Math.max(1, Math.floor(100 / Math.max(1, n)));
}

/** Group items by a key, keeping first-seen order. */
function groupBy<T>(items: Iterable<T>, key: (item: T) => string | undefined): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    if (k === undefined) continue;
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/**
 * Every record of one Service given the EndpointSlices of its namespace (slices of other services are
 * skipped, so passing more is harmless): its own records and those of all its endpoints together.
 */
export function buildServiceRecords(
  service: ServiceInfo,
  slices: Iterable<EndpointSliceInfo>,
  options: BuildOptions,
): OwnerRecords {
  const entries = service.type === 'ExternalName' || options.noEndpoints ? [] : endpointEntries(service, slices);
  return buildServiceRecordsOf(service, entries, options);
}

/** Every record of one Service given all its endpoint entries (endpointEntries). */
export function buildServiceRecordsOf(service: ServiceInfo, entries: readonly EndpointEntry[], options: BuildOptions): OwnerRecords {
  const own = buildServiceOwnRecords(service, entries.length > 0, options);
  const out = new RecordList();
  out.addAll(own.records);
  out.addAll(buildEndpointRecords(service, entries, countEndpointEntries(entries), options).records);
  return { records: out.records, names: [] };
}

/**
 * The records of a Service that do not depend on its endpoints: ExternalName CNAME/A, and the cluster IPs'
 * A/AAAA, SRV and PTR. A headless Service has none (its name answers with its endpoints).
 */
export function buildServiceOwnRecords(service: ServiceInfo, hasEndpoints: boolean, options: BuildOptions): OwnerRecords {
  const { zones, ttl } = options;
  const out = new RecordList();
  if (service.type === 'ExternalName') {
    const target = service.externalName ?? '';
    const ip = canonicalIp(target);
    for (const zone of zones) {
      const name = serviceName(service.name, service.namespace, zone);
      if (ip !== null) out.add(address(name, ip, ttl));
      else if (target !== '') out.add({ name, type: RRType.CNAME, class: RRClass.IN, ttl, data: target });
    }
    return { records: out.records, names: [] };
  }
  if (service.headless) return { records: [], names: [] };
  if (options.ignoreEmptyService && !hasEndpoints) return { records: [], names: [] };
  const primary = zones[0];
  for (const zone of zones) {
    const name = serviceName(service.name, service.namespace, zone);
    // spec 1.1.0 §2.3.1: A/AAAA per cluster IP (dual-stack: both families).
    for (const ip of service.clusterIPs) out.add(address(name, ip, ttl));
    const ipCount = service.clusterIPs.length;
    if (ipCount > 0) {
      // §2.3.2: SRV per named port, the Service port, target the service name.
      const byPortName = groupBy(service.ports, (p) => (p.name ? `${p.name}\0${p.protocol}` : undefined));
      for (const group of byPortName.values()) {
        const srv = group.map((p) => ({ target: name, port: p.port }));
        out.addAll(srvRecords(srvName(group[0].name!, group[0].protocol, service.name, service.namespace, zone), srv, group.length * ipCount, ttl));
      }
      const bare = service.ports.map((p) => ({ target: name, port: p.port }));
      out.addAll(srvRecords(name, bare, Math.max(1, service.ports.length) * ipCount, ttl));
    }
    if (zone === primary) for (const ip of service.clusterIPs) out.add(ptr(ip, name, ttl));
  }
  return { records: out.records, names: [] };
}

/**
 * The records some of a Service's endpoint entries contribute (one EndpointSlice's, or all): for a headless
 * Service the service name's A/AAAA and SRV; for any Service the endpoint names' A/AAAA and SRV, and the
 * PTRs. SRV weights come from `counts`, which cover all of the Service's entries, so the union of the parts
 * built per slice equals the records built from all entries at once.
 */
export function buildEndpointRecords(
  service: ServiceInfo,
  entries: readonly EndpointEntry[],
  counts: EndpointCounts,
  options: BuildOptions,
): OwnerRecords {
  const { zones, ttl } = options;
  if (service.type === 'ExternalName' || options.noEndpoints || entries.length === 0) return { records: [], names: [] };
  // No RecordList here: records at different names never collide, so duplicates (one address listed with
  // several ports) are skipped per name by address, without a key string per record.
  const out: ResourceRecord[] = [];
  const primary = zones[0];
  for (const zone of zones) {
    const name = serviceName(service.name, service.namespace, zone);
    // One string per endpoint name, shared by its records, the SRV targets and the PTRs pointing at it: the
    // index keeps names by reference, so each copy would stay in memory as long as the records.
    const endpointNames = new Map<string, string>();
    const endpointNameOf = (label: string): string => {
      let target = endpointNames.get(label);
      if (target === undefined) endpointNames.set(label, (target = endpointName(label, service.name, service.namespace, zone)));
      return target;
    };
    const endpointTarget = (e: EndpointEntry): string => endpointNameOf(e.label);

    if (service.headless) {
      // spec 1.1.0 §2.4.1: A/AAAA per ready endpoint at the service name and at its hostname name.
      const ips = new Set<string>();
      for (const e of entries) {
        if (ips.has(e.ip)) continue;
        ips.add(e.ip);
        out.push(address(name, e.ip, ttl));
      }
      // §2.4.2: SRV per named port × ready endpoint, endpoint port, target the endpoint's name.
      const withPorts = entries.filter((e) => e.port !== undefined);
      for (const [group, members] of groupBy(withPorts, endpointPortGroup)) {
        const { name: portName, protocol } = members[0].port!;
        const srv = members.map((e) => ({ target: endpointTarget(e), port: e.port!.port }));
        pushAll(out, srvRecords(srvName(portName!, protocol, service.name, service.namespace, zone), srv, counts.byPort.get(group) ?? members.length, ttl));
      }
      // CoreDNS: SRV on the bare name lists every declared port.
      const bare = withPorts.map((e) => ({ target: endpointTarget(e), port: e.port!.port }));
      pushAll(out, srvRecords(name, bare, counts.total, ttl));
    }

    // Endpoint names (headless per spec; ClusterIP as CoreDNS answers them): A/AAAA, and SRV listing the
    // endpoint's own ports with itself as target.
    for (const [label, group] of groupBy(entries, (e) => e.label)) {
      const target = endpointNameOf(label);
      if (group.length === 1) out.push(address(target, group[0].ip, ttl));
      else for (const ip of new Set(group.map((e) => e.ip))) out.push(address(target, ip, ttl));
      const srv = group.filter((e) => e.port !== undefined).map((e) => ({ target, port: e.port!.port }));
      pushAll(out, srvRecords(target, srv, counts.byLabel.get(label) ?? group.length, ttl));
    }

    // PTR, once, into the primary zone: ready endpoints → endpoint name (one per address and target).
    if (zone === primary) {
      const seen = new Set<string>();
      for (const e of entries) {
        const key = `${e.ip} ${e.label}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(ptr(e.ip, endpointTarget(e), ttl));
      }
    }
  }
  return { records: out, names: [] };
}

// ---------------------------------------------------------------------------------------------- others

/** `<ns>.svc.<zone>` (and `<ns>.pod.<zone>` unless pod records are disabled) exist: NODATA, not NXDOMAIN. */
export function buildNamespaceRecords(namespace: string, options: BuildOptions & { pods: PodsMode }): OwnerRecords {
  const names: string[] = [];
  for (const zone of options.zones) {
    names.push(namespaceName(namespace, zone, 'svc'));
    if (options.pods !== 'disabled') names.push(namespaceName(namespace, zone, 'pod'));
  }
  return { records: [], names };
}

/**
 * Verified pod records: a Running pod that is not being deleted answers `<dashed-ip>.<ns>.pod.<zone>` for each of its IPs. In the
 * other modes nothing is published (disabled: no pod names; insecure: the handler answers any parsable IP
 * in an existing namespace without looking at pods).
 */
export function buildPodRecords(pod: PodInfo, options: BuildOptions & { pods: PodsMode }): OwnerRecords {
  const out = new RecordList();
  if (options.pods === 'verified' && pod.phase === 'Running' && pod.terminating !== true) {
    for (const zone of options.zones) {
      for (const raw of pod.ips) {
        const ip = canonicalIp(raw);
        if (ip !== null) out.add(address(podName(ip, pod.namespace, zone), ip, options.ttl));
      }
    }
  }
  return { records: out.records, names: [] };
}

/**
 * Zone-level records for every cluster zone: NS `ns.dns.<zone>` at the apex, `dns-version.<zone>` TXT, the
 * address of `ns.dns.<zone>` (the cluster IPs of kube-system/kube-dns when that Service exists; otherwise the
 * name just exists), and the existence of `svc.<zone>` and `pod.<zone>`. The reverse zones get the apex NS
 * and `ns.dns.<zone>` the same way (CoreDNS answers NS in every zone it serves; the index's SOA MNAME is
 * that name too). The index adds the apex SOA.
 */
export function buildZoneRecords(options: BuildOptions, dnsService?: ServiceInfo): OwnerRecords {
  const out = new RecordList();
  const names: string[] = [];
  const nameserver = (zone: string): void => {
    const ns = nameserverName(zone);
    out.add({ name: zone, type: RRType.NS, class: RRClass.IN, ttl: options.ttl, data: ns });
    for (const ip of dnsService?.clusterIPs ?? []) out.add(address(ns, ip, options.ttl));
    names.push(ns);
  };
  for (const zone of options.zones) {
    nameserver(zone);
    out.add({ name: dnsVersionName(zone), type: RRType.TXT, class: RRClass.IN, ttl: DNS_VERSION_TTL, data: [DNS_SCHEMA_VERSION] });
    names.push(svcRootName(zone), podRootName(zone));
  }
  for (const zone of options.reverseZones ?? REVERSE_ZONES) nameserver(zone);
  return { records: out.records, names };
}
