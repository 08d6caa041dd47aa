import { ttlOffsets } from '../../../src/wire/compiled-answer.js';
import { describe, expect, it } from 'vitest';
import { ResponseCache, type StorableReply } from '../../../src/cache/response-cache.js';
import { HeaderFlag } from '../../../src/wire/header.js';
import { RCode, RRClass, RRType, type ResourceRecord } from '../../../src/wire/types.js';

const A = (name: string, ttl: number): ResourceRecord => ({ name, type: RRType.A, class: RRClass.IN, ttl, data: '192.0.2.1' });
const question = (qname: string, dnssecOk = false) => ({ qname, qtype: RRType.A, qclass: RRClass.IN, dnssecOk });
const reply = (answer: ResourceRecord[], extra: Partial<StorableReply> = {}): StorableReply => ({
  rcode: RCode.NOERROR,
  truncated: false,
  extraFlags: HeaderFlag.RA,
  answer,
  authority: [],
  additional: [],
  ...extra,
});

function clock() {
  let now = 0;
  return { now: () => now, set: (ms: number) => (now = ms) };
}

describe('ResponseCache', () => {
  it('hands out one compiled reply, whose TTL fields count down in place as the seconds pass', () => {
    const time = clock();
    const cache = new ResponseCache({ now: time.now });
    cache.store(question('a.example'), reply([A('a.example', 20), A('a.example', 50)]));
    const first = cache.lookup('a.example', RRType.A, RRClass.IN, false)!.result!;
    const ttls = () => ttlOffsets(first.answer).map((at) => first.answer.tail.readUInt32BE(at));
    const bytes = Buffer.from(first.answer.tail);
    expect(ttls()).toEqual([20, 20]); // capped at the entry's life, the smallest TTL
    time.set(999);
    expect(cache.lookup('a.example', RRType.A, RRClass.IN, false)!.result).toBe(first);
    expect(first.answer.tail.equals(bytes)).toBe(true);
    time.set(1000);
    expect(cache.lookup('a.example', RRType.A, RRClass.IN, false)!.result).toBe(first);
    expect(ttls()).toEqual([19, 19]);
    time.set(19_999);
    expect(cache.lookup('a.example', RRType.A, RRClass.IN, false)!.result).toBe(first);
    expect(ttls()).toEqual([1, 1]);
  });

  it('compiles cached replies without AA and with the upstream’s RA/AD bits', () => {
    const cache = new ResponseCache({ now: () => 0 });
    cache.store(question('a.example'), reply([A('a.example', 20)], { extraFlags: HeaderFlag.RA | HeaderFlag.AD }));
    const { answer } = cache.lookup('a.example', RRType.A, RRClass.IN, false)!.result!;
    expect(answer.authoritative).toBe(false);
    expect(answer.extraFlags).toBe(HeaderFlag.RA | HeaderFlag.AD);
  });

  it('counts misses, success and denial hits by kind', () => {
    const cache = new ResponseCache({ now: () => 0 });
    cache.lookup('a.example', RRType.A, RRClass.IN, false);
    cache.store(question('a.example'), reply([A('a.example', 20)]));
    cache.store(question('b.example'), reply([], { rcode: RCode.SERVFAIL }));
    cache.lookup('a.example', RRType.A, RRClass.IN, false);
    cache.lookup('b.example', RRType.A, RRClass.IN, false);
    cache.lookup('a.example', RRType.A, RRClass.IN, true); // another DO bit: a miss
    expect(cache.stats).toMatchObject({ misses: 2, successHits: 1, denialHits: 1 });
  });

  it('does not cache truncated replies, REFUSED, or a zero TTL', () => {
    const cache = new ResponseCache({ now: () => 0 });
    expect(cache.store(question('t.example'), reply([A('t.example', 20)], { truncated: true }))).toBeNull();
    expect(cache.store(question('r.example'), reply([], { rcode: RCode.REFUSED }))).toBeNull();
    expect(cache.store(question('z.example'), reply([A('z.example', 0)]))).toBeNull();
    expect(cache.size).toBe(0);
  });

  it('drops an entry once past its stale window, and keeps it for serve-stale until then', () => {
    const time = clock();
    const cache = new ResponseCache({ now: time.now, serveStaleMs: 10_000 });
    cache.store(question('s.example'), reply([A('s.example', 5)]));
    time.set(5000);
    expect(cache.lookup('s.example', RRType.A, RRClass.IN, false)).toBeUndefined();
    expect(cache.has('s.example', RRType.A, RRClass.IN, false)).toBe(true);
    const stale = cache.stale('s.example', RRType.A, RRClass.IN, false)!;
    expect(cache.records(stale).answer[0].ttl).toBe(0);
    expect(cache.stats.servedStale).toBe(1);
    time.set(15_000);
    expect(cache.stale('s.example', RRType.A, RRClass.IN, false)).toBeNull();
    cache.lookup('s.example', RRType.A, RRClass.IN, false);
    expect(cache.has('s.example', RRType.A, RRClass.IN, false)).toBe(false);
  });

  it('gives internal requests the records with TTLs counted down', () => {
    const time = clock();
    const cache = new ResponseCache({ now: time.now, maxTtl: 30 });
    cache.store(question('c.example'), reply([A('c.example', 300)]));
    time.set(4500);
    const entry = cache.lookup('c.example', RRType.A, RRClass.IN, false)!;
    expect(cache.records(entry).answer.map((record) => record.ttl)).toEqual([26]);
  });

  it('caps denials at maxDenialTtl and successes at maxTtl (CoreDNS cache { success N TTL; denial N TTL })', () => {
    const time = clock();
    const cache = new ResponseCache({ now: time.now, maxTtl: 60, maxDenialTtl: 5 });
    const soa: ResourceRecord = { name: 'example', type: RRType.SOA, class: RRClass.IN, ttl: 300, data: { mname: 'ns.example', rname: 'h.example', serial: 1, refresh: 1, retry: 1, expire: 1, minimum: 300 } };
    expect(cache.store(question('gone.example'), reply([], { rcode: RCode.NXDOMAIN, authority: [soa] }))?.ttl).toBe(5);
    expect(cache.store(question('here.example'), reply([A('here.example', 300)]))?.ttl).toBe(60);
    time.set(6000);
    expect(cache.lookup('gone.example', RRType.A, RRClass.IN, false)).toBeUndefined();
    expect(cache.lookup('here.example', RRType.A, RRClass.IN, false)).toBeDefined();
  });
});

describe('ResponseCache eviction', () => {
  it('evicts the least recently used entry past maxEntries, a hit counting as a use, and forgets its name', () => {
    const cache = new ResponseCache({ maxEntries: 2, now: () => 0 });
    cache.store(question('a.example'), reply([A('a.example', 20)]));
    cache.store(question('b.example'), reply([A('b.example', 20)]));
    expect(cache.lookup('a.example', RRType.A, RRClass.IN, false)).toBeDefined(); // b is now the oldest
    cache.store(question('c.example'), reply([A('c.example', 20)]));
    expect(cache.size).toBe(2);
    expect(cache.has('b.example', RRType.A, RRClass.IN, false)).toBe(false);
    expect(cache.has('a.example', RRType.A, RRClass.IN, false)).toBe(true);
    expect(cache.has('c.example', RRType.A, RRClass.IN, false)).toBe(true);
    // Replacing an entry does not count twice towards the limit.
    cache.store(question('c.example'), reply([A('c.example', 10)]));
    expect(cache.size).toBe(2);
    expect(cache.has('a.example', RRType.A, RRClass.IN, false)).toBe(true);
  });
});
