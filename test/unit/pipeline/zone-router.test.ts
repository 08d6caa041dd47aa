import { describe, expect, it } from 'vitest';
import type { DnsRequest, Handler, HandlerResult } from '../../../src/pipeline/handler.js';
import { ZoneRouter } from '../../../src/pipeline/zone-router.js';
import { parseQuery } from '../../../src/wire/query.js';
import { createMessage, encodeMessage } from '../../../src/wire/message.js';
import { RCode, RRClass, RRType } from '../../../src/wire/types.js';

function request(name: string): DnsRequest {
  const raw = encodeMessage(createMessage({ id: 1, questions: [{ name, type: RRType.A, class: RRClass.IN }] }));
  const parsed = parseQuery(raw);
  if (parsed.kind !== 'ok') throw new Error('query did not parse');
  return { raw, query: parsed.query, transport: 'udp', remoteAddress: '127.0.0.1', remotePort: 1 };
}

/** A block's chain that answers NXDOMAIN and records that it ran. */
function block(name: string, seen: string[]): Handler {
  return { name, handle: (): HandlerResult => (seen.push(name), { kind: 'error', rcode: RCode.NXDOMAIN }) };
}

describe('ZoneRouter', () => {
  it('sends each name to the block with the longest matching zone, the root block taking the rest', () => {
    const seen: string[] = [];
    const router = new ZoneRouter();
    router.swap([
      { zone: '', handler: block('root', seen) },
      { zone: 'example.test', handler: block('example', seen) },
      { zone: 'sub.example.test', handler: block('sub', seen) },
    ]);
    for (const name of ['a.sub.example.test', 'sub.example.test', 'a.example.test', 'xsub.example.test', 'example.org', '.']) router.handle(request(name));
    expect(seen).toEqual(['sub', 'sub', 'example', 'example', 'root', 'root']);
  });

  it('answers REFUSED for a name no block serves, and SERVFAIL before any configuration', () => {
    const router = new ZoneRouter();
    expect(router.handle(request('a.test'))).toMatchObject({ kind: 'error', rcode: RCode.SERVFAIL });
    router.swap([{ zone: 'cluster.local', handler: block('cluster', []) }]);
    expect(router.handle(request('cluster.local.evil.test'))).toMatchObject({ kind: 'error', rcode: RCode.REFUSED });
    expect(router.handle(request('notcluster.local'))).toMatchObject({ kind: 'error', rcode: RCode.REFUSED });
  });

  it('a swap sends later queries to the new routes', () => {
    const seen: string[] = [];
    const router = new ZoneRouter();
    router.swap([{ zone: '', handler: block('old', seen) }]);
    router.handle(request('a.test'));
    router.swap([{ zone: '', handler: block('new', seen) }]);
    router.handle(request('a.test'));
    expect(seen).toEqual(['old', 'new']);
  });
});
