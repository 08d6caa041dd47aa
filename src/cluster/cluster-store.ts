// The cluster's trimmed objects, and the one incremental path from a change to the record index: the
// manifest source and the Kubernetes reflector both feed `apply` (events) or `replaceAll` (a full state
// that is diffed into events). Each change re-publishes only the owners it affects, in one index batch:
//
//   Service       ns/name  → owner svc:<ns>/<name>   (and the zone owner for kube-system/kube-dns), and
//                            the slice owners of a split Service
//   EndpointSlice ns/name  → the Service its label names (old and new when relabelled): its owner, or in a
//                            split Service (past SLICE_OWNERS_ABOVE entries) the slice's own owner
//                            svc:<ns>/<service>#<slice>, and every slice only when a shared SRV weight moved
//   Pod           ns/name  → owner pod:<ns>/<name>
//   Namespace     name     → owner ns:<name>  (also when its first Service/Pod appears or its last goes)
//
// Cost is O(objects changed + endpoints of the services they touch, or of the slices they touch in a split
// Service), never O(cluster): one slice of a headless Service with 10,000 endpoints re-publishes that slice's
// records. SRV weights (⌊100 / n⌋, spec 1.1.0 §2.4.2) depend on the Service's total count n, so they come
// from Service-wide counts kept here; past 100 entries the service name's SRV weights are all 1.
// With publishOnFirstAsk the Services and Pods of the first full state wait in deferred-owners.ts until one of
// their names is asked (docs/architecture.md "Owners published when first asked").
import type { Logger } from 'pino';
import type { ResourceRecord } from '../wire/types.js';
import { normalizeName } from '../wire/name.js';
import type {
  ClusterEvent,
  ClusterObject,
  ClusterObjectKind,
  EndpointSliceInfo,
  NamespaceInfo,
  PodInfo,
  PodsMode,
  ServiceInfo,
} from './objects.js';
import {
  DNS_SERVICE,
  buildEndpointRecords,
  buildNamespaceRecords,
  buildPodRecords,
  buildServiceOwnRecords,
  buildServiceRecordsOf,
  buildZoneRecords,
  endpointEntries,
  endpointEntryKey,
  endpointPortGroup,
  srvWeight,
  type BuildOptions,
  type EndpointEntry,
  type OwnerRecords,
} from './record-builder.js';
import { canonicalIp } from './trim.js';
import type { ClusterCounts, ClusterSink } from './cluster-sink.js';
import { describeObject, diffObjects } from './object-diff.js';
import { KeySets } from './key-sets.js';
import { ServiceEndpoints } from './service-endpoints.js';
import { DeferredOwners } from './deferred-owners.js';

/** The part of the record index the store writes to (src/records/record-index.ts RecordIndex fits it). */
export interface RecordSink {
  setOwner(owner: string, records: ResourceRecord[], names?: string[]): void;
  /** Withdraw everything `owner` published; a no-op for an owner that published nothing. */
  deleteOwner(owner: string): void;
  batch(fn: () => void): void;
}

/** What publishing owners when first asked needs of the index besides (RecordIndex fits it). */
export interface OnDemandRecordSink extends RecordSink {
  /** Changes that report nothing and move no serial: publishing what the index already stood for. */
  quietly(fn: () => void): void;
  /** Called with each name before the index reads it; undefined removes it. */
  setReadHook(hook: ((name: string) => void) | undefined): void;
  /** Whether the index holds `name`, without the read hook. */
  holds(name: string): boolean;
}

export interface ClusterStoreOptions {
  index: RecordSink;
  /** Cluster zones, e.g. ["cluster.local"]; the first is the primary zone (PTR targets). */
  zones: string[];
  ttl: number;
  pods: PodsMode;
  /** Reverse zones served beside the cluster zones (default in-addr.arpa and ip6.arpa): they get an apex NS. */
  reverseZones?: string[];
  /** CoreDNS kubernetes `ignore empty_service`. */
  ignoreEmptyService?: boolean;
  /** CoreDNS kubernetes `noendpoints`. */
  noEndpoints?: boolean;
  /**
   * A Service with more endpoint entries than this publishes them per EndpointSlice (default
   * SLICE_OWNERS_ABOVE); smaller ones keep one owner, which costs less memory per Service.
   */
  sliceOwnersAbove?: number;
  logger?: Logger;
  /**
   * The Services and Pods of the first full state are published when one of their names is first asked,
   * not before readiness (deferred-owners.ts). Needs an index with the OnDemandRecordSink methods.
   */
  publishOnFirstAsk?: boolean;
  /**
   * Called once, when the first full state is in and before the store reports synced: whatever it does
   * (the CLI's post-load GC pause) happens while /ready still answers 503 and cluster names SERVFAIL, so
   * no client routed here by readiness waits on it.
   */
  beforeSynced?: () => void;
}


/**
 * Past this many endpoint entries a Service's records are published per EndpointSlice. Below it one owner
 * holds them all: the per-slice counts and owners cost memory that only a large Service earns back. A split
 * Service goes back to one owner at half this, so one endpoint coming and going does not flip it each time.
 */
export const SLICE_OWNERS_ABOVE = 256;

/** Owner names in the record index. */
export const ZONE_OWNER = 'zone';
export function serviceOwner(namespace: string, name: string): string {
  return `svc:${namespace}/${name}`;
}
/** The records one EndpointSlice contributes to its Service (endpoint names, PTRs, a headless name's A/SRV). */
export function endpointSliceOwner(namespace: string, service: string, slice: string): string {
  return `svc:${namespace}/${service}#${slice}`;
}
export function podOwner(namespace: string, name: string): string {
  return `pod:${namespace}/${name}`;
}
export function namespaceOwner(name: string): string {
  return `ns:${name}`;
}

function key(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

function splitKey(k: string): [string, string] {
  const slash = k.indexOf('/');
  return [k.slice(0, slash), k.slice(slash + 1)];
}

/** Changes collected while applying events; published together afterwards. */
interface Dirty {
  /** Service key → the slice keys that changed under it, or 'all' (the Service itself changed). */
  services: Map<string, Set<string> | 'all'>;
  pods: Set<string>;
  namespaces: Set<string>;
  zone: boolean;
}

function markService(dirty: Dirty, service: string): void {
  dirty.services.set(service, 'all');
}

function markSlice(dirty: Dirty, service: string, slice: string): void {
  const marked = dirty.services.get(service);
  if (marked === 'all') return;
  if (marked) marked.add(slice);
  else dirty.services.set(service, new Set([slice]));
}

export class ClusterStore implements ClusterSink {
  private readonly index: RecordSink;
  private readonly options: BuildOptions & { pods: PodsMode };
  private readonly logger: Logger | undefined;
  private readonly sliceOwnersAbove: number;

  private readonly services = new Map<string, ServiceInfo>();
  private readonly slices = new Map<string, EndpointSliceInfo>();
  private readonly pods = new Map<string, PodInfo>();
  private readonly namespaces = new Map<string, NamespaceInfo>();
  /** Service key → keys of the slices labelled with it (they may arrive before the Service). */
  private readonly slicesByService = new KeySets();
  /** Canonical IP → keys of the pods that have it. */
  private readonly podsByIpIndex = new KeySets();
  /** Namespace → number of Services and Pods in it (a namespace exists when it has any). */
  private readonly namespaceUse = new Map<string, number>();
  /** Service key → its endpoints as published (for Services that exist). */
  private readonly endpoints = new Map<string, ServiceEndpoints>();
  /** Objects that failed once: logged once until they succeed again. */
  private readonly failing = new Set<string>();
  private isSynced = false;
  private beforeSynced: (() => void) | undefined;
  /** Owners of the first full state not published yet (publishOnFirstAsk), with the index that asks for them. */
  private readonly deferred: DeferredOwners | undefined;
  private readonly onDemand: OnDemandRecordSink | undefined;
  private readHookOn = false;
  /** Services and Pods published before sync because a name of theirs was read: kept current, not deferred. */
  private readonly servicesPublishedEarly = new Set<string>();
  private readonly podsPublishedEarly = new Set<string>();

  constructor(options: ClusterStoreOptions) {
    this.index = options.index;
    this.logger = options.logger;
    this.beforeSynced = options.beforeSynced;
    this.sliceOwnersAbove = options.sliceOwnersAbove ?? SLICE_OWNERS_ABOVE;
    this.options = {
      zones: options.zones.map(normalizeName),
      ttl: options.ttl,
      pods: options.pods,
      ignoreEmptyService: options.ignoreEmptyService ?? false,
      noEndpoints: options.noEndpoints ?? false,
      ...(options.reverseZones === undefined ? {} : { reverseZones: options.reverseZones.map(normalizeName) }),
    };
    if (options.publishOnFirstAsk === true) {
      if (!isOnDemand(options.index)) throw new Error('publishOnFirstAsk needs an index that can publish on first ask');
      const onDemand = options.index;
      this.onDemand = onDemand;
      this.deferred = new DeferredOwners(this.options.zones, {
        publishService: (k) => this.publishDeferred(this.servicesPublishedEarly, k, () => this.publishService(k, 'all')),
        publishPod: (k) => this.publishDeferred(this.podsPublishedEarly, k, () => this.publishPod(k)),
        podsWithIp: (ip) => this.podsByIpIndex.list(ip),
        addressesOf: (k) => this.addressesOf(k),
        holds: (name) => onDemand.holds(name),
      });
    }
    this.index.batch(() => this.publish(ZONE_OWNER, () => buildZoneRecords(this.options, this.dnsService())));
  }

  /** True once the first full state has been applied (until then cluster names answer SERVFAIL). */
  get synced(): boolean {
    return this.isSynced;
  }

  markSynced(): void {
    if (this.isSynced) return;
    const hook = this.beforeSynced;
    this.beforeSynced = undefined;
    hook?.();
    this.isSynced = true;
    this.servicesPublishedEarly.clear();
    this.podsPublishedEarly.clear();
    this.updateReadHook();
  }

  get counts(): ClusterCounts {
    return {
      services: this.services.size,
      endpointSlices: this.slices.size,
      pods: this.pods.size,
      namespaces: this.namespaces.size,
    };
  }

  /** A Namespace object exists, or any Service or Pod in it (manifests often leave Namespaces out). */
  namespaceExists(namespace: string): boolean {
    const ns = namespace.toLowerCase();
    return this.namespaces.has(ns) || (this.namespaceUse.get(ns) ?? 0) > 0;
  }

  /** A pod with this IP (a Running one when there are several), or undefined. */
  podByIp(ip: string): PodInfo | undefined {
    // Asked per query by autopath (the client's pod): no arrays built on the way.
    const canonical = canonicalIp(ip);
    const keys = canonical === null ? undefined : this.podsByIpIndex.get(canonical);
    if (keys === undefined) return undefined;
    if (typeof keys === 'string') return this.pods.get(keys);
    let first: PodInfo | undefined;
    for (const k of keys) {
      const pod = this.pods.get(k);
      if (pod === undefined) continue;
      if (pod.phase === 'Running') return pod;
      first ??= pod;
    }
    return first;
  }

  /** The settings records are built with (zones normalized, defaults filled in), for `explain`. */
  get buildOptions(): Readonly<BuildOptions & { pods: PodsMode }> {
    return this.options;
  }

  /** The Service `namespace/name` (lowercase), or undefined. */
  service(namespace: string, name: string): ServiceInfo | undefined {
    return this.services.get(key(namespace, name));
  }

  /** The EndpointSlices labelled with the Service `namespace/name` (it need not exist). */
  slicesOf(namespace: string, service: string): EndpointSliceInfo[] {
    return this.slicesByService.list(key(namespace, service)).map((k) => this.slices.get(k)!);
  }

  /** The Pod `namespace/name`, or undefined. */
  pod(namespace: string, name: string): PodInfo | undefined {
    return this.pods.get(key(namespace, name));
  }

  /** Every pod that has this IP (several when old pods linger). */
  podsWithIp(ip: string): PodInfo[] {
    const canonical = canonicalIp(ip);
    return canonical === null ? [] : this.podsByIpIndex.list(canonical).flatMap((k) => this.pods.get(k) ?? []);
  }

  /** Every Service held (a scan: for diagnostics, not for the query path). */
  allServices(): IterableIterator<ServiceInfo> {
    return this.services.values();
  }

  /** Every EndpointSlice held (a scan: for diagnostics, not for the query path). */
  allSlices(): IterableIterator<EndpointSliceInfo> {
    return this.slices.values();
  }

  /** Every object held, in no particular order. */
  *objects(): IterableIterator<ClusterObject> {
    yield* this.namespaces.values();
    yield* this.services.values();
    yield* this.slices.values();
    yield* this.pods.values();
  }

  /**
   * Apply changes and re-publish the affected owners in one index batch. A bad object is logged once and
   * skipped; it never throws. Returns how many owners were re-published.
   */
  apply(events: readonly ClusterEvent[]): number {
    const dirty: Dirty = { services: new Map(), pods: new Set(), namespaces: new Set(), zone: false };
    for (const event of events) {
      const id = event.type === 'upsert' ? describeObject(event.object) : `${event.kind}/${event.namespace}/${event.name}`;
      try {
        if (event.type === 'upsert') this.upsert(event.object, dirty);
        else this.remove(event.kind, event.namespace, event.name, dirty);
      } catch (err) {
        this.fail(id, err);
      }
    }
    const work = dirty.services.size + dirty.pods.size + dirty.namespaces.size + (dirty.zone ? 1 : 0);
    if (work === 0) return 0;
    this.index.batch(() => {
      for (const [k, slices] of dirty.services) if (!this.deferService(k)) this.publishService(k, slices);
      for (const k of dirty.pods) if (!this.deferPod(k)) this.publishPod(k);
      for (const ns of dirty.namespaces) this.publishNamespace(ns);
      if (dirty.zone) this.publish(ZONE_OWNER, () => buildZoneRecords(this.options, this.dnsService()));
    });
    return work;
  }

  /** Make the held state equal `objects` (a full list or snapshot), publishing only what differs. */
  replaceAll(objects: Iterable<ClusterObject>): number {
    return this.apply(diffObjects(this.objects(), objects, (object, err) => this.fail(describeObject(object), err)));
  }

  // ------------------------------------------------------------------------------------------ state

  private upsert(object: ClusterObject, dirty: Dirty): void {
    assertShape(object);
    switch (object.kind) {
      case 'Service': {
        const k = key(object.namespace, object.name);
        if (!this.services.has(k)) this.useNamespace(object.namespace, +1, dirty);
        this.services.set(k, object);
        markService(dirty, k);
        if (object.namespace === DNS_SERVICE.namespace && object.name === DNS_SERVICE.name) dirty.zone = true;
        return;
      }
      case 'EndpointSlice': {
        const k = key(object.namespace, object.name);
        const old = this.slices.get(k);
        if (old?.serviceName !== undefined) {
          const oldService = key(old.namespace, old.serviceName);
          this.slicesByService.delete(oldService, k);
          markSlice(dirty, oldService, k);
        }
        this.slices.set(k, object);
        if (object.serviceName !== undefined) {
          const service = key(object.namespace, object.serviceName);
          this.slicesByService.add(service, k);
          markSlice(dirty, service, k);
        }
        return;
      }
      case 'Pod': {
        const k = key(object.namespace, object.name);
        const old = this.pods.get(k);
        if (old) for (const ip of old.ips) this.podsByIpIndex.delete(canonicalIp(ip) ?? ip, k);
        else this.useNamespace(object.namespace, +1, dirty);
        this.pods.set(k, object);
        for (const ip of object.ips) this.podsByIpIndex.add(canonicalIp(ip) ?? ip, k);
        dirty.pods.add(k);
        return;
      }
      case 'Namespace':
        this.namespaces.set(object.name, object);
        dirty.namespaces.add(object.name);
        return;
      default:
        throw new Error(`unsupported kind ${JSON.stringify((object as { kind?: unknown }).kind)}`);
    }
  }

  private remove(kind: ClusterObjectKind, namespace: string, name: string, dirty: Dirty): void {
    const k = key(namespace, name);
    switch (kind) {
      case 'Service':
        if (!this.services.delete(k)) return;
        this.useNamespace(namespace, -1, dirty);
        markService(dirty, k);
        if (namespace === DNS_SERVICE.namespace && name === DNS_SERVICE.name) dirty.zone = true;
        return;
      case 'EndpointSlice': {
        const old = this.slices.get(k);
        if (!old) return;
        this.slices.delete(k);
        if (old.serviceName !== undefined) {
          const service = key(old.namespace, old.serviceName);
          this.slicesByService.delete(service, k);
          markSlice(dirty, service, k);
        }
        return;
      }
      case 'Pod': {
        const old = this.pods.get(k);
        if (!old) return;
        this.pods.delete(k);
        for (const ip of old.ips) this.podsByIpIndex.delete(canonicalIp(ip) ?? ip, k);
        this.useNamespace(namespace, -1, dirty);
        dirty.pods.add(k);
        return;
      }
      case 'Namespace':
        if (this.namespaces.delete(name)) dirty.namespaces.add(name);
        return;
      default:
        throw new Error(`unsupported kind ${JSON.stringify(kind)}`);
    }
  }

  /** Count Services/Pods per namespace; the first one in and the last one out change its existence. */
  private useNamespace(namespace: string, delta: 1 | -1, dirty: Dirty): void {
    const before = this.namespaceUse.get(namespace) ?? 0;
    const after = before + delta;
    if (after <= 0) this.namespaceUse.delete(namespace);
    else this.namespaceUse.set(namespace, after);
    if ((before === 0) !== (after <= 0)) dirty.namespaces.add(namespace);
  }

  private dnsService(): ServiceInfo | undefined {
    return this.services.get(key(DNS_SERVICE.namespace, DNS_SERVICE.name));
  }

  // ------------------------------------------------------------------------------------ first-ask publishing

  /**
   * Before the first full state is synced, a Service not yet in the index is deferred instead of published
   * (its addresses, for reverse names, are indexed after sync: indexDeferredAddresses). False: publish it now,
   * as every change after sync is (from the store's current state, so a deferred owner needs nothing more).
   */
  private deferService(k: string): boolean {
    if (this.deferred === undefined) return false;
    if (this.isSynced) {
      if (this.deferred.takeService(k)) this.updateReadHook();
      return false;
    }
    if (this.servicesPublishedEarly.has(k)) return false;
    const service = this.services.get(k);
    if (service === undefined) {
      this.deferred.takeService(k);
      return true;
    }
    this.deferred.deferService(k);
    this.updateReadHook();
    return true;
  }

  private deferPod(k: string): boolean {
    if (this.deferred === undefined) return false;
    if (this.isSynced || this.options.pods !== 'verified') {
      if (this.deferred.takePod(k)) this.updateReadHook();
      return false;
    }
    if (this.podsPublishedEarly.has(k)) return false;
    if (this.pods.has(k)) this.deferred.deferPod(k);
    else this.deferred.takePod(k);
    this.updateReadHook();
    return true;
  }

  /**
   * Index the addresses of the deferred Services (for reverse names) while `more()` says so; true when done or
   * when nothing is deferred. The server runs it in time slices once synced.
   */
  indexDeferredAddresses(more: () => boolean): boolean {
    return this.deferred?.indexAddresses(more) ?? true;
  }

  /** A Service's cluster IPs and its slices' endpoint addresses: what its PTRs can be for. */
  private *addressesOf(k: string): Iterable<string> {
    const service = this.services.get(k);
    if (service !== undefined) yield* service.clusterIPs;
    for (const slice of this.slicesByService.list(k)) {
      for (const endpoint of this.slices.get(slice)?.endpoints ?? []) yield* endpoint.addresses;
    }
  }

  /** Publish an owner that was deferred: quietly, since every answer already stood for its records. */
  private publishDeferred(early: Set<string>, k: string, publish: () => void): void {
    if (!this.isSynced) early.add(k);
    this.onDemand!.quietly(publish);
    this.updateReadHook();
  }

  /** The read hook is installed while owners are deferred, and removed once none are left after sync. */
  private updateReadHook(): void {
    const wanted = this.deferred !== undefined && (this.deferred.size > 0 || !this.isSynced);
    if (wanted === this.readHookOn) return;
    this.readHookOn = wanted;
    const deferred = this.deferred!;
    this.onDemand!.setReadHook(wanted ? (name) => deferred.publishFor(name) : undefined);
  }

  // ------------------------------------------------------------------------------------------ publishing

  /**
   * Re-publish a Service: one owner for a small one; for a large one its own records and its endpoints per
   * slice, the changed slices only unless a shared SRV weight moved.
   */
  private publishService(k: string, changed: Set<string> | 'all'): void {
    const service = this.services.get(k);
    const owner = `svc:${k}`;
    const [namespace, name] = splitKey(k);
    const sliceOwner = (slice: string): string => endpointSliceOwner(namespace, name, splitKey(slice)[1]);
    const previous = this.endpoints.get(k);
    if (!service) {
      this.endpoints.delete(k);
      for (const slice of previous?.entries.keys() ?? []) this.unpublish(sliceOwner(slice));
      return this.unpublish(owner);
    }
    let state: ServiceEndpoints;
    let republish: Iterable<string>;
    if (previous !== undefined && changed !== 'all' && previous.service === service) {
      state = previous;
      republish = this.updateSlices(k, service, state, changed);
    } else {
      // A small Service, a Service that changed itself (ports, headless...), or one not split yet: count afresh.
      const sliceKeys = this.slicesByService.list(k);
      if (previous === undefined) {
        let entries: EndpointEntry[];
        try {
          entries = this.options.noEndpoints ? [] : endpointEntries(service, sliceKeys.map((sk) => this.slices.get(sk)!));
        } catch (err) {
          this.fail(`Service/${k}`, err);
          return this.unpublish(owner);
        }
        if (entries.length <= this.sliceOwnersAbove) {
          return this.publish(owner, () => buildServiceRecordsOf(service, entries, this.options), `Service/${k}`);
        }
      }
      state = new ServiceEndpoints(service);
      for (const slice of sliceKeys) state.set(slice, this.entriesOf(service, slice));
      for (const slice of previous?.entries.keys() ?? []) if (!state.entries.has(slice)) this.unpublish(sliceOwner(slice));
      republish = state.entries.keys();
    }
    if (state.total <= this.sliceOwnersAbove / 2) {
      // Shrunk: back to one owner.
      this.endpoints.delete(k);
      for (const slice of previous?.entries.keys() ?? []) this.unpublish(sliceOwner(slice));
      const entries = [...new Map([...state.entries.values()].flat().map((e) => [endpointEntryKey(e), e])).values()];
      return this.publish(owner, () => buildServiceRecordsOf(service, entries, this.options), `Service/${k}`);
    }
    this.endpoints.set(k, state);
    this.publish(owner, () => buildServiceOwnRecords(service, state.total > 0, this.options), `Service/${k}`);
    for (const slice of republish) {
      const entries = state.entries.get(slice);
      if (entries === undefined) this.unpublish(sliceOwner(slice));
      else this.publish(sliceOwner(slice), () => buildEndpointRecords(service, entries, state, this.options), `EndpointSlice/${slice}`);
    }
  }

  /**
   * Apply the changed slices to a Service's counts; returns the slices to re-publish: the changed ones, or
   * every one when an SRV weight that other slices publish changed (RFC 2782 weights, spec 1.1.0 §2.4.2).
   */
  private updateSlices(k: string, service: ServiceInfo, state: ServiceEndpoints, changed: Set<string>): Iterable<string> {
    const next = new Map<string, EndpointEntry[] | undefined>();
    const ports = new Set<string>();
    const labels = new Set<string>();
    const note = (entries: readonly EndpointEntry[] | undefined): void => {
      for (const e of entries ?? []) {
        const group = endpointPortGroup(e);
        if (group !== undefined) ports.add(group);
        labels.add(e.label);
      }
    };
    for (const slice of changed) {
      const entries = this.slicesByService.has(k, slice) ? this.entriesOf(service, slice) : undefined;
      next.set(slice, entries);
      note(state.entries.get(slice));
      note(entries);
    }
    const totalBefore = state.total;
    const portsBefore = [...ports].map((p) => state.byPort.get(p) ?? 0);
    const labelsBefore = [...labels].map((l) => state.byLabel.get(l) ?? 0);
    for (const [slice, entries] of next) state.set(slice, entries);

    // A weight other slices publish changed when its RRset had entries before and has some still.
    const moved = (before: number, after: number): boolean => before > 0 && after > 0 && srvWeight(before) !== srvWeight(after);
    const everySlice = (): string[] => [...new Set([...changed, ...state.entries.keys()])];
    if (moved(totalBefore, state.total)) return everySlice();
    if ([...ports].some((p, i) => moved(portsBefore[i], state.byPort.get(p) ?? 0))) return everySlice();
    const labelList = [...labels];
    for (let i = 0; i < labelList.length; i++) {
      const label = labelList[i];
      if (!moved(labelsBefore[i], state.byLabel.get(label) ?? 0)) continue;
      // Usually an endpoint name lives in one slice; when others list it too, they re-weight as well.
      let listing = 0;
      for (const entries of next.values()) if (entries?.some((e) => e.label === label)) listing++;
      if ((state.labelSlices.get(label) ?? 0) > listing) return everySlice();
    }
    return changed;
  }

  /** A slice's entries for its Service (none with `noendpoints`); a slice that cannot be read counts as empty. */
  private entriesOf(service: ServiceInfo, slice: string): EndpointEntry[] {
    if (this.options.noEndpoints) return [];
    try {
      return endpointEntries(service, [this.slices.get(slice)!]);
    } catch (err) {
      this.fail(`EndpointSlice/${slice}`, err);
      return [];
    }
  }

  private publishPod(k: string): void {
    const pod = this.pods.get(k);
    const owner = `pod:${k}`;
    if (!pod) return this.unpublish(owner);
    this.publish(owner, () => buildPodRecords(pod, this.options), `Pod/${k}`);
  }

  private publishNamespace(ns: string): void {
    const owner = namespaceOwner(ns);
    if (!this.namespaceExists(ns)) return this.unpublish(owner);
    this.publish(owner, () => buildNamespaceRecords(ns, this.options), `Namespace/${ns}`);
  }

  private publish(owner: string, build: () => OwnerRecords, id = owner): void {
    let result: OwnerRecords;
    try {
      result = build();
    } catch (err) {
      this.fail(id, err);
      return this.unpublish(owner);
    }
    this.failing.delete(id);
    if (result.records.length === 0 && result.names.length === 0) return this.unpublish(owner);
    this.index.setOwner(owner, result.records, result.names);
  }

  private unpublish(owner: string): void {
    // The sink knows its owners (deleting an unknown one is a no-op): no second set of them here.
    this.index.deleteOwner(owner);
  }

  private fail(id: string, err: unknown): void {
    if (this.failing.has(id)) return;
    this.failing.add(id);
    this.logger?.warn({ object: id, err: err instanceof Error ? err.message : String(err) }, 'skipping a cluster object that cannot be used');
  }
}

function isOnDemand(index: RecordSink): index is OnDemandRecordSink {
  const candidate = index as Partial<OnDemandRecordSink>;
  return typeof candidate.quietly === 'function' && typeof candidate.setReadHook === 'function' && typeof candidate.holds === 'function';
}

const isStringArray = (value: unknown): boolean => Array.isArray(value) && value.every((v) => typeof v === 'string');

/** Trimmed objects come from trim.ts; this guards the store's maps against anything else (checked before any change). */
export function assertShape(object: ClusterObject): void {
  if (object === null || typeof object !== 'object') throw new Error('not an object');
  if (typeof object.name !== 'string' || object.name === '') throw new Error('no name');
  if (object.kind === 'Namespace') return;
  if (typeof object.namespace !== 'string' || object.namespace === '') throw new Error('no namespace');
  switch (object.kind) {
    case 'Service':
      if (!isStringArray(object.clusterIPs) || !Array.isArray(object.ports)) throw new Error('clusterIPs and ports must be lists');
      return;
    case 'EndpointSlice':
      if (!Array.isArray(object.ports) || !Array.isArray(object.endpoints)) throw new Error('endpoints and ports must be lists');
      if (!object.endpoints.every((e) => e !== null && typeof e === 'object' && isStringArray(e.addresses))) {
        throw new Error('every endpoint needs a list of addresses');
      }
      return;
    case 'Pod':
      if (!isStringArray(object.ips)) throw new Error('ips must be a list');
      return;
    default:
      throw new Error(`unsupported kind ${JSON.stringify((object as { kind?: unknown }).kind)}`);
  }
}
