// Which forwarded replies are cached and for how long (CoreDNS plugin/cache, RFC 2308):
// - success (NOERROR with answers): the smallest TTL of the answer and authority records;
// - denial (NXDOMAIN, or NOERROR without answers = NODATA): min(SOA TTL, SOA MINIMUM) of the zone's SOA in
//   the authority section (RFC 2308 5); without that SOA nothing is cached (RFC 2308 5, "SHOULD NOT");
// - SERVFAIL: at most 5 s (RFC 2308 7.1);
// every lifetime raised to the configured minimum and then capped at the configured maximum (CoreDNS
// plugin/cache computeTTL: min(max(ttl, MINTTL), TTL)). Truncated replies and other rcodes are not cached.
import { RCode, RRType, type ResourceRecord, type SoaData } from '../wire/types.js';
import { withinBailiwick, type CacheableSections } from './bailiwick.js';

export type CacheEntryKind = 'success' | 'denial' | 'servfail';

/** RFC 2308 7.1: a server failure may be cached, for no longer than five minutes; CoreDNS keeps it 5 s. */
export const SERVFAIL_MAX_TTL = 5;

export interface CacheableReply {
  rcode: number;
  truncated: boolean;
  answer: ResourceRecord[];
  authority: ResourceRecord[];
  additional: ResourceRecord[];
}

export interface CacheDecision {
  kind: CacheEntryKind;
  /** Seconds the entry stays fresh (≥ 1). */
  ttl: number;
  /** The minimum that raised `ttl`, seconds (0 when none applies): the records are served with at least this TTL. */
  floorTtl: number;
  sections: CacheableSections;
}

/** How `reply` to `qname` (lowercase) is cached, or null when it is not. */
export function cacheDecision(qname: string, reply: CacheableReply, maxTtl: number, maxDenialTtl = maxTtl, minTtl = 0, minDenialTtl = 0): CacheDecision | null {
  if (reply.truncated) return null;
  if (reply.rcode === RCode.SERVFAIL) {
    const ttl = Math.min(SERVFAIL_MAX_TTL, maxDenialTtl);
    return ttl > 0 ? { kind: 'servfail', ttl, floorTtl: 0, sections: { answer: [], authority: [], additional: [] } } : null;
  }
  if (reply.rcode !== RCode.NOERROR && reply.rcode !== RCode.NXDOMAIN) return null;
  const sections = withinBailiwick(qname, reply);
  let recordTtl: number;
  let kind: CacheEntryKind;
  if (reply.rcode === RCode.NOERROR && reply.answer.length > 0) {
    if (sections.answer.length === 0) return null; // nothing it answered is about the question
    kind = 'success';
    recordTtl = maxTtl;
    for (const record of sections.answer) recordTtl = Math.min(recordTtl, record.ttl);
    for (const record of sections.authority) recordTtl = Math.min(recordTtl, record.ttl);
  } else {
    kind = 'denial';
    const soa = sections.authority.find((record) => record.type === RRType.SOA);
    if (!soa) return null;
    recordTtl = Math.min(soa.ttl, (soa.data as SoaData).minimum);
  }
  const [min, max] = kind === 'success' ? [minTtl, maxTtl] : [minDenialTtl, maxDenialTtl];
  const ttl = Math.min(Math.max(recordTtl, min), max);
  return ttl > 0 ? { kind, ttl, floorTtl: Math.min(min, ttl), sections } : null;
}
