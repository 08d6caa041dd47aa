// The forward handler answers the chain's internal requests (a CNAME target that leaves another handler's
// data) with records, from the upstream and then from the cache.
import { afterEach, describe, expect, it } from 'vitest';
import { ResponseCache } from '../../../src/cache/response-cache.js';
import { ForwardRouter } from '../../../src/forward/forward-router.js';
import { UpstreamPool } from '../../../src/forward/upstream-pool.js';
import { silentLogger } from '../../../src/log/logger.js';
import { Chain } from '../../../src/pipeline/chain.js';
import { ForwardHandler } from '../../../src/pipeline/forward-handler.js';
import type { Handler, HandlerResult } from '../../../src/pipeline/handler.js';
import { DnsServer } from '../../../src/server/dns-server.js';
import { HeaderFlag } from '../../../src/wire/header.js';
import { RCode, RRClass, RRType } from '../../../src/wire/types.js';
import { TestUpstream, a } from '../../helpers/upstream/test-upstream.js';
import { addresses, ask } from './client.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** An authoritative zone `zone.test` with one CNAME that points outside it (as a zone file or ExternalName). */
const zone: Handler = {
  name: 'file',
  handle(request): HandlerResult {
    if (request.query.qname !== 'alias.zone.test') return { kind: 'skip' };
    return {
      kind: 'records',
      rcode: RCode.NOERROR,
      flags: HeaderFlag.AA,
      sections: { answer: [{ name: 'alias.zone.test', type: RRType.CNAME, class: RRClass.IN, ttl: 60, data: 'www.example.com' }], authority: [], additional: [] },
      chase: 'www.example.com',
    };
  },
};

describe('CNAME targets resolved through forwarding', () => {
  it('appends the forwarded records of the target after the CNAME, then serves them from the cache', async () => {
    const upstream = new TestUpstream();
    await upstream.start();
    cleanups.push(() => upstream.close());
    upstream.answer('www.example.com', a('www.example.com', '192.0.2.50', 120));
    const pool = new UpstreamPool({ upstreams: [{ host: '127.0.0.1', port: upstream.port, family: 4 }] });
    const router = new ForwardRouter([{ domain: '', pool }]);
    cleanups.push(() => router.close());
    const cache = new ResponseCache();
    const server = new DnsServer({ host: '127.0.0.1', port: 0, logger: silentLogger(), handler: new Chain([zone, new ForwardHandler({ router, cache })]) });
    const { port } = await server.start();
    cleanups.push(() => server.close());

    for (let i = 0; i < 2; i++) {
      const reply = await ask(port, 'alias.zone.test');
      expect(reply.rcode).toBe(RCode.NOERROR);
      expect(reply.aa).toBe(true);
      expect(reply.answers.map((record) => record.type)).toEqual([RRType.CNAME, RRType.A]);
      expect(addresses(reply)).toEqual(['192.0.2.50']);
    }
    expect(upstream.count('www.example.com')).toBe(1);
    expect(cache.stats.successHits).toBe(1);
  });
});
