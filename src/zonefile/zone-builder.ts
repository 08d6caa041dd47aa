// Collects a zone file's records, one at a time as the parser reads them, and checks what makes a zone
// servable: every owner at or below the origin, exactly one SOA and at the apex (RFC 1035 5.2), no other data
// beside a CNAME (RFC 1034 3.6.2, RFC 2181 10.1), one TTL per RRset (RFC 2181 5.2: the lowest is kept).
import { formatRdata } from '../wire/presentation.js';
import { RRType, type ResourceRecord } from '../wire/types.js';
import { Zone, type RRsets } from './zone.js';
import { ZoneFileError } from './zone-file-error.js';
import { isInZone, parentName } from './zone-names.js';

export interface RecordLocation {
  file: string;
  line: number;
  column: number;
}

/** A ZoneFileError that knows its file (the builder sees records from included files too). */
export class LocatedZoneFileError extends ZoneFileError {
  constructor(
    reason: string,
    readonly location: RecordLocation,
  ) {
    super(reason, location.line, location.column, 'data');
  }
}

export class ZoneBuilder {
  private readonly nodes = new Map<string, RRsets>();
  private readonly names = new Set<string>();
  private readonly cuts = new Set<string>();
  /** Rdata text of each RRset's records, to drop duplicates (an RRset is a set, RFC 2181 5). */
  private readonly seen = new Map<string, Set<string>>();
  private soa: ResourceRecord | null = null;
  private readonly files: string[] = [];

  /** `origin` lowercase, no trailing dot. */
  constructor(readonly origin: string) {}

  addFile(file: string): void {
    if (!this.files.includes(file)) this.files.push(file);
  }

  /** Adds one record (owner lowercase); throws LocatedZoneFileError when it breaks the zone. */
  add(record: ResourceRecord, where: RecordLocation): void {
    const owner = record.name;
    if (!isInZone(owner, this.origin)) {
      throw new LocatedZoneFileError(`${display(owner)} is outside the zone ${display(this.origin)}`, where);
    }
    if (record.type === RRType.SOA) {
      if (owner !== this.origin) throw new LocatedZoneFileError(`an SOA belongs at the apex ${display(this.origin)}, not at ${display(owner)}`, where);
      if (this.soa !== null) throw new LocatedZoneFileError('a zone has exactly one SOA record; this is the second', where);
      this.soa = record;
    }
    let rrsets = this.nodes.get(owner);
    if (rrsets === undefined) {
      rrsets = new Map();
      this.nodes.set(owner, rrsets);
      this.addExistence(owner);
    }
    if (record.type === RRType.CNAME && (rrsets.has(RRType.CNAME) || rrsets.size > 0)) {
      const other = rrsets.has(RRType.CNAME) ? 'another CNAME' : 'other data';
      throw new LocatedZoneFileError(`${display(owner)} has ${other}: a CNAME must be the only record at its name (RFC 1034 3.6.2)`, where);
    }
    if (record.type !== RRType.CNAME && rrsets.has(RRType.CNAME)) {
      throw new LocatedZoneFileError(`${display(owner)} has a CNAME: no other data may share its name (RFC 1034 3.6.2)`, where);
    }
    if (record.type === RRType.NS && owner !== this.origin) this.cuts.add(owner);
    const key = `${record.type} ${owner}`;
    let rdatas = this.seen.get(key);
    if (rdatas === undefined) this.seen.set(key, (rdatas = new Set()));
    const rdata = formatRdata(record);
    if (rdatas.has(rdata)) return;
    rdatas.add(rdata);
    const rrset = rrsets.get(record.type);
    if (rrset === undefined) {
      rrsets.set(record.type, [record]);
      return;
    }
    const ttl = Math.min(rrset[0].ttl, record.ttl);
    if (ttl !== rrset[0].ttl) for (const member of rrset) member.ttl = ttl;
    rrset.push(ttl === record.ttl ? record : { ...record, ttl });
  }

  /** The finished zone; throws when it has no SOA. `end` locates the error (the end of the zone file). */
  build(end: RecordLocation): Zone {
    if (this.soa === null) throw new LocatedZoneFileError(`the zone ${display(this.origin)} has no SOA record at its apex`, end);
    this.seen.clear();
    return new Zone({ origin: this.origin, nodes: this.nodes, names: this.names, cuts: this.cuts, soa: this.soa, files: this.files });
  }

  /** The owner and every ancestor up to the apex exist (RFC 4592 2.2.2: empty non-terminals). */
  private addExistence(owner: string): void {
    for (let at: string | null = owner; at !== null && !this.names.has(at); at = parentName(at)) {
      this.names.add(at);
      if (at === this.origin) break;
    }
  }
}

function display(name: string): string {
  return name === '' ? '.' : `${name}.`;
}
