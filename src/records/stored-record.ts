// One record as the record index keeps it (docs/architecture.md "The record index"): the owner name and,
// for records with the index's TTL and class IN, the TTL and class are implied, so most records cost no
// object of their own. ResourceRecord objects are made again on lookup (expandRecord).
import { parseIPv4Into } from '../wire/ip-address.js';
import { formatRdata } from '../wire/presentation.js';
import { RRClass, RRType, type ResourceRecord, type SrvData } from '../wire/types.js';
import { sameRdata } from './same-record.js';

/**
 * SRV RDATA (RFC 2782) with priority 0 (as every SRV of the Kubernetes DNS spec), the index's TTL and class
 * IN; weight and port packed as `weight << 16 | port`, a small integer to V8.
 */
export class CompactSrv {
  constructor(
    readonly weightPort: number,
    readonly target: string,
  ) {}
}

/** Any other RDATA with the index's TTL and class IN (AAAA, CNAME, NS, TXT, SOA, …). */
export class CompactRdata {
  constructor(
    readonly type: number,
    readonly data: unknown,
  ) {}
}

/**
 * - number: an A record, the IPv4 address as a 32-bit integer (a small integer to V8: no heap object);
 * - string: a PTR record, its target name;
 * - CompactSrv / CompactRdata: SRV and other types;
 * - a ResourceRecord: one whose TTL or class differs from the index's (the schema-version TXT), kept whole.
 */
export type StoredRecord = number | string | CompactSrv | CompactRdata | ResourceRecord;

const scratch = new Uint8Array(4);

/** The dotted quad as an int32, or null when `text` is not one in canonical form (no leading zeros). */
export function ipv4ToInt(text: string): number | null {
  if (!parseIPv4Into(text, scratch, 0)) return null;
  return (scratch[0] << 24) | (scratch[1] << 16) | (scratch[2] << 8) | scratch[3];
}

/** "0" … "255": an address is made again on every lookup, and four table reads beat four number formats. */
const OCTETS: readonly string[] = Array.from({ length: 256 }, (_, octet) => String(octet));

export function intToIpv4(n: number): string {
  return OCTETS[n >>> 24] + '.' + OCTETS[(n >>> 16) & 255] + '.' + OCTETS[(n >>> 8) & 255] + '.' + OCTETS[n & 255];
}

const isU16 = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 0xffff;

/** The stored form of a normalized record (names lowercase, no trailing dot). */
export function compactRecord(record: ResourceRecord, ttl: number): StoredRecord {
  if (record.class !== RRClass.IN || record.ttl !== ttl) return record;
  switch (record.type) {
    case RRType.A: {
      const n = typeof record.data === 'string' ? ipv4ToInt(record.data) : null;
      if (n !== null) return n;
      break;
    }
    case RRType.PTR:
      if (typeof record.data === 'string') return record.data;
      break;
    case RRType.SRV: {
      const srv = record.data as SrvData;
      if (srv.priority === 0 && isU16(srv.weight) && isU16(srv.port) && typeof srv.target === 'string') {
        return new CompactSrv((srv.weight << 16) | srv.port, srv.target);
      }
      break;
    }
  }
  return new CompactRdata(record.type, record.data);
}

/** A new record object for `stored` at `name` (RDATA objects of other types are shared). */
export function expandRecord(name: string, stored: StoredRecord, ttl: number): ResourceRecord {
  if (typeof stored === 'number') return { name, type: RRType.A, class: RRClass.IN, ttl, data: intToIpv4(stored) };
  if (typeof stored === 'string') return { name, type: RRType.PTR, class: RRClass.IN, ttl, data: stored };
  if (stored instanceof CompactSrv) {
    const wp = stored.weightPort;
    const data: SrvData = { priority: 0, weight: wp >>> 16, port: wp & 0xffff, target: stored.target };
    return { name, type: RRType.SRV, class: RRClass.IN, ttl, data };
  }
  if (stored instanceof CompactRdata) return { name, type: stored.type, class: RRClass.IN, ttl, data: stored.data } as ResourceRecord;
  return { ...stored }; // a copy, as for the others: the caller may set its TTL
}

export function typeOf(stored: StoredRecord): number {
  if (typeof stored === 'number') return RRType.A;
  if (typeof stored === 'string') return RRType.PTR;
  if (stored instanceof CompactSrv) return RRType.SRV;
  return stored.type;
}

/** The TTL `stored` is served with in an index whose TTL is `ttl`. */
export function ttlOf(stored: StoredRecord, ttl: number): number {
  return isWhole(stored) ? stored.ttl : ttl;
}

function isWhole(stored: StoredRecord): stored is ResourceRecord {
  return typeof stored === 'object' && !(stored instanceof CompactSrv) && !(stored instanceof CompactRdata);
}

/** The same RR at one name: type, class and RDATA match (RFC 2181 5: the TTL is not part of an RR's identity). */
export function sameStored(a: StoredRecord, b: StoredRecord): boolean {
  if (a === b) return true;
  // A record kept whole may equal a compact one with another TTL: compare them as records (rare).
  if (isWhole(a) || isWhole(b)) return sameTypeAndRdata(a, b);
  if (a instanceof CompactSrv && b instanceof CompactSrv) {
    return a.weightPort === b.weightPort && a.target === b.target;
  }
  if (a instanceof CompactRdata && b instanceof CompactRdata) {
    return a.type === b.type && sameTypeAndRdata(a, b);
  }
  return false; // numbers and strings equal only themselves; different kinds are different types
}

/** Type, class and RDATA equal (the owner name is the same by construction: both are at one name). */
function sameTypeAndRdata(a: StoredRecord, b: StoredRecord): boolean {
  const x = expandRecord('', a, 0);
  const y = expandRecord('', b, 0);
  return x.type === y.type && x.class === y.class && sameRdata(x, y);
}

/**
 * What identifies `stored` among the records at one name, for the large-name maps and the shared-record
 * counts: the address itself for an A record, else type, class and RDATA text (as sameStored compares).
 */
export function storedKey(stored: StoredRecord): number | string {
  if (typeof stored === 'number') return stored;
  if (typeof stored === 'string') return `${RRType.PTR} ${RRClass.IN} ${stored}`;
  // No record is made for the SRV sets of a big headless Service, whose keys are built on every update.
  if (stored instanceof CompactSrv) return srvKey(RRClass.IN, 0, stored.weightPort >>> 16, stored.weightPort & 0xffff, stored.target);
  const record = expandRecord('', stored, 0);
  if (record.type === RRType.A && record.class === RRClass.IN && typeof record.data === 'string') {
    const n = ipv4ToInt(record.data);
    if (n !== null) return n;
  }
  if (record.type === RRType.SRV) {
    const srv = record.data as SrvData;
    return srvKey(record.class, srv.priority, srv.weight, srv.port, srv.target);
  }
  return typeof record.data === 'string'
    ? `${record.type} ${record.class} ${record.data}`
    : `${record.type} ${record.class} ${formatRdata(record)}`;
}

function srvKey(rrClass: number, priority: number, weight: number, port: number, target: string): string {
  return `${RRType.SRV} ${rrClass} ${priority} ${weight} ${port} ${target}`;
}
