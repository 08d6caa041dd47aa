// CoreDNS `cache { prefetch }` from a Corefile, end to end: a name asked without pause is refreshed before each
// expiry, so it never misses, seen in coredns_cache_prefetch_total, coredns_cache_misses_total and the
// upstream's query count. Real time (the TTLs are 3 s); dig first, then quick raw UDP questions.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dig } from '../helpers/dig.js';
import { udpQuery } from '../helpers/raw-query.js';
import { RRType } from '../../src/wire/types.js';
import { startCli, type RunningCli } from '../helpers/spawn-cli.js';
import { TestUpstream, a } from '../helpers/upstream/test-upstream.js';

describe('clusterdns serve --conf: cache prefetch of a popular name', () => {
  const upstream = new TestUpstream();
  let cli: RunningCli;
  let dir: string;

  beforeAll(async () => {
    await upstream.start();
    upstream.answer('popular.example.com', a('popular.example.com', '192.0.2.80', 3));
    dir = mkdtempSync(join(tmpdir(), 'clusterdns-prefetch-'));
    const corefile = join(dir, 'Corefile');
    // MINTTL 1 so the 3 s TTL is kept as it is; prefetch after 1 hit once at most 50 % (rounded up: 2 s) is left.
    writeFileSync(
      corefile,
      `.:0 {\n  prometheus 127.0.0.1:0\n  forward . 127.0.0.1:${upstream.port}\n  cache 30 {\n    success 9984 30 1\n    prefetch 1 1m 50%\n  }\n}\n`,
    );
    cli = await startCli(['--conf', corefile]);
  });
  afterAll(async () => {
    await cli?.stop();
    await upstream.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function metric(name: string): Promise<number> {
    const address = String(cli.logs.find((entry) => entry.msg === 'http listening' && entry.endpoint === '/metrics')?.address);
    const body = await (await fetch(`http://${address}/metrics`)).text();
    const values = [...body.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)$`, 'gm'))].map((match) => Number(match[1]));
    return values.reduce((sum, value) => sum + value, 0);
  }

  it('refreshes the name before every expiry: in 4.5 s (beyond its first life of 3 s) one miss, each refresh one upstream query', async () => {
    expect((await dig(cli.port, 'popular.example.com')).answer).toEqual(['popular.example.com. 3 IN A 192.0.2.80']);
    const started = Date.now();
    while (Date.now() - started < 4500) {
      const reply = await udpQuery(cli.port, 'popular.example.com', RRType.A);
      expect(reply.answers.map((record) => record.data)).toEqual(['192.0.2.80']);
      await new Promise((resolve) => setTimeout(resolve, 100)); // a client asking ten times a second
    }
    const prefetches = await metric('coredns_cache_prefetch_total');
    expect(prefetches).toBeGreaterThanOrEqual(2); // at least once in each of the first two lives
    expect(await metric('coredns_cache_misses_total')).toBe(1); // only the very first question
    await upstream.waitForQueries('popular.example.com', 1 + prefetches); // the last refresh may still be on its way
    expect(upstream.count('popular.example.com')).toBe(1 + prefetches);
  });
});
