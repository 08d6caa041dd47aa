import { describe, expect, it } from 'vitest';
import { cacheDecision, type CacheableReply } from '../../../src/cache/cache-rules.js';
import { withinBailiwick } from '../../../src/cache/bailiwick.js';
import { RCode, RRClass, RRType, type ResourceRecord } from '../../../src/wire/types.js';

const rr = (name: string, type: number, ttl: number, data: unknown): ResourceRecord => ({ name, type, class: RRClass.IN, ttl, data }) as ResourceRecord;
const soa = (zone: string, ttl: number, minimum: number) =>
  rr(zone, RRType.SOA, ttl, { mname: `ns.${zone}`, rname: `host.${zone}`, serial: 1, refresh: 1, retry: 1, expire: 1, minimum });
const reply = (rcode: number, answer: ResourceRecord[], authority: ResourceRecord[] = [], additional: ResourceRecord[] = []): CacheableReply => ({
  rcode,
  truncated: false,
  answer,
  authority,
  additional,
});

describe('cacheDecision', () => {
  it.each([
    ['success: the smallest TTL of answer and authority', reply(RCode.NOERROR, [rr('q.example', RRType.A, 20, '192.0.2.1')], [rr('q.example', RRType.NS, 8, 'ns.q.example')]), 'success', 8],
    ['success: capped at the maximum', reply(RCode.NOERROR, [rr('q.example', RRType.A, 3600, '192.0.2.1')]), 'success', 30],
    ['NXDOMAIN: the SOA minimum below its TTL', reply(RCode.NXDOMAIN, [], [soa('example', 300, 7)]), 'denial', 7],
    ['NXDOMAIN: the SOA TTL below its minimum', reply(RCode.NXDOMAIN, [], [soa('example', 4, 300)]), 'denial', 4],
    ['NODATA: capped at the maximum', reply(RCode.NOERROR, [], [soa('example', 3600, 3600)]), 'denial', 30],
    ['SERVFAIL: 5 s', reply(RCode.SERVFAIL, []), 'servfail', 5],
  ])('%s', (_what, input, kind, ttl) => {
    expect(cacheDecision('q.example', input, 30)).toMatchObject({ kind, ttl });
  });

  it.each([
    ['a negative answer without SOA (RFC 2308 5)', reply(RCode.NXDOMAIN, [])],
    ['a referral (NOERROR, NS only)', reply(RCode.NOERROR, [], [rr('example', RRType.NS, 60, 'ns.example')])],
    ['an answer only about other names', reply(RCode.NOERROR, [rr('other.example', RRType.A, 60, '192.0.2.1')])],
    ['REFUSED', reply(RCode.REFUSED, [])],
    ['a negative answer whose SOA belongs to an unrelated zone', reply(RCode.NXDOMAIN, [], [soa('evil.example.net', 60, 60)])],
  ])('caches nothing for %s', (_what, input) => {
    expect(cacheDecision('q.example', input, 30)).toBeNull();
  });
});

describe('cacheDecision with a MINTTL (CoreDNS success/denial N TTL MINTTL)', () => {
  const answer = (ttl: number) => reply(RCode.NOERROR, [rr('q.example', RRType.A, ttl, '192.0.2.1')]);
  it.each([
    ['a success below MINTTL is kept MINTTL', answer(2), 10, 'success', 10],
    ['a success with TTL 0 is kept MINTTL too', answer(0), 10, 'success', 10],
    ['a success above MINTTL keeps its TTL', answer(20), 10, 'success', 20],
    ['the maximum (30) wins over a larger MINTTL', answer(2), 60, 'success', 30],
    ['a denial below its MINTTL (7) is kept 7 s', reply(RCode.NXDOMAIN, [], [soa('example', 300, 1)]), 10, 'denial', 7],
  ])('%s', (_what, input, minTtl, kind, ttl) => {
    expect(cacheDecision('q.example', input, 30, 1800, minTtl, 7)).toMatchObject({ kind, ttl });
  });
});

describe('withinBailiwick', () => {
  it('keeps the question, names below it, the CNAME chain and the last zone’s SOA; drops the rest', () => {
    const kept = withinBailiwick('www.example.com', {
      answer: [
        rr('www.example.com', RRType.CNAME, 60, 'cdn.example.net'),
        rr('cdn.example.net', RRType.CNAME, 60, 'edge.cdn.example.org'),
        rr('edge.cdn.example.org', RRType.A, 60, '192.0.2.1'),
        rr('bank.example.com', RRType.A, 60, '6.6.6.6'),
      ],
      authority: [soa('cdn.example.org', 60, 60), soa('example.net', 60, 60), rr('example.com', RRType.NS, 60, 'ns.evil')],
      additional: [rr('sub.www.example.com', RRType.A, 60, '192.0.2.2'), rr('ns.evil', RRType.A, 60, '6.6.6.6')],
    });
    expect(kept.answer.map((record) => record.name)).toEqual(['www.example.com', 'cdn.example.net', 'edge.cdn.example.org']);
    expect(kept.authority.map((record) => record.name)).toEqual(['cdn.example.org']);
    expect(kept.additional.map((record) => record.name)).toEqual(['sub.www.example.com']);
  });

  it('compares owner names case-insensitively', () => {
    const kept = withinBailiwick('www.example.com', { answer: [rr('WWW.Example.COM', RRType.A, 60, '192.0.2.1')], authority: [], additional: [] });
    expect(kept.answer).toHaveLength(1);
  });
});
