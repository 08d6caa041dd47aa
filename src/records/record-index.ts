// The authoritative data: name → RRsets, fed incrementally by owners (a Service, a Pod, a Namespace, …).
// Pure in-memory data, no I/O (DESIGN.md "The flow").
//
// - Owners replace what they contribute as a whole (setOwner); the cost is O(that owner's records).
// - Several owners may publish the same name and type (PTR for an IP two Services share, A at ns.dns.<zone>):
//   the RRset is their de-duplicated union, refcounted so removal is exact.
// - A name exists when it has records, was declared by an owner, or has an existing descendant: empty
//   non-terminals exist (RFC 8020 2, RFC 4592 2.2.2), which is what separates NODATA from NXDOMAIN.
// - Each zone's apex SOA is synthesized here, its serial the Unix time of the zone's last change (as CoreDNS).
import { formatRdata } from '../wire/presentation.js';
import { RRClass, RRType, type ResourceRecord, type SoaData, type SrvData } from '../wire/types.js';
import type { LookupResult } from './types.js';

export interface RecordIndexOptions {
  /** Apexes this index is authoritative for (cluster zones and the reverse zones), lowercase, no trailing dot. */
  zones: string[];
  ttl: number;
  /** Seconds since the epoch; injectable for tests. */
  now?: () => number;
}

export type ChangeListener = (changedNames: ReadonlySet<string>) => void;

interface RecordEntry {
  record: ResourceRecord;
  /** How many owners publish this very record. */
  refs: number;
}

interface OwnerContribution {
  records: ResourceRecord[];
  names: string[];
}

/** CNAME chains longer than this are cut (loops are cut earlier by the visited set). */
const MAX_CNAME_CHAIN = 12;
const SOA_OWNER = '\0soa:';

export class RecordIndex {
  private readonly zones: string[];
  /** `.zone` suffixes, longest zone first, so findZone returns the most specific one. */
  private readonly zoneSuffixes: Array<{ zone: string; suffix: string }>;
  private readonly ttl: number;
  private readonly now: () => number;
  /**
   * name → every record at that name, all types together. A flat array per name rather than nested Maps:
   * at 10k services / 50k pods there are ≈ 250k names, and two Maps per name cost more than the records.
   */
  private readonly data = new Map<string, RecordEntry[]>();
  /** name → its records, declarations and existing children; > 0 means the name exists (RFC 8020). */
  private readonly existence = new Map<string, number>();
  private readonly owners = new Map<string, OwnerContribution>();
  private readonly serials = new Map<string, number>();
  private readonly listeners = new Set<ChangeListener>();
  private batchDepth = 0;
  private pendingChanges = new Set<string>();

  constructor(options: RecordIndexOptions) {
    this.zones = [...new Set(options.zones.map(normalize))];
    this.zoneSuffixes = [...this.zones]
      .sort((a, b) => b.length - a.length)
      .map((zone) => ({ zone, suffix: zone === '' ? '' : `.${zone}` }));
    this.ttl = options.ttl;
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
    const serial = this.now();
    for (const zone of this.zones) this.publishSoa(zone, serial);
    this.pendingChanges.clear();
  }

  /** The most specific served zone containing `name`, or null. */
  findZone(name: string): string | null {
    for (const { zone, suffix } of this.zoneSuffixes) {
      if (name === zone || suffix === '' || name.endsWith(suffix)) return zone;
    }
    return null;
  }

  serial(zone: string): number {
    return this.serials.get(zone) ?? 0;
  }

  /** Replace everything `owner` contributes. `names` exist without records of their own. */
  setOwner(owner: string, records: ResourceRecord[], names: string[] = []): void {
    const previous = this.owners.get(owner);
    const next: OwnerContribution = { records: records.map(normalizeRecord), names: names.map(normalize) };
    if (previous && sameContribution(previous, next)) return;
    if (previous) this.retract(previous);
    this.owners.set(owner, next);
    this.publish(next);
    this.flushIfOutsideBatch();
  }

  deleteOwner(owner: string): void {
    const previous = this.owners.get(owner);
    if (!previous) return;
    this.owners.delete(owner);
    this.retract(previous);
    this.flushIfOutsideBatch();
  }

  /** Run several owner changes as one change: one serial bump per zone, one notification. */
  batch(fn: () => void): void {
    this.batchDepth++;
    try {
      fn();
    } finally {
      this.batchDepth--;
      this.flushIfOutsideBatch();
    }
  }

  /** Called after each change with the names whose records changed (apex SOA included). */
  onChange(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** True when `name` exists for some type (or as an empty non-terminal). */
  exists(name: string): boolean {
    return (this.existence.get(name) ?? 0) > 0;
  }

  /** The RRset of `type` at `name` (empty when none). */
  rrset(name: string, type: number): ResourceRecord[] {
    const out: ResourceRecord[] = [];
    for (const entry of this.data.get(name) ?? []) if (entry.record.type === type) out.push(entry.record);
    return out;
  }

  /** RFC 1034 4.3.2 for one authoritative server: exact match, CNAME chain, NODATA / NXDOMAIN. */
  lookup(qname: string, qtype: number): LookupResult {
    const firstZone = this.findZone(qname);
    if (firstZone === null) return { kind: 'notauth' };

    const answer: ResourceRecord[] = [];
    const visited = new Set<string>();
    let name = qname;
    let zone = firstZone;
    for (let depth = 0; depth <= MAX_CNAME_CHAIN; depth++) {
      visited.add(name);
      const entries = this.data.get(name);
      if (entries !== undefined) {
        if (qtype === RRType.ANY) {
          for (const entry of entries) answer.push(entry.record);
          return this.positive(zone, answer);
        }
        const before = answer.length;
        let cname: ResourceRecord | undefined;
        for (const entry of entries) {
          if (entry.record.type === qtype) answer.push(entry.record);
          else if (entry.record.type === RRType.CNAME) cname = entry.record;
        }
        if (answer.length > before) return this.positive(zone, answer);
        if (cname !== undefined) {
          answer.push(cname);
          const target = cname.data as string;
          const targetZone = this.findZone(target);
          // Out of our zones (or a loop): the chain is the answer; resolving the rest is the resolver's job.
          if (targetZone === null || visited.has(target)) return this.positive(zone, answer);
          name = target;
          zone = targetZone;
          continue;
        }
      }
      const soa = this.soaRecords(zone);
      if (this.exists(name)) return { kind: 'nodata', zone, answer, authority: soa };
      return { kind: 'nxdomain', zone, answer, authority: soa };
    }
    return this.positive(zone, answer);
  }

  private positive(zone: string, answer: ResourceRecord[]): LookupResult {
    return { kind: 'answer', zone, answer, authority: [], additional: this.additionalFor(answer) };
  }

  /** RFC 2782 "Usage rules" / RFC 1035 3.3.11: addresses of SRV and NS targets we hold. */
  private additionalFor(answer: ResourceRecord[]): ResourceRecord[] {
    const additional: ResourceRecord[] = [];
    const seen = new Set<string>();
    for (const record of answer) {
      let target: string | null = null;
      if (record.type === RRType.SRV) target = (record.data as SrvData).target;
      else if (record.type === RRType.NS) target = record.data as string;
      if (target === null || seen.has(target)) continue;
      seen.add(target);
      for (const entry of this.data.get(target) ?? []) {
        if (entry.record.type === RRType.A) additional.push(entry.record);
      }
      for (const entry of this.data.get(target) ?? []) {
        if (entry.record.type === RRType.AAAA) additional.push(entry.record);
      }
    }
    return additional;
  }

  private soaRecords(zone: string): ResourceRecord[] {
    const soa = this.data.get(zone)?.find((entry) => entry.record.type === RRType.SOA);
    return soa ? [soa.record] : [];
  }

  private publishSoa(zone: string, serial: number): void {
    this.serials.set(zone, serial);
    const data: SoaData = {
      mname: join('ns.dns', zone),
      rname: join('hostmaster', zone),
      serial,
      refresh: 7200,
      retry: 1800,
      expire: 86400,
      minimum: this.ttl,
    };
    const owner = SOA_OWNER + zone;
    const previous = this.owners.get(owner);
    if (previous) this.retract(previous);
    const contribution = { records: [{ name: zone, type: RRType.SOA, class: RRClass.IN, ttl: this.ttl, data }], names: [] };
    this.owners.set(owner, contribution);
    this.publish(contribution);
  }

  private publish(contribution: OwnerContribution): void {
    for (const record of contribution.records) {
      let entries = this.data.get(record.name);
      if (entries === undefined) this.data.set(record.name, (entries = []));
      const entry = entries.find((candidate) => sameRR(candidate.record, record));
      if (entry) entry.refs++;
      else {
        entries.push({ record, refs: 1 });
        this.pendingChanges.add(record.name);
      }
      this.addExistence(record.name, 1);
    }
    for (const name of contribution.names) this.addExistence(name, 1);
  }

  private retract(contribution: OwnerContribution): void {
    for (const record of contribution.records) {
      const entries = this.data.get(record.name);
      const at = entries?.findIndex((candidate) => sameRR(candidate.record, record)) ?? -1;
      if (entries && at >= 0 && --entries[at].refs === 0) {
        entries.splice(at, 1);
        if (entries.length === 0) this.data.delete(record.name);
        this.pendingChanges.add(record.name);
      }
      this.addExistence(record.name, -1);
    }
    for (const name of contribution.names) this.addExistence(name, -1);
  }

  /**
   * A name's count is its own records and declarations plus its existing direct children, so a change only
   * walks up while existence flips (a new leaf under an existing parent touches one entry, not every ancestor).
   */
  private addExistence(name: string, delta: number): void {
    const zone = this.findZone(name);
    let current = name;
    let change = delta;
    for (;;) {
      const before = this.existence.get(current) ?? 0;
      const after = before + change;
      if (after <= 0) this.existence.delete(current);
      else this.existence.set(current, after);
      if (before > 0 === after > 0) return;
      // The name appeared or vanished: negative answers (NXDOMAIN ↔ NODATA) change, and so does its parent.
      this.pendingChanges.add(current);
      const up = parent(current);
      if (zone === null || current === zone || up === null) return;
      current = up;
      change = after > 0 ? 1 : -1;
    }
  }

  private flushIfOutsideBatch(): void {
    if (this.batchDepth > 0 || this.pendingChanges.size === 0) return;
    const changed = this.pendingChanges;
    this.pendingChanges = new Set();
    const zones = new Set<string>();
    for (const name of changed) {
      const zone = this.findZone(name);
      if (zone !== null) zones.add(zone);
    }
    const serial = this.now();
    for (const zone of zones) {
      if (serial !== this.serials.get(zone)) {
        this.publishSoa(zone, serial);
        changed.add(zone);
      }
    }
    this.pendingChanges.clear(); // the SOA republish itself is part of this change
    for (const listener of this.listeners) listener(changed);
  }
}

function normalize(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

function normalizeRecord(record: ResourceRecord): ResourceRecord {
  const name = normalize(record.name);
  return name === record.name ? record : ({ ...record, name } as ResourceRecord);
}

function join(label: string, zone: string): string {
  return zone === '' ? label : `${label}.${zone}`;
}

function parent(name: string): string | null {
  if (name === '') return null;
  const dot = name.indexOf('.');
  return dot === -1 ? '' : name.slice(dot + 1);
}

/** The same RR: owner, type, class and RDATA match (RFC 2181 5: TTL is not part of an RR's identity). */
function sameRR(a: ResourceRecord, b: ResourceRecord): boolean {
  return a.type === b.type && a.class === b.class && a.name === b.name && sameRdata(a, b);
}

function sameRdata(a: ResourceRecord, b: ResourceRecord): boolean {
  if (a.data === b.data) return true;
  if (typeof a.data === 'string' || typeof b.data === 'string') return false;
  if (a.data instanceof Uint8Array && b.data instanceof Uint8Array) return Buffer.compare(a.data, b.data) === 0;
  return formatRdata(a) === formatRdata(b); // SRV, SOA, TXT: small structures, compared field by field
}

function sameContribution(a: OwnerContribution, b: OwnerContribution): boolean {
  if (a.records.length !== b.records.length || a.names.length !== b.names.length) return false;
  for (let i = 0; i < a.names.length; i++) if (a.names[i] !== b.names[i]) return false;
  for (let i = 0; i < a.records.length; i++) {
    if (a.records[i].ttl !== b.records[i].ttl || !sameRR(a.records[i], b.records[i])) return false;
  }
  return true;
}
