// Records in RFC 1035 master-file presentation format (section 5.1), one line each.
// Used by tests (expected records are written as zone-file lines) and for logging.
import { RRType, RRClass, type CaaData, type MxData, type ResourceRecord, type SoaData, type SrvData } from './types.js';

const TYPE_NAMES = new Map<number, string>(Object.entries(RRType).map(([name, value]) => [value, name]));
const CLASS_NAMES = new Map<number, string>(Object.entries(RRClass).map(([name, value]) => [value, name]));

export function typeName(type: number): string {
  return TYPE_NAMES.get(type) ?? `TYPE${type}`; // RFC 3597 5
}

export function className(cls: number): string {
  return CLASS_NAMES.get(cls) ?? `CLASS${cls}`;
}

/** "a.b." for "a.b", "." for the root. */
export function absolute(name: string): string {
  return name === '' ? '.' : `${name}.`;
}

function quote(text: string): string {
  return `"${text.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

export function formatRdata(record: ResourceRecord): string {
  if (record.data instanceof Uint8Array) return unknownRdata(record.data);
  switch (record.type) {
    case RRType.A:
    case RRType.AAAA:
      return record.data as string;
    case RRType.NS:
    case RRType.CNAME:
    case RRType.PTR:
      return absolute(record.data as string);
    case RRType.TXT:
      return (record.data as string[]).map(quote).join(' ');
    case RRType.MX: {
      const mx = record.data as MxData;
      return `${mx.preference} ${absolute(mx.exchange)}`;
    }
    case RRType.CAA: {
      const caa = record.data as CaaData;
      return `${caa.flags} ${caa.tag} ${quote(caa.value)}`;
    }
    case RRType.SRV: {
      const srv = record.data as SrvData;
      return `${srv.priority} ${srv.weight} ${srv.port} ${absolute(srv.target)}`;
    }
    case RRType.SOA: {
      const soa = record.data as SoaData;
      return `${absolute(soa.mname)} ${absolute(soa.rname)} ${soa.serial} ${soa.refresh} ${soa.retry} ${soa.expire} ${soa.minimum}`;
    }
    default:
      return unknownRdata(record.data as unknown as Uint8Array);
  }
}

/** RFC 3597 5: \# length hex */
function unknownRdata(raw: Uint8Array): string {
  return `\\# ${raw.length} ${Buffer.from(raw).toString('hex')}`.trimEnd();
}

/** "hello.default.svc.cluster.local. 5 IN A 10.96.0.20" */
export function formatRecord(record: ResourceRecord): string {
  return `${absolute(record.name)} ${record.ttl} ${className(record.class)} ${typeName(record.type)} ${formatRdata(record)}`;
}
