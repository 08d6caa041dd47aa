import { afterEach, describe, expect, it } from 'vitest';
import { RCode, RRClass, RRType } from '../../../src/wire/types.js';
import { TestUpstream, TEST_SOA, a } from '../../helpers/upstream/test-upstream.js';
import { addresses, ask } from './client.js';
import { startForwarder, type Forwarder, type ForwarderOptions } from './forwarder.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A clock the test moves by hand, in ms. */
function manualClock() {
  let now = 1_000_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

async function setup(cache: Exclude<ForwarderOptions['cache'], false> = {}, pool: ForwarderOptions['pool'] = {}) {
  const up = new TestUpstream();
  await up.start();
  cleanups.push(() => up.close());
  const clock = manualClock();
  // random 0: prefetch exactly at CoreDNS's point, as these timings assume (the spread has its own unit test).
  const fwd: Forwarder = await startForwarder({ routes: { '': [up.port] }, cache: { now: clock.now, random: () => 0, ...cache }, pool });
  cleanups.push(() => fwd.close());
  return { up, fwd, clock, cache: fwd.cache! };
}

describe('the response cache', () => {
  it('answers a repeated question from the cache without asking the upstream again', async () => {
    const { up, fwd, cache } = await setup();
    up.answer('cached.example.com', a('cached.example.com', '192.0.2.20', 300));
    expect(addresses(await ask(fwd.port, 'cached.example.com'))).toEqual(['192.0.2.20']);
    expect(addresses(await ask(fwd.port, 'CACHED.example.com'))).toEqual(['192.0.2.20']);
    expect(up.count('cached.example.com')).toBe(1);
    expect(cache.stats).toMatchObject({ misses: 1, successHits: 1 });
    expect(cache.size).toBe(1);
  });

  it('caps the lifetime at the cache TTL and counts the served TTLs down', async () => {
    const { up, fwd, clock } = await setup({ maxTtl: 30 });
    up.answer('ttl.example.com', a('ttl.example.com', '192.0.2.21', 300));
    expect((await ask(fwd.port, 'ttl.example.com')).answers[0].ttl).toBe(300); // the relay is as received
    expect((await ask(fwd.port, 'ttl.example.com')).answers[0].ttl).toBe(30);
    clock.advance(1500);
    expect((await ask(fwd.port, 'ttl.example.com')).answers[0].ttl).toBe(29);
    clock.advance(27_600); // 29.1 s after storing
    expect((await ask(fwd.port, 'ttl.example.com')).answers[0].ttl).toBe(1);
    clock.advance(900); // 30 s: expired
    await ask(fwd.port, 'ttl.example.com');
    expect(up.count('ttl.example.com')).toBe(2);
  });

  it('caches NXDOMAIN for the SOA minimum when it is below the SOA TTL (RFC 2308 5)', async () => {
    const { up, fwd, clock } = await setup();
    up.answer('gone.example.com', { kind: 'nxdomain', soa: TEST_SOA('example.com', 300, 7) });
    await ask(fwd.port, 'gone.example.com');
    clock.advance(6900);
    const cached = await ask(fwd.port, 'gone.example.com');
    expect(cached.rcode).toBe(RCode.NXDOMAIN);
    expect(cached.authorities.map((record) => [record.type, record.ttl])).toEqual([[RRType.SOA, 1]]);
    expect(up.count('gone.example.com')).toBe(1);
    clock.advance(100);
    await ask(fwd.port, 'gone.example.com');
    expect(up.count('gone.example.com')).toBe(2);
  });

  it('caches NODATA for one type only, for the SOA TTL when it is below the minimum', async () => {
    const { up, fwd, clock, cache } = await setup();
    up.answer('v4only.example.com/28', { kind: 'nodata', soa: TEST_SOA('example.com', 4, 3600) });
    up.answer('v4only.example.com/1', a('v4only.example.com', '192.0.2.22'));
    expect((await ask(fwd.port, 'v4only.example.com', { type: RRType.AAAA })).answers).toEqual([]);
    expect(addresses(await ask(fwd.port, 'v4only.example.com'))).toEqual(['192.0.2.22']);
    clock.advance(3900);
    await ask(fwd.port, 'v4only.example.com', { type: RRType.AAAA });
    expect(cache.stats.denialHits).toBe(1);
    clock.advance(100);
    await ask(fwd.port, 'v4only.example.com', { type: RRType.AAAA });
    expect(up.count('v4only.example.com')).toBe(3);
  });

  it('caches an upstream SERVFAIL for 5 s at most (RFC 2308 7.1)', async () => {
    const { up, fwd, clock } = await setup({ maxTtl: 300 });
    up.answer('broken.example.com', { kind: 'records', rcode: RCode.SERVFAIL });
    expect((await ask(fwd.port, 'broken.example.com')).rcode).toBe(RCode.SERVFAIL);
    clock.advance(4900);
    expect((await ask(fwd.port, 'broken.example.com')).rcode).toBe(RCode.SERVFAIL);
    expect(up.count('broken.example.com')).toBe(1);
    clock.advance(100);
    await ask(fwd.port, 'broken.example.com');
    expect(up.count('broken.example.com')).toBe(2);
  });

  it('evicts the least recently used entry at capacity', async () => {
    const { up, fwd, cache } = await setup({ maxEntries: 2 });
    for (const name of ['one', 'two', 'three']) up.answer(`${name}.example.com`, a(`${name}.example.com`, '192.0.2.23'));
    await ask(fwd.port, 'one.example.com');
    await ask(fwd.port, 'two.example.com');
    await ask(fwd.port, 'one.example.com'); // one is now the most recently used
    await ask(fwd.port, 'three.example.com'); // evicts two
    expect(cache.size).toBe(2);
    await ask(fwd.port, 'one.example.com');
    await ask(fwd.port, 'two.example.com');
    expect([up.count('one.example.com'), up.count('two.example.com'), up.count('three.example.com')]).toEqual([1, 2, 1]);
  });

  it('keeps answers for DNSSEC-aware (DO) and plain clients apart', async () => {
    const { up, fwd } = await setup();
    up.answer('signed.example.com', a('signed.example.com', '192.0.2.24'));
    await ask(fwd.port, 'signed.example.com', { dnssecOk: true });
    await ask(fwd.port, 'signed.example.com');
    await ask(fwd.port, 'signed.example.com', { dnssecOk: true });
    await ask(fwd.port, 'signed.example.com', { udpSize: 1232 });
    expect(up.received.map((query) => query.message.edns?.dnssecOk)).toEqual([true, false]);
  });

  it('never serves records outside the question’s bailiwick from the cache, for it or for another name', async () => {
    const { up, fwd } = await setup();
    up.answer('www.example.com', {
      kind: 'records',
      answer: [a('www.example.com', '192.0.2.25')],
      authority: [{ name: 'example.com', type: RRType.NS, class: RRClass.IN, ttl: 3600, data: 'ns.evil.example.net' }],
      additional: [a('ns.evil.example.net', '6.6.6.6', 86400), a('www.example.com', '192.0.2.25')],
    });
    const first = await ask(fwd.port, 'www.example.com');
    expect(first.additionals.map((record) => record.data)).toContain('6.6.6.6'); // relayed as received
    const cached = await ask(fwd.port, 'www.example.com');
    expect(cached.authorities).toEqual([]);
    expect(cached.additionals.map((record) => record.data)).toEqual(['192.0.2.25']);
    const other = await ask(fwd.port, 'ns.evil.example.net');
    expect(other.rcode).toBe(RCode.NXDOMAIN); // asked upstream, not answered from the poisoned glue
    expect(up.count('ns.evil.example.net')).toBe(1);
  });

  it('keeps the CNAME chain and the target zone’s SOA of a negative answer', async () => {
    const { up, fwd } = await setup();
    up.answer('alias.example.com', {
      kind: 'records',
      rcode: RCode.NXDOMAIN,
      answer: [{ name: 'alias.example.com', type: RRType.CNAME, class: RRClass.IN, ttl: 60, data: 'missing.example.org' }],
      authority: [TEST_SOA('example.org', 60, 30)],
    });
    await ask(fwd.port, 'alias.example.com');
    const cached = await ask(fwd.port, 'alias.example.com');
    expect(cached.rcode).toBe(RCode.NXDOMAIN);
    expect(cached.answers.map((record) => String(record.data).toLowerCase())).toEqual(['missing.example.org']);
    expect(cached.authorities.map((record) => record.name.toLowerCase())).toEqual(['example.org']);
    expect(up.count('alias.example.com')).toBe(1);
  });
});

describe('prefetch', () => {
  it('refreshes a popular entry in the background when less than 10 % of its TTL is left', async () => {
    const { up, fwd, clock, cache } = await setup({ prefetchHits: 3, maxTtl: 10 });
    up.answer('popular.example.com', a('popular.example.com', '192.0.2.30', 10));
    await ask(fwd.port, 'popular.example.com');
    await ask(fwd.port, 'popular.example.com');
    await ask(fwd.port, 'popular.example.com');
    clock.advance(9500);
    up.answer('popular.example.com', a('popular.example.com', '192.0.2.31', 10));
    expect(addresses(await ask(fwd.port, 'popular.example.com'))).toEqual(['192.0.2.30']); // served, and triggers the refresh
    await up.waitForQueries('popular.example.com', 2);
    expect(cache.stats.prefetches).toBe(1);
    clock.advance(1000); // past the first entry's life: the refreshed one answers
    await expect.poll(async () => addresses(await ask(fwd.port, 'popular.example.com'))).toEqual(['192.0.2.31']);
    expect(up.count('popular.example.com')).toBe(2);
  });

  it('keeps the entry when the prefetch gets SERVFAIL', async () => {
    const { up, fwd, clock, cache } = await setup({ prefetchHits: 2, maxTtl: 10 });
    up.answer('shaky.example.com', a('shaky.example.com', '192.0.2.33', 10));
    await ask(fwd.port, 'shaky.example.com');
    await ask(fwd.port, 'shaky.example.com');
    up.answer('shaky.example.com', { kind: 'records', rcode: RCode.SERVFAIL });
    clock.advance(9500);
    await ask(fwd.port, 'shaky.example.com'); // triggers the prefetch
    await up.waitForQueries('shaky.example.com', 2);
    await expect.poll(() => fwd.pool().inFlight).toBe(0); // the SERVFAIL has been handled
    expect(cache.stats.prefetches).toBe(1);
    expect(addresses(await ask(fwd.port, 'shaky.example.com'))).toEqual(['192.0.2.33']);
  });

  it('does not prefetch an entry asked fewer times than the threshold', async () => {
    const { up, fwd, clock, cache } = await setup({ prefetchHits: 3, maxTtl: 10 });
    up.answer('rare.example.com', a('rare.example.com', '192.0.2.32', 10));
    await ask(fwd.port, 'rare.example.com');
    clock.advance(9500);
    await ask(fwd.port, 'rare.example.com');
    expect(cache.stats.prefetches).toBe(0);
    expect(up.count('rare.example.com')).toBe(1);
  });
});

describe('prefetch of popular names (CoreDNS prefetch AMOUNT DURATION PERCENTAGE%)', () => {
  it('refreshes a popular name life after life: the refreshed entry keeps its hit count, so it never expires', async () => {
    const { up, fwd, clock, cache } = await setup({ prefetchHits: 3, maxTtl: 10 });
    up.answer('hot.example.com', a('hot.example.com', '192.0.2.50', 10));
    for (let i = 0; i < 3; i++) await ask(fwd.port, 'hot.example.com'); // a miss, then 2 hits
    clock.advance(9000); // 1 s left = ceil(10 % of 10 s)
    await ask(fwd.port, 'hot.example.com'); // hit 3: the first refresh
    await up.waitForQueries('hot.example.com', 2);
    await expect.poll(() => fwd.pool().inFlight).toBe(0);
    clock.advance(9000); // the refreshed entry has 1 s left; one more hit is enough (the count carried over)
    await ask(fwd.port, 'hot.example.com');
    await up.waitForQueries('hot.example.com', 3);
    await expect.poll(() => fwd.pool().inFlight).toBe(0);
    expect(cache.stats.prefetches).toBe(2);
    clock.advance(5000); // past the second entry's life: the third answers from the cache
    const missesBefore = cache.stats.misses;
    expect(addresses(await ask(fwd.port, 'hot.example.com'))).toEqual(['192.0.2.50']);
    expect(cache.stats.misses).toBe(missesBefore);
    expect(up.count('hot.example.com')).toBe(3); // only the prefetches went upstream
  });

  it('counts hits within DURATION only: hits further apart start the count over, and no prefetch happens', async () => {
    const { up, fwd, clock, cache } = await setup({ prefetchHits: 3, prefetchWindowMs: 1000, maxTtl: 10 });
    up.answer('spread.example.com', a('spread.example.com', '192.0.2.51', 10));
    await ask(fwd.port, 'spread.example.com'); // stored
    for (let i = 0; i < 3; i++) {
      clock.advance(3000); // 3 hits, each more than 1 s after the last
      await ask(fwd.port, 'spread.example.com');
    }
    expect(cache.stats.prefetches).toBe(0);
    expect(up.count('spread.example.com')).toBe(1);
  });

  it('prefetches once the same hits fall within DURATION', async () => {
    const { up, fwd, clock, cache } = await setup({ prefetchHits: 3, prefetchWindowMs: 5000, maxTtl: 10 });
    up.answer('close.example.com', a('close.example.com', '192.0.2.52', 10));
    await ask(fwd.port, 'close.example.com');
    for (let i = 0; i < 3; i++) {
      clock.advance(3000);
      await ask(fwd.port, 'close.example.com'); // the third hit, at 9 s, has 1 s left
    }
    await up.waitForQueries('close.example.com', 2);
    expect(cache.stats.prefetches).toBe(1);
  });
});

describe('MINTTL (CoreDNS success/denial N TTL MINTTL)', () => {
  it('keeps a success whose record TTL is below MINTTL for MINTTL, serving its TTL counted down from MINTTL', async () => {
    const { up, fwd, clock } = await setup({ minTtl: 10 });
    up.answer('short.example.com', a('short.example.com', '192.0.2.60', 2));
    await ask(fwd.port, 'short.example.com');
    clock.advance(5000); // past the record's own 2 s
    const cached = await ask(fwd.port, 'short.example.com');
    expect(cached.answers.map((record) => record.ttl)).toEqual([5]);
    expect(up.count('short.example.com')).toBe(1);
    clock.advance(5000); // 10 s: expired
    await ask(fwd.port, 'short.example.com');
    expect(up.count('short.example.com')).toBe(2);
  });

  it('keeps a denial whose SOA says less than the denial MINTTL for that MINTTL', async () => {
    const { up, fwd, clock } = await setup({ minDenialTtl: 8 });
    up.answer('brief.example.com', { kind: 'nxdomain', soa: TEST_SOA('example.com', 300, 1) });
    await ask(fwd.port, 'brief.example.com');
    clock.advance(6000);
    expect((await ask(fwd.port, 'brief.example.com')).rcode).toBe(RCode.NXDOMAIN);
    expect(up.count('brief.example.com')).toBe(1);
  });
});

describe('serve-stale (RFC 8767)', () => {
  it('serves an expired entry with TTL 30 when every upstream fails, and SERVFAIL past the stale window', async () => {
    const { up, fwd, clock, cache } = await setup({ serveStaleMs: 60_000 }, { timeoutMs: 150 });
    up.answer('stale.example.com', a('stale.example.com', '192.0.2.40', 20));
    await ask(fwd.port, 'stale.example.com');
    up.answer('stale.example.com', { kind: 'drop' });
    clock.advance(40_000);
    const stale = await ask(fwd.port, 'stale.example.com');
    expect(addresses(stale)).toEqual(['192.0.2.40']);
    expect(stale.answers[0].ttl).toBe(30);
    expect(cache.stats.servedStale).toBe(1);
    clock.advance(45_000); // 65 s past expiry
    expect((await ask(fwd.port, 'stale.example.com')).rcode).toBe(RCode.SERVFAIL);
  });

  it('serves stale when the upstream answers SERVFAIL', async () => {
    const { up, fwd, clock } = await setup({ serveStaleMs: 60_000 });
    up.answer('flaky.example.com', a('flaky.example.com', '192.0.2.41', 20));
    await ask(fwd.port, 'flaky.example.com');
    up.answer('flaky.example.com', { kind: 'records', rcode: RCode.SERVFAIL });
    clock.advance(25_000);
    expect(addresses(await ask(fwd.port, 'flaky.example.com'))).toEqual(['192.0.2.41']);
  });

  it('is off by default: an expired entry is not served', async () => {
    const { up, fwd, clock } = await setup({}, { timeoutMs: 150 });
    up.answer('fresh.example.com', a('fresh.example.com', '192.0.2.42', 20));
    await ask(fwd.port, 'fresh.example.com');
    up.answer('fresh.example.com', { kind: 'drop' });
    clock.advance(25_000);
    expect((await ask(fwd.port, 'fresh.example.com')).rcode).toBe(RCode.SERVFAIL);
  });
});
