// Record identity (RFC 2181 5: owner, type, class and RDATA; the TTL is not part of an RR's identity).
import { formatRdata } from '../wire/presentation.js';
import { RRType, type ResourceRecord, type SoaData, type SrvData } from '../wire/types.js';

/** The same RR: owner, type, class and RDATA match. */
export function sameRR(a: ResourceRecord, b: ResourceRecord): boolean {
  return a.type === b.type && a.class === b.class && a.name === b.name && sameRdata(a, b);
}

/** RDATA equality for two records of one type, field by field (no string building on the update path). */
export function sameRdata(a: ResourceRecord, b: ResourceRecord): boolean {
  const x: unknown = a.data;
  const y: unknown = b.data;
  if (x === y) return true;
  if (typeof x === 'string' || typeof y === 'string') return false;
  if (x instanceof Uint8Array && y instanceof Uint8Array) return Buffer.compare(x, y) === 0;
  if (Array.isArray(x) && Array.isArray(y)) return x.length === y.length && x.every((s, i) => s === y[i]);
  if (a.type === RRType.SRV) {
    const p = x as SrvData;
    const q = y as SrvData;
    return p.port === q.port && p.target === q.target && p.priority === q.priority && p.weight === q.weight;
  }
  if (a.type === RRType.SOA) {
    const p = x as SoaData;
    const q = y as SoaData;
    return (
      p.serial === q.serial && p.mname === q.mname && p.rname === q.rname && p.refresh === q.refresh &&
      p.retry === q.retry && p.expire === q.expire && p.minimum === q.minimum
    );
  }
  return formatRdata(a) === formatRdata(b);
}
