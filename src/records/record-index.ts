// The authoritative data: name → RRsets, fed incrementally by owners (a Service, a Pod, a Namespace, …).
// Pure in-memory data, no I/O (docs/architecture.md "Layers").
//
// - Owners replace what they contribute as a whole (setOwner); the cost is O(that owner's records), also for
//   a headless Service whose thousands of endpoints share one name (see NameEntries).
// - Several owners may publish the same name and type (PTR for an IP two Services share, A at ns.dns.<zone>):
//   the RRset is their de-duplicated union, refcounted so removal is exact.
// - A name exists when it has records, was declared by an owner, or has an existing descendant: empty
//   non-terminals exist (RFC 8020 2, RFC 4592 2.2.2), which is what separates NODATA from NXDOMAIN.
// - Each zone's apex SOA is synthesized here, its serial the Unix time of the zone's last change (as CoreDNS).
// - Change notifications are exact: a name is reported only when its records or its existence changed, so
//   re-publishing an owner with one record different reports that record's name (and the apex), not all.
// - No object per record is kept (stored-record.ts, docs/architecture.md "The record index"): records are
//   made again on lookup, so what a caller gets is its own.
import { normalizeName } from '../wire/name.js';
import { RRClass, RRType, type ResourceRecord, type SoaData, type SrvData } from '../wire/types.js';
import {
  CompactSrv,
  compactRecord,
  expandRecord,
  sameStored,
  storedKey,
  ttlOf,
  typeOf,
  type StoredRecord,
} from './stored-record.js';
import type { LookupResult } from './types.js';


export interface RecordIndexOptions {
  /** Apexes this index is authoritative for (cluster zones and the reverse zones), lowercase, no trailing dot. */
  zones: string[];
  ttl: number;
  /** Seconds since the epoch; injectable for tests. */
  now?: () => number;
}

export type ChangeListener = (changedNames: ReadonlySet<string>) => void;

/**
 * Called with a name before the index reads it (ClusterStore's publish-on-first-ask: docs/architecture.md
 * "Owners published when first asked"). It may publish owners, quietly, before the read goes on.
 */
export type ReadHook = (name: string) => void;


/**
 * Every record at one name, all types together, in their stored form (stored-record.ts: an A record is a
 * number, a PTR its target string, nothing carries its owner name, TTL or class). A large cluster has hundreds
 * of thousands of names, nearly all with one or two records, so one record is stored as is and a few in an
 * exact-size array. Past LARGE_NAME records (the A and SRV sets of a big headless Service) a Map keyed by
 * storedKey, so finding and removing one record stays O(1) and a 3,000-endpoint Service is not O(n²) per
 * update. A Map iterates in insertion order, so the RRset order is the same either way. How many owners
 * publish a record is kept aside (RecordIndex.extraRefs) for the rare shared ones.
 */
type NameEntries = StoredRecord | StoredRecord[] | Map<number | string, StoredRecord>;

/** An owner's records in order as (owner name, stored record) pairs in one flat array: no object per record. */
type RecordPairs = Array<string | StoredRecord>;

interface OwnerContribution {
  pairs: RecordPairs;
  names: string[];
}

/**
 * What is kept per owner: its pairs alone when it declares no names (all but a few, where a
 * `{pairs, names}` object each would cost memory per owner), else the whole contribution.
 */
type KeptContribution = RecordPairs | OwnerContribution;

function keptForm(contribution: OwnerContribution): KeptContribution {
  return contribution.names.length === 0 ? contribution.pairs : contribution;
}

function fullForm(kept: KeptContribution): OwnerContribution {
  return Array.isArray(kept) ? { pairs: kept, names: NO_NAMES } : kept;
}

/** Entries at one name kept in an array up to this many; beyond it, in a Map. */
const LARGE_NAME = 16;
/** CNAME chains longer than this are cut (loops are cut earlier by the visited set). */
const MAX_CNAME_CHAIN = 12;
const SOA_OWNER = '\0soa:';
/** Shared by every owner that declares no names (most of them): never mutated. */
const NO_NAMES: string[] = [];

export class RecordIndex {
  private readonly zones: string[];
  /** `.zone` suffixes, longest zone first, so findZone returns the most specific one. */
  private readonly zoneSuffixes: Array<{ zone: string; suffix: string }>;
  private readonly ttl: number;
  private readonly now: () => number;
  private readonly data = new Map<string, NameEntries>();
  /**
   * name → storedKey → how many owners beyond the first publish that record (a PTR for an IP two Services
   * share, the A records at ns.dns.<zone>). Absent means one: a per-record counter would cost memory per record.
   */
  private readonly extraRefs = new Map<string, Map<number | string, number>>();
  /**
   * name → how many declarations and existing children it has, for names with any (RFC 8020: such a name
   * exists, records or not). A name with records exists anyway, so its records are not counted here: most
   * names are leaves with records and need no entry.
   */
  private readonly existence = new Map<string, number>();
  private readonly owners = new Map<string, KeptContribution>();
  private readonly serials = new Map<string, number>();
  private readonly listeners = new Set<ChangeListener>();
  private batchDepth = 0;
  private pendingChanges = new Set<string>();
  private beforeRead: ReadHook | undefined;

  constructor(options: RecordIndexOptions) {
    this.zones = [...new Set(options.zones.map(normalizeName))];
    this.zoneSuffixes = [...this.zones]
      .sort((a, b) => b.length - a.length)
      .map((zone) => ({ zone, suffix: zone === '' ? '' : `.${zone}` }));
    this.ttl = options.ttl;
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
    const serial = this.now();
    for (const zone of this.zones) this.publishSoa(zone, serial);
    this.pendingChanges.clear();
  }

  /**
   * The target of a CNAME that ends `answer` when it lies in none of this index's zones (an ExternalName's),
   * for a server that can resolve it elsewhere (RFC 1034 4.3.2 step 3a); null otherwise.
   */
  externalCnameTarget(answer: readonly ResourceRecord[]): string | null {
    const last = answer[answer.length - 1];
    if (last === undefined || last.type !== RRType.CNAME) return null;
    const target = last.data as string;
    return this.findZone(target) === null ? target : null;
  }

  /** The most specific served zone containing `name`, or null. */
  findZone(name: string): string | null {
    for (const { zone, suffix } of this.zoneSuffixes) {
      if (name === zone || suffix === '' || name.endsWith(suffix)) return zone;
    }
    return null;
  }

  /** The SOA serial of `zone`: Unix seconds of its last change (construction time at first); 0 for no zone. */
  serial(zone: string): number {
    return this.serials.get(normalizeName(zone)) ?? 0;
  }

  /**
   * Replace everything `owner` contributes. `names` exist without records of their own (RFC 8020: an
   * existing namespace). Names, also those inside RDATA, are stored lowercase without the trailing dot. The new set is added before the old one is withdrawn, so records and names the two
   * share never disappear in between and are not reported as changed.
   */
  setOwner(owner: string, records: ResourceRecord[], names: string[] = []): void {
    const kept = this.owners.get(owner);
    const previous = kept === undefined ? undefined : fullForm(kept);
    const next: OwnerContribution = {
      pairs: this.pairsOf(records),
      names: names.length === 0 ? NO_NAMES : names.map(normalizeName),
    };
    if (previous && sameContribution(previous, next, this.ttl)) return;
    this.owners.set(owner, keptForm(next));
    this.publish(next);
    if (previous) this.retract(previous);
    this.flushIfOutsideBatch();
  }

  deleteOwner(owner: string): void {
    const kept = this.owners.get(owner);
    if (!kept) return;
    this.owners.delete(owner);
    this.retract(fullForm(kept));
    this.flushIfOutsideBatch();
  }

  /**
   * Run owner changes that publish what the index already stood for without holding it: no change is
   * reported and no serial moves, since no answer changes (an owner published when first asked). Inside a
   * batch the changes are the batch's.
   */
  quietly(fn: () => void): void {
    if (this.batchDepth > 0) return fn();
    this.batchDepth++;
    try {
      fn();
    } finally {
      this.batchDepth--;
      this.pendingChanges.clear();
    }
  }

  /** Install (or with undefined remove) the hook called with each name before it is read. */
  setReadHook(hook: ReadHook | undefined): void {
    this.beforeRead = hook;
  }

  /** exists() without the read hook: what the index holds now. */
  holds(name: string): boolean {
    return this.data.has(name) || this.existence.has(name);
  }

  /** Run several owner changes as one change: one serial bump per zone, one notification. Nests. */
  batch(fn: () => void): void {
    this.batchDepth++;
    try {
      fn();
    } finally {
      this.batchDepth--;
      this.flushIfOutsideBatch();
    }
  }

  /**
   * Called after each change (each setOwner/deleteOwner outside a batch, each outermost batch) with the
   * names whose records or existence changed; a zone apex is among them when its SOA serial moved.
   * Returns the unsubscribe function.
   */
  onChange(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /**
   * The owner's records as stored pairs. Equal SRV RDATA among the owner's last few records is stored once
   * (a ClusterIP Service's named-port SRV and bare-name SRV are the same tuple).
   */
  private pairsOf(records: readonly ResourceRecord[]): RecordPairs {
    const pairs: RecordPairs = new Array(records.length * 2);
    for (let i = 0; i < records.length; i++) {
      const record = normalizeRecord(records[i]);
      let stored = compactRecord(record, this.ttl);
      if (stored instanceof CompactSrv) {
        for (let j = 2 * i - 1; j > 0 && j >= 2 * i - 8; j -= 2) {
          const earlier = pairs[j];
          if (earlier instanceof CompactSrv && sameStored(earlier, stored)) {
            stored = earlier;
            break;
          }
        }
      }
      pairs[2 * i] = record.name;
      pairs[2 * i + 1] = stored;
    }
    return pairs;
  }

  /** True when `name` exists for some type (or as an empty non-terminal). */
  exists(name: string): boolean {
    this.beforeRead?.(name);
    return this.holds(name);
  }

  /** The RRset of `type` at `name` (empty when none). */
  rrset(name: string, type: number): ResourceRecord[] {
    const out: ResourceRecord[] = [];
    this.beforeRead?.(name);
    const entries = this.data.get(name);
    if (entries !== undefined) {
      for (const stored of each(entries)) if (typeOf(stored) === type) out.push(expandRecord(name, stored, this.ttl));
    }
    return out;
  }

  /**
   * RFC 1034 4.3.2 for one authoritative server: exact match, CNAME chain (followed while the target is in a
   * served zone), NODATA / NXDOMAIN with the SOA of the zone the chain ended in. `qname` is lowercase.
   */
  lookup(qname: string, qtype: number): LookupResult {
    const firstZone = this.findZone(qname);
    if (firstZone === null) return { kind: 'notauth' };

    const answer: ResourceRecord[] = [];
    const visited = new Set<string>();
    let name = qname;
    let zone = firstZone;
    for (let depth = 0; depth <= MAX_CNAME_CHAIN; depth++) {
      visited.add(name);
      this.beforeRead?.(name);
      const entries = this.data.get(name);
      if (entries !== undefined) {
        if (qtype === RRType.ANY) {
          for (const stored of each(entries)) answer.push(expandRecord(name, stored, this.ttl));
          return this.positive(zone, answer);
        }
        const before = answer.length;
        let cnameStored: StoredRecord | undefined;
        if (typeof entries === 'number') {
          // The most common name of all holds one A record: no iteration.
          if (qtype === RRType.A) answer.push(expandRecord(name, entries, this.ttl));
        } else {
          for (const stored of each(entries)) {
            const type = typeOf(stored);
            if (type === qtype) answer.push(expandRecord(name, stored, this.ttl));
            else if (type === RRType.CNAME) cnameStored = stored;
          }
        }
        if (answer.length > before) return this.positive(zone, answer);
        if (cnameStored !== undefined) {
          const cname = expandRecord(name, cnameStored, this.ttl);
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
      if (this.holds(name)) return { kind: 'nodata', zone, answer, authority: soa };
      return { kind: 'nxdomain', zone, answer, authority: soa };
    }
    return this.positive(zone, answer);
  }

  private positive(zone: string, answer: ResourceRecord[]): LookupResult {
    return { kind: 'answer', zone, answer, authority: [], additional: this.additionalFor(answer) };
  }

  /** RFC 2782 "Usage rules" / RFC 1035 3.3.11: addresses of SRV and NS targets we hold, A before AAAA. */
  private additionalFor(answer: ResourceRecord[]): ResourceRecord[] {
    const additional: ResourceRecord[] = [];
    let seen: Set<string> | undefined;
    for (const record of answer) {
      let target: string;
      if (record.type === RRType.SRV) target = (record.data as SrvData).target;
      else if (record.type === RRType.NS) target = record.data as string;
      else continue;
      seen ??= new Set();
      if (seen.has(target)) continue;
      seen.add(target);
      this.beforeRead?.(target);
      const entries = this.data.get(target);
      if (entries === undefined) continue;
      for (const stored of each(entries)) if (typeOf(stored) === RRType.A) additional.push(expandRecord(target, stored, this.ttl));
      for (const stored of each(entries)) if (typeOf(stored) === RRType.AAAA) additional.push(expandRecord(target, stored, this.ttl));
    }
    return additional;
  }

  private soaRecords(zone: string): ResourceRecord[] {
    return this.rrset(zone, RRType.SOA);
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
    const contribution = { pairs: this.pairsOf([{ name: zone, type: RRType.SOA, class: RRClass.IN, ttl: this.ttl, data }]), names: NO_NAMES };
    this.owners.set(owner, keptForm(contribution));
    this.publish(contribution);
    if (previous) this.retract(fullForm(previous));
  }

  private publish(contribution: OwnerContribution): void {
    const pairs = contribution.pairs;
    for (let i = 0; i < pairs.length; i += 2) {
      const name = pairs[i] as string;
      const record = pairs[i + 1] as StoredRecord;
      const entries = this.data.get(name);
      if (entries === undefined) {
        this.data.set(name, record);
        if (!this.existence.has(name)) this.existenceFlipped(name, 1);
        this.pendingChanges.add(name);
        continue;
      }
      let stored: StoredRecord | undefined;
      if (entries instanceof Map) {
        const key = storedKey(record);
        stored = entries.get(key);
        if (stored === undefined) entries.set(key, record);
      } else if (Array.isArray(entries)) {
        stored = entries.find((e) => sameStored(e, record));
        if (stored === undefined) {
          // concat, not push: push would grow the array to 18 slots, and most names hold two or three
          // records for as long as the cluster has them.
          this.data.set(name, entries.length < LARGE_NAME ? entries.concat([record]) : toMap(entries, record));
        }
      } else if (sameStored(entries, record)) {
        stored = entries;
      } else {
        this.data.set(name, [entries, record]);
      }
      if (stored === undefined) {
        this.pendingChanges.add(name);
        continue;
      }
      const key = storedKey(stored);
      let shared = this.extraRefs.get(name);
      if (shared === undefined) this.extraRefs.set(name, (shared = new Map()));
      shared.set(key, (shared.get(key) ?? 0) + 1);
      // RFC 2181 5.2: one TTL per RRset; the latest publisher's TTL wins.
      if (ttlOf(stored, this.ttl) !== ttlOf(record, this.ttl)) {
        this.replaceStored(name, entries, stored, record);
        this.pendingChanges.add(name);
      }
    }
    for (const name of contribution.names) this.addExistence(name, 1);
  }

  /** Put `next` where `stored` is (the same RR with another TTL), keeping its place in the RRset order. */
  private replaceStored(name: string, entries: NameEntries, stored: StoredRecord, next: StoredRecord): void {
    if (entries instanceof Map) entries.set(storedKey(stored), next);
    else if (Array.isArray(entries)) entries[entries.indexOf(stored)] = next;
    else this.data.set(name, next);
  }

  private retract(contribution: OwnerContribution): void {
    const pairs = contribution.pairs;
    for (let i = 0; i < pairs.length; i += 2) {
      const name = pairs[i] as string;
      const record = pairs[i + 1] as StoredRecord;
      const entries = this.data.get(name);
      if (entries === undefined) continue;
      let stored: StoredRecord | undefined;
      let key: number | string | undefined;
      let at = -1;
      if (entries instanceof Map) {
        key = storedKey(record);
        stored = entries.get(key);
      } else if (Array.isArray(entries)) {
        at = entries.findIndex((e) => sameStored(e, record));
        if (at >= 0) stored = entries[at];
      } else if (sameStored(entries, record)) {
        stored = entries;
      }
      if (stored === undefined) continue;
      const shared = this.extraRefs.get(name);
      if (shared !== undefined) {
        key ??= storedKey(stored);
        const extra = shared.get(key);
        if (extra !== undefined) {
          if (extra > 1) shared.set(key, extra - 1);
          else if (shared.size > 1) shared.delete(key);
          else this.extraRefs.delete(name);
          continue;
        }
      }
      if (entries instanceof Map) {
        entries.delete(key!);
        if (entries.size === 0) this.recordsVanished(name);
      } else if (Array.isArray(entries)) {
        if (entries.length === 2) this.data.set(name, entries[1 - at]);
        else entries.splice(at, 1);
      } else {
        this.recordsVanished(name);
      }
      this.pendingChanges.add(name);
    }
    for (const name of contribution.names) this.addExistence(name, -1);
  }

  /** The last record at `name` is gone: drop the name, and with it its existence unless something else holds it. */
  private recordsVanished(name: string): void {
    this.data.delete(name);
    if (!this.existence.has(name)) this.existenceFlipped(name, -1);
  }

  /**
   * `name` began (+1) or ceased (-1) to exist: negative answers there change (NXDOMAIN ↔ NODATA), and its
   * parent gains or loses an existing child. Names outside the zones, and the apex, have no parent to tell.
   */
  private existenceFlipped(name: string, delta: 1 | -1): void {
    this.pendingChanges.add(name);
    const zone = this.findZone(name);
    const up = parent(name);
    if (zone === null || name === zone || up === null) return;
    this.addExistence(up, delta);
  }

  /**
   * A name's count is its declarations plus its existing direct children, so a change only walks up while
   * existence flips (a new leaf under an existing parent touches one entry, not every ancestor); a name with
   * records exists whatever its count, so the walk stops there too.
   */
  private addExistence(name: string, delta: number): void {
    const before = this.existence.get(name) ?? 0;
    const after = before + delta;
    if (after <= 0) this.existence.delete(name);
    else this.existence.set(name, after);
    if (before > 0 === after > 0 || this.data.has(name)) return;
    this.existenceFlipped(name, after > 0 ? 1 : -1); // walks up one label per flip: at most the name's depth
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
    // The serial is the time of the last change and never moves back (a clock stepped back keeps the old one).
    const now = this.now();
    for (const zone of zones) {
      if (now > (this.serials.get(zone) ?? 0)) {
        this.publishSoa(zone, now);
        changed.add(zone);
      }
    }
    this.pendingChanges.clear(); // the SOA republish itself is part of this change
    for (const listener of this.listeners) listener(changed);
  }
}

function each(entries: NameEntries): Iterable<StoredRecord> {
  if (entries instanceof Map) return entries.values();
  return Array.isArray(entries) ? entries : [entries];
}

function toMap(entries: StoredRecord[], extra: StoredRecord): Map<number | string, StoredRecord> {
  const map = new Map<number | string, StoredRecord>();
  for (const stored of entries) map.set(storedKey(stored), stored);
  map.set(storedKey(extra), extra);
  return map;
}

/**
 * Owner names and the domain names inside RDATA (CNAME, PTR, NS targets, SRV target) lowercase without the
 * trailing dot, as stored and looked up; the record object is reused when nothing changes.
 */
function normalizeRecord(record: ResourceRecord): ResourceRecord {
  const name = normalizeName(record.name);
  let data: unknown = record.data;
  switch (record.type) {
    case RRType.CNAME:
    case RRType.PTR:
    case RRType.NS:
      data = normalizeName(record.data as string);
      break;
    case RRType.SRV: {
      const srv = record.data as SrvData;
      const target = normalizeName(srv.target);
      if (target !== srv.target) data = { ...srv, target };
      break;
    }
  }
  return name === record.name && data === record.data ? record : ({ ...record, name, data } as ResourceRecord);
}

function join(label: string, zone: string): string {
  return zone === '' ? label : `${label}.${zone}`;
}

function parent(name: string): string | null {
  if (name === '') return null;
  const dot = name.indexOf('.');
  return dot === -1 ? '' : name.slice(dot + 1);
}

function sameContribution(a: OwnerContribution, b: OwnerContribution, ttl: number): boolean {
  if (a.pairs.length !== b.pairs.length || a.names.length !== b.names.length) return false;
  for (let i = 0; i < a.names.length; i++) if (a.names[i] !== b.names[i]) return false;
  for (let i = 0; i < a.pairs.length; i += 2) {
    if (a.pairs[i] !== b.pairs[i]) return false;
    const x = a.pairs[i + 1] as StoredRecord;
    const y = b.pairs[i + 1] as StoredRecord;
    if (x !== y && (ttlOf(x, ttl) !== ttlOf(y, ttl) || !sameStored(x, y))) return false;
  }
  return true;
}
