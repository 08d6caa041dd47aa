import { describe, expect, it } from 'vitest';
import type { PodsMode } from '../../../src/kubernetes/objects.js';
import type { DnsRequest, HandlerResult } from '../../../src/pipeline/handler.js';
import { KubernetesHandler } from '../../../src/pipeline/kubernetes-handler.js';
import { AnswerCache } from '../../../src/records/answer-cache.js';
import { RecordIndex } from '../../../src/records/record-index.js';
import { createMessage, decodeMessage, encodeMessage } from '../../../src/wire/message.js';
import { formatRecord } from '../../../src/wire/presentation.js';
import { parseQuery } from '../../../src/wire/query.js';
import { buildReply } from '../../../src/wire/reply.js';
import { RCode, RRClass, RRType } from '../../../src/wire/types.js';

function request(name: string, type: number, qclass: number = RRClass.IN): DnsRequest {
  const raw = encodeMessage(createMessage({ id: 9, questions: [{ name, type, class: qclass }] }));
  const parsed = parseQuery(raw);
  if (parsed.kind !== 'ok') throw new Error('query did not parse');
  return { raw, query: parsed.query, transport: 'udp', remoteAddress: '127.0.0.1', remotePort: 1 };
}

function handlerFor(pods: PodsMode, synced = true) {
  const index = new RecordIndex({ zones: ['cluster.local', 'in-addr.arpa', 'ip6.arpa'], ttl: 5 });
  index.setOwner('svc', [{ name: 'hello.default.svc.cluster.local', type: RRType.A, class: RRClass.IN, ttl: 5, data: '10.96.0.20' }]);
  const state = { synced };
  const handler = new KubernetesHandler({
    index,
    cache: new AnswerCache(index),
    zones: ['cluster.local'],
    isSynced: () => state.synced,
    pods,
    namespaceExists: (ns) => ns === 'default',
    ttl: 5,
  });
  return { handler, state };
}

function outcome(req: DnsRequest, result: HandlerResult): string[] {
  if (result.kind === 'skip') return ['skip'];
  if (result.kind === 'error') return [`error ${result.rcode}`];
  const message = decodeMessage(buildReply(req.raw, req.query, result.answer, 512));
  return [`rcode ${message.rcode}`, ...message.answers.map(formatRecord)];
}

describe('KubernetesHandler', () => {
  it('answers SERVFAIL for its zones until synced, never NXDOMAIN', () => {
    const { handler, state } = handlerFor('verified', false);
    for (const name of ['hello.default.svc.cluster.local', 'nope.default.svc.cluster.local', '1.0.0.10.in-addr.arpa']) {
      const req = request(name, RRType.A);
      expect(outcome(req, handler.handle(req))).toEqual([`error ${RCode.SERVFAIL}`]);
    }
    state.synced = true;
    const req = request('hello.default.svc.cluster.local', RRType.A);
    expect(outcome(req, handler.handle(req))).toEqual(['rcode 0', 'hello.default.svc.cluster.local. 5 IN A 10.96.0.20']);
  });

  it('skips names outside its zones and non-IN classes, refuses zone transfers', () => {
    const { handler } = handlerFor('verified');
    const outside = request('example.com', RRType.A);
    expect(handler.handle(outside)).toEqual({ kind: 'skip' });
    const chaos = request('hello.default.svc.cluster.local', RRType.TXT, RRClass.CH);
    expect(handler.handle(chaos)).toEqual({ kind: 'skip' });
    for (const type of [RRType.AXFR, RRType.IXFR]) {
      expect(handler.handle(request('cluster.local', type))).toEqual({ kind: 'error', rcode: RCode.REFUSED });
    }
  });

  const insecure: Array<[string, number, string[]]> = [
    ['10-244-9-9.default.pod.cluster.local', RRType.A, ['rcode 0', '10-244-9-9.default.pod.cluster.local. 5 IN A 10.244.9.9']],
    ['fd00-10--5.default.pod.cluster.local', RRType.AAAA, ['rcode 0', 'fd00-10--5.default.pod.cluster.local. 5 IN AAAA fd00:10::5']],
    ['10-244-9-9.default.pod.cluster.local', RRType.AAAA, ['rcode 0']],
    ['10-244-9-9.missing.pod.cluster.local', RRType.A, [`rcode ${RCode.NXDOMAIN}`]],
    ['not-an-ip.default.pod.cluster.local', RRType.A, [`rcode ${RCode.NXDOMAIN}`]],
  ];
  it.each(insecure)('pods insecure: %s type %i', (name, type, expected) => {
    const { handler } = handlerFor('insecure');
    const req = request(name, type);
    expect(outcome(req, handler.handle(req))).toEqual(expected);
  });

  it('pods disabled (and verified without such a pod): NXDOMAIN', () => {
    for (const mode of ['disabled', 'verified'] as const) {
      const { handler } = handlerFor(mode);
      const req = request('10-244-9-9.default.pod.cluster.local', RRType.A);
      expect(outcome(req, handler.handle(req))).toEqual([`rcode ${RCode.NXDOMAIN}`]);
    }
  });
});
