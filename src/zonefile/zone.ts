// One zone's answers as an authoritative server gives them (RFC 1034 4.3.2, the algorithm of CoreDNS
// plugin/file lookup.go):
//
//   a zone cut between the apex and the name   → referral: NOERROR, no AA, the NS in authority, glue in additional
//   the name exists, qtype ANY                  → every RRset at the name
//   the name owns a CNAME (qtype not CNAME)     → the CNAME, then the target's answer when the target is in the
//                                                 zone (at most 8 hops, loops cut), else `chase` = the target
//   the name owns the qtype                     → that RRset; A/AAAA of MX/SRV/NS targets in additional
//   the name exists without it                  → NODATA: NOERROR, the SOA in authority
//   the name does not exist                     → the wildcard at its closest encloser (RFC 4592 3.3.1) answers
//                                                 with its records renamed to the name, else NXDOMAIN + SOA
//
// Negative answers carry the SOA with TTL min(SOA TTL, SOA MINIMUM) (RFC 2308 3); the rcode of a CNAME chain is
// that of its last name (RFC 6604 2).
import { RCode, RRType, type MxData, type ResourceRecord, type SoaData, type SrvData } from '../wire/types.js';
import { isInZone, parentName } from './zone-names.js';

export interface ZoneAnswer {
  rcode: number;
  authoritative: boolean;
  answer: ResourceRecord[];
  authority: ResourceRecord[];
  additional: ResourceRecord[];
  /** The chain ends in a CNAME whose target (lowercase) lies outside this zone: resolve it elsewhere. */
  chase?: string;
}

/** RRsets at one owner, by type. */
export type RRsets = Map<number, ResourceRecord[]>;

export interface ZoneContents {
  /** Lowercase, no trailing dot. */
  origin: string;
  /** Lowercase owner → its RRsets. */
  nodes: Map<string, RRsets>;
  /** Every name that exists: owners, and their ancestors up to the apex (empty non-terminals, RFC 4592 2.2.2). */
  names: Set<string>;
  /** Owners below the apex that hold NS: zone cuts. */
  cuts: Set<string>;
  soa: ResourceRecord;
  /** The files the zone was read from, its own first. */
  files: string[];
}

/** RFC 1034 4.3.2 leaves chains unbounded; like CoreDNS, stop after a few hops. */
const MAX_CNAME_HOPS = 8;
const DS = 43;
/** Shared by every empty section; frozen so that a caller appending to a section fails loudly. */
const EMPTY = Object.freeze([]) as unknown as ResourceRecord[];

export class Zone {
  readonly origin: string;
  readonly soa: ResourceRecord;
  readonly files: readonly string[];
  /** The SOA as negative answers carry it (RFC 2308 3). */
  private readonly negativeSoa: ResourceRecord;
  private readonly nodes: Map<string, RRsets>;
  private readonly names: Set<string>;
  private readonly cuts: Set<string>;

  constructor(contents: ZoneContents) {
    this.origin = contents.origin;
    this.soa = contents.soa;
    this.files = contents.files;
    this.nodes = contents.nodes;
    this.names = contents.names;
    this.cuts = contents.cuts;
    const minimum = (contents.soa.data as SoaData).minimum;
    this.negativeSoa = { ...contents.soa, ttl: Math.min(contents.soa.ttl, minimum) };
  }

  /** Names with records (for tests and logs). */
  get size(): number {
    return this.nodes.size;
  }

  /** Every record, by owner then type in the order the file gave them (tests, logs). */
  *records(): IterableIterator<ResourceRecord> {
    for (const rrsets of this.nodes.values()) for (const rrset of rrsets.values()) yield* rrset;
  }

  /** True when `qname` (lowercase) is the apex or below it. */
  contains(qname: string): boolean {
    return isInZone(qname, this.origin);
  }

  /** The RRset of `type` at `name`, exactly as stored (no wildcard, no cut). */
  rrset(name: string, type: number): readonly ResourceRecord[] {
    return this.nodes.get(name)?.get(type) ?? EMPTY;
  }

  /** The answer to `qname` (lowercase, inside the zone) and `qtype`. */
  lookup(qname: string, qtype: number): ZoneAnswer {
    const answer: ResourceRecord[] = [];
    const visited = new Set<string>();
    let name = qname;
    for (let hop = 0; ; hop++) {
      visited.add(name);
      const cut = this.cutAbove(name, qtype);
      if (cut !== null) {
        const referral = this.referral(cut);
        if (hop === 0) return referral;
        // A CNAME into delegated space: the chain so far, and where to ask next.
        return { ...referral, answer, authoritative: true };
      }
      let rrsets = this.nodes.get(name);
      let synthesized = false;
      if (rrsets === undefined && !this.names.has(name)) {
        rrsets = this.wildcardFor(name);
        if (rrsets === undefined) return this.negative(RCode.NXDOMAIN, answer);
        synthesized = true;
      }
      if (rrsets === undefined || rrsets.size === 0) return this.negative(RCode.NOERROR, answer);
      if (qtype === RRType.ANY) {
        for (const rrset of rrsets.values()) pushRenamed(answer, rrset, name, synthesized);
        return this.positive(answer);
      }
      const cname = qtype === RRType.CNAME ? undefined : rrsets.get(RRType.CNAME);
      if (cname !== undefined) {
        pushRenamed(answer, cname, name, synthesized);
        const target = (cname[0].data as string).toLowerCase();
        if (!this.contains(target)) return { ...this.positive(answer), chase: target };
        if (visited.has(target) || hop + 1 >= MAX_CNAME_HOPS) return this.positive(answer);
        name = target;
        continue;
      }
      const rrset = rrsets.get(qtype);
      if (rrset === undefined) return this.negative(RCode.NOERROR, answer);
      pushRenamed(answer, rrset, name, synthesized);
      return this.positive(answer);
    }
  }

  /**
   * The highest zone cut at or above `name` and below the apex, or null. At the cut itself a DS question
   * belongs to the parent side (RFC 4035 3.1.4.1) and is answered here.
   */
  private cutAbove(name: string, qtype: number): string | null {
    if (this.cuts.size === 0) return null;
    let highest: string | null = null;
    for (let at: string | null = name; at !== null && at !== this.origin; at = parentName(at)) {
      if (this.cuts.has(at) && !(at === name && qtype === DS)) highest = at;
    }
    return highest;
  }

  /**
   * RFC 4592 3.3.1: the closest encloser is the longest existing ancestor; only `*.<closest encloser>` may
   * answer. A wildcard that exists only as an empty non-terminal gives an empty node (NODATA).
   */
  private wildcardFor(name: string): RRsets | undefined {
    for (let at = parentName(name); at !== null; at = parentName(at)) {
      if (!this.names.has(at)) continue;
      const wildcard = at === '' ? '*' : `*.${at}`;
      if (!this.names.has(wildcard)) return undefined;
      return this.nodes.get(wildcard) ?? new Map();
    }
    return undefined;
  }

  private positive(answer: ResourceRecord[]): ZoneAnswer {
    return { rcode: RCode.NOERROR, authoritative: true, answer, authority: EMPTY, additional: this.additionalFor(answer) };
  }

  private negative(rcode: number, answer: ResourceRecord[]): ZoneAnswer {
    return { rcode, authoritative: true, answer, authority: [this.negativeSoa], additional: EMPTY };
  }

  private referral(cut: string): ZoneAnswer {
    const ns = [...this.rrset(cut, RRType.NS)];
    return { rcode: RCode.NOERROR, authoritative: false, answer: EMPTY, authority: ns, additional: this.additionalFor(ns) };
  }

  /** A and AAAA of the names MX, SRV and NS records point to, when this zone holds them (RFC 1035 3.3.9). */
  private additionalFor(records: readonly ResourceRecord[]): ResourceRecord[] {
    let additional: ResourceRecord[] | null = null;
    let seen: Set<string> | null = null;
    for (const record of records) {
      let target: string;
      if (record.type === RRType.MX) target = (record.data as MxData).exchange;
      else if (record.type === RRType.SRV) target = (record.data as SrvData).target;
      else if (record.type === RRType.NS) target = record.data as string;
      else continue;
      target = target.toLowerCase();
      if (!this.contains(target)) continue;
      seen ??= new Set();
      if (seen.has(target)) continue;
      seen.add(target);
      const rrsets = this.nodes.get(target);
      if (rrsets === undefined) continue;
      additional ??= [];
      for (const type of [RRType.A, RRType.AAAA]) {
        const rrset = rrsets.get(type);
        if (rrset !== undefined) additional.push(...rrset);
      }
    }
    return additional ?? EMPTY;
  }
}

/** Appends an RRset, renamed to the queried name when a wildcard synthesized it (RFC 4592 3.3.1). */
function pushRenamed(out: ResourceRecord[], rrset: readonly ResourceRecord[], name: string, synthesized: boolean): void {
  if (!synthesized) {
    out.push(...rrset);
    return;
  }
  for (const record of rrset) out.push({ ...record, name } as ResourceRecord);
}
