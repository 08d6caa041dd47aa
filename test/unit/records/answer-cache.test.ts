import { describe, expect, it } from 'vitest';
import { AnswerCache } from '../../../src/records/answer-cache.js';
import { RecordIndex } from '../../../src/records/record-index.js';
import type { CompiledAnswer } from '../../../src/wire/compiled-answer.js';
import { createMessage, decodeMessage, encodeMessage } from '../../../src/wire/message.js';
import { formatRecord } from '../../../src/wire/presentation.js';
import { parseQuery } from '../../../src/wire/query.js';
import { buildReply } from '../../../src/wire/reply.js';
import { RCode, RRClass, RRType, type ResourceRecord } from '../../../src/wire/types.js';

const rr = (name: string, type: number, data: unknown) => ({ name, type, class: RRClass.IN, ttl: 5, data }) as ResourceRecord;

/** Replays a compiled answer the way the server does and decodes it with our codec. */
function reply(qname: string, qtype: number, compiled: CompiledAnswer) {
  const raw = encodeMessage(createMessage({ id: 1, questions: [{ name: qname, type: qtype, class: RRClass.IN }] }));
  const parsed = parseQuery(raw);
  if (parsed.kind !== 'ok') throw new Error('query did not parse');
  const message = decodeMessage(buildReply(raw, parsed.query, compiled, 512));
  return { rcode: message.rcode, aa: message.aa, answer: message.answers.map(formatRecord), additional: message.additionals.map(formatRecord) };
}

function setup() {
  let clock = 1000;
  const index = new RecordIndex({ zones: ['cluster.local'], ttl: 5, now: () => clock });
  const cache = new AnswerCache(index, { maxNegativePerZone: 100 });
  index.setOwner('hello', [
    rr('hello.ns.svc.cluster.local', RRType.A, '10.96.0.20'),
    rr('_http._tcp.hello.ns.svc.cluster.local', RRType.SRV, { priority: 0, weight: 100, port: 80, target: 'ep.hello.ns.svc.cluster.local' }),
  ]);
  index.setOwner('ep', [rr('ep.hello.ns.svc.cluster.local', RRType.A, '10.244.0.5')]);
  return { index, cache, tick: () => (clock += 1) };
}

describe('AnswerCache', () => {
  it('returns the same compiled answer until the index changes that name', () => {
    const { index, cache, tick } = setup();
    const first = cache.get('hello.ns.svc.cluster.local', RRType.A)!;
    expect(cache.get('hello.ns.svc.cluster.local', RRType.A)).toBe(first);
    expect(reply('hello.ns.svc.cluster.local', RRType.A, first)).toMatchObject({ rcode: RCode.NOERROR, aa: true, answer: ['hello.ns.svc.cluster.local. 5 IN A 10.96.0.20'] });
    tick();
    index.setOwner('hello', [rr('hello.ns.svc.cluster.local', RRType.A, '10.96.0.21')]);
    const second = cache.get('hello.ns.svc.cluster.local', RRType.A)!;
    expect(second).not.toBe(first);
    expect(reply('hello.ns.svc.cluster.local', RRType.A, second).answer).toEqual(['hello.ns.svc.cluster.local. 5 IN A 10.96.0.21']);
  });

  it('recompiles an SRV answer when its target address changes', () => {
    const { index, cache, tick } = setup();
    const qname = '_http._tcp.hello.ns.svc.cluster.local';
    expect(reply(qname, RRType.SRV, cache.get(qname, RRType.SRV)!).additional).toEqual(['ep.hello.ns.svc.cluster.local. 5 IN A 10.244.0.5']);
    tick();
    index.setOwner('ep', [rr('ep.hello.ns.svc.cluster.local', RRType.A, '10.244.0.6')]);
    expect(reply(qname, RRType.SRV, cache.get(qname, RRType.SRV)!).additional).toEqual(['ep.hello.ns.svc.cluster.local. 5 IN A 10.244.0.6']);
  });

  it('turns a cached NXDOMAIN into an answer when the name appears', () => {
    const { index, cache, tick } = setup();
    const qname = 'new.ns.svc.cluster.local';
    expect(reply(qname, RRType.A, cache.get(qname, RRType.A)!).rcode).toBe(RCode.NXDOMAIN);
    tick();
    index.setOwner('new', [rr(qname, RRType.A, '10.96.0.99')]);
    expect(reply(qname, RRType.A, cache.get(qname, RRType.A)!)).toMatchObject({ rcode: RCode.NOERROR, answer: [`${qname}. 5 IN A 10.96.0.99`] });
  });

  it('bounds negative entries under a storm of random names', () => {
    const { cache } = setup();
    for (let i = 0; i < 1000; i++) cache.get(`random-${i}.ns.svc.cluster.local`, RRType.A);
    expect(cache.size.negative).toBeLessThanOrEqual(100);
    expect(cache.size.negative).toBeGreaterThan(0);
  });

  it('answers null outside its zones', () => {
    expect(setup().cache.get('example.com', RRType.A)).toBeNull();
  });
});
