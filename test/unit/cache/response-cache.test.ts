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

describe('ResponseCache prefetch points', () => {
  it('refreshes entries stored in the same instant at points spread over the second half of the prefetch window, not in one wave', () => {
    const time = clock();
    // A fixed sequence standing in for Math.random: 200 points across [0, 1).
    let draw = 0;
    const cache = new ResponseCache({ now: time.now, maxTtl: 30, prefetchHits: 1, random: () => ((draw++ * 0.618034) % 1) });
    const prefetched: string[] = [];
    cache.onPrefetch = (entry) => prefetched.push(entry.question.qname);
    const names = Array.from({ length: 200 }, (_, i) => `n${i}.example`);
    for (const name of names) cache.store(question(name), reply([A(name, 300)]));
    // 30 s lives, 10 %: CoreDNS prefetches once 3 s are left; here each entry between 3 s and 1.5 s left.
    const askAll = (ms: number) => {
      time.set(ms);
      for (const name of names) cache.lookup(name, RRType.A, RRClass.IN, false);
    };
    askAll(26_999);
    expect(prefetched).toEqual([]); // no entry before its window
    const waves: number[] = [];
    for (let at = 27_000; at <= 28_500; at += 250) {
      const before = prefetched.length;
      askAll(at);
      waves.push(prefetched.length - before);
    }
    expect(new Set(prefetched).size).toBe(200); // every entry once, by 1.5 s left
    // Spread over the window's second half: no quarter-second step takes more than about a sixth of them.
    expect(Math.max(...waves)).toBeLessThanOrEqual(40);
    expect(waves.filter((n) => n > 0).length).toBeGreaterThanOrEqual(6);
  });

  it('with the random source at 0 prefetches exactly as CoreDNS does: once at most ceil(PERCENTAGE of the life) is left', () => {
    const time = clock();
    const cache = new ResponseCache({ now: time.now, maxTtl: 10, prefetchHits: 1, random: () => 0 });
    const prefetched: string[] = [];
    cache.onPrefetch = (entry) => prefetched.push(entry.question.qname);
    cache.store(question('a.example'), reply([A('a.example', 300)]));
    time.set(8_999);
    cache.lookup('a.example', RRType.A, RRClass.IN, false);
    expect(prefetched).toEqual([]);
    time.set(9_000); // 1 s left = ceil(10 % of 10 s)
    cache.lookup('a.example', RRType.A, RRClass.IN, false);
    expect(prefetched).toEqual(['a.example']);
  });
});
