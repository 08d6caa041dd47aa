import { describe, expect, it } from 'vitest';
import type { PodsMode } from '../../../src/cluster/objects.js';
import { compileRecords } from '../../../src/pipeline/chain.js';
import type { DnsRequest, HandlerResult } from '../../../src/pipeline/handler.js';
import { KubernetesHandler, type KubernetesHandlerOptions } from '../../../src/pipeline/kubernetes-handler.js';
import { AnswerCache } from '../../../src/records/answer-cache.js';
import { RecordIndex } from '../../../src/records/record-index.js';
import { decodeMessage } from '../../../src/wire/message.js';
import { formatRecord } from '../../../src/wire/presentation.js';
import { buildReply } from '../../../src/wire/reply.js';
import { RCode, RRClass, RRType } from '../../../src/wire/types.js';
import { query, rr, soaLine } from '../records/helpers.js';

const SERIAL = 1700000000;
const SOA = `AUTH ${soaLine('cluster.local', SERIAL)}`;
const RCODE_NAMES = new Map<number, string>(Object.entries(RCode).map(([name, value]) => [value, name]));

function request(name: string, type: number, qclass: number = RRClass.IN): DnsRequest {
  return { ...query(name, type, qclass), transport: 'udp', remoteAddress: '127.0.0.1', remotePort: 1 };
}

function handlerFor(pods: PodsMode, extra: Partial<KubernetesHandlerOptions> = {}) {
  const index = new RecordIndex({ zones: ['cluster.local', 'in-addr.arpa', 'ip6.arpa', 'other.test'], ttl: 5, now: () => SERIAL });
  index.setOwner('svc:default/hello', [
    rr('hello.default.svc.cluster.local', RRType.A, '10.96.0.20'),
    rr('20.0.96.10.in-addr.arpa', RRType.PTR, 'hello.default.svc.cluster.local'),
  ]);
  index.setOwner('ns:default', [], ['default.svc.cluster.local', 'default.pod.cluster.local']);
  // What the record builder publishes for a running pod in `pods verified` mode.
  index.setOwner('pod:default/web', [rr('10-244-1-7.default.pod.cluster.local', RRType.A, '10.244.1.7')]);
  index.setOwner('other', [rr('x.other.test', RRType.A, '192.0.2.1')]);
  const state = { synced: true };
  const handler = new KubernetesHandler({
    index,
    cache: new AnswerCache(index),
    zones: ['cluster.local'],
    isSynced: () => state.synced,
    pods,
    namespaceExists: (ns) => ns === 'default',
    ttl: 5,
    ...extra,
  });
  return { handler, state, index };
}

/** `skip`, `error <RCODE>`, or `<RCODE> aa`, answer lines, then `AUTH …` lines. */
function outcome(req: DnsRequest, result: HandlerResult): string[] {
  if (result instanceof Promise) throw new Error('the handler must answer synchronously');
  if (result.kind === 'skip' || result.kind === 'drop') return [result.kind];
  if (result.kind === 'error') return [`error ${RCODE_NAMES.get(result.rcode)}`];
  const answer = result.kind === 'records' ? compileRecords(req.query, result) : result.answer;
  const message = decodeMessage(buildReply(req.raw, req.query, answer, 65535));
  return [
    `${RCODE_NAMES.get(message.rcode)}${message.aa ? ' aa' : ''}`,
    ...message.answers.map(formatRecord),
    ...message.authorities.map((r) => `AUTH ${formatRecord(r)}`),
  ];
}

function ask(pods: PodsMode, name: string, type: number, qclass: number = RRClass.IN): string[] {
  const { handler } = handlerFor(pods);
  const req = request(name, type, qclass);
  return outcome(req, handler.handle(req));
}

describe('KubernetesHandler', () => {
  const cases: Array<[string, PodsMode, string, number, string[]]> = [
    ['service A', 'verified', 'hello.default.svc.cluster.local', RRType.A, ['NOERROR aa', 'hello.default.svc.cluster.local. 5 IN A 10.96.0.20']],
    ['owner name spelled as asked', 'verified', 'Hello.DEFAULT.svc.cluster.local', RRType.A, ['NOERROR aa', 'Hello.DEFAULT.svc.cluster.local. 5 IN A 10.96.0.20']],
    ['NODATA', 'verified', 'hello.default.svc.cluster.local', RRType.AAAA, ['NOERROR aa', SOA]],
    ['NXDOMAIN', 'verified', 'nope.default.svc.cluster.local', RRType.A, ['NXDOMAIN aa', SOA]],
    ['qclass ANY is answered', 'verified', 'hello.default.svc.cluster.local', RRType.A, ['NOERROR aa', 'hello.default.svc.cluster.local. 5 IN A 10.96.0.20']],
    ['reverse zone PTR', 'verified', '20.0.96.10.in-addr.arpa', RRType.PTR, ['NOERROR aa', '20.0.96.10.in-addr.arpa. 5 IN PTR hello.default.svc.cluster.local.']],
    ['reverse zone miss', 'verified', '21.0.96.10.in-addr.arpa', RRType.PTR, ['NXDOMAIN aa', `AUTH ${soaLine('in-addr.arpa', SERIAL)}`]],
    ['outside every zone: skip', 'verified', 'example.com', RRType.A, ['skip']],
    ['the root: skip', 'verified', '', RRType.NS, ['skip']],
    ['AXFR: REFUSED', 'verified', 'cluster.local', RRType.AXFR, ['error REFUSED']],
    ['IXFR: REFUSED', 'verified', 'cluster.local', RRType.IXFR, ['error REFUSED']],
    ['AXFR of a reverse zone: REFUSED', 'verified', 'in-addr.arpa', RRType.AXFR, ['error REFUSED']],
    ['AXFR outside the zones: skip', 'verified', 'example.com', RRType.AXFR, ['skip']],

    // Pods insecure: synthesized for any parsable IP in an existing namespace.
    ['insecure IPv4 A', 'insecure', '10-244-9-9.default.pod.cluster.local', RRType.A, ['NOERROR aa', '10-244-9-9.default.pod.cluster.local. 5 IN A 10.244.9.9']],
    ['insecure IPv6 AAAA', 'insecure', 'fd00-10--5.default.pod.cluster.local', RRType.AAAA, ['NOERROR aa', 'fd00-10--5.default.pod.cluster.local. 5 IN AAAA fd00:10::5']],
    ['insecure IPv6 long form', 'insecure', 'fd00-0010-0-0-0-0-0-5.default.pod.cluster.local', RRType.AAAA, ['NOERROR aa', 'fd00-0010-0-0-0-0-0-5.default.pod.cluster.local. 5 IN AAAA fd00:10::5']],
    ['insecure, asked in capitals', 'insecure', 'FD00-10--5.Default.POD.cluster.local', RRType.AAAA, ['NOERROR aa', 'FD00-10--5.Default.POD.cluster.local. 5 IN AAAA fd00:10::5']],
    ['insecure ANY', 'insecure', '10-244-9-9.default.pod.cluster.local', RRType.ANY, ['NOERROR aa', '10-244-9-9.default.pod.cluster.local. 5 IN A 10.244.9.9']],
    ['insecure IPv4 asked AAAA: NODATA', 'insecure', '10-244-9-9.default.pod.cluster.local', RRType.AAAA, ['NOERROR aa', SOA]],
    ['insecure IPv6 asked A: NODATA', 'insecure', 'fd00-10--5.default.pod.cluster.local', RRType.A, ['NOERROR aa', SOA]],
    ['insecure TXT: NODATA', 'insecure', '10-244-9-9.default.pod.cluster.local', RRType.TXT, ['NOERROR aa', SOA]],
    ['insecure unknown namespace: NXDOMAIN', 'insecure', '10-244-9-9.missing.pod.cluster.local', RRType.A, ['NXDOMAIN aa', SOA]],
    ['insecure label that is no IP: NXDOMAIN', 'insecure', 'not-an-ip.default.pod.cluster.local', RRType.A, ['NXDOMAIN aa', SOA]],
    ['insecure bad octet: NXDOMAIN', 'insecure', '10-244-9-300.default.pod.cluster.local', RRType.A, ['NXDOMAIN aa', SOA]],
    ['insecure namespace name itself: from the index', 'insecure', 'default.pod.cluster.local', RRType.A, ['NOERROR aa', SOA]],
    ['insecure deeper name: from the index', 'insecure', 'x.10-244-9-9.default.pod.cluster.local', RRType.A, ['NXDOMAIN aa', SOA]],
    ['insecure does not synthesize in reverse zones', 'insecure', '10-244-9-9.default.pod.in-addr.arpa', RRType.A, ['NXDOMAIN aa', `AUTH ${soaLine('in-addr.arpa', SERIAL)}`]],
    ['insecure leaves services alone', 'insecure', 'hello.default.svc.cluster.local', RRType.A, ['NOERROR aa', 'hello.default.svc.cluster.local. 5 IN A 10.96.0.20']],

    // Pods verified: only what the record builder put in the index.
    ['verified running pod', 'verified', '10-244-1-7.default.pod.cluster.local', RRType.A, ['NOERROR aa', '10-244-1-7.default.pod.cluster.local. 5 IN A 10.244.1.7']],
    ['verified pod asked AAAA: NODATA', 'verified', '10-244-1-7.default.pod.cluster.local', RRType.AAAA, ['NOERROR aa', SOA]],
    ['verified no such pod: NXDOMAIN', 'verified', '10-244-9-9.default.pod.cluster.local', RRType.A, ['NXDOMAIN aa', SOA]],

    // Pods disabled: the index has no pod records, so NXDOMAIN.
    ['disabled: NXDOMAIN', 'disabled', '10-244-9-9.default.pod.cluster.local', RRType.A, ['NXDOMAIN aa', SOA]],
    ['disabled IPv6: NXDOMAIN', 'disabled', 'fd00-10--5.default.pod.cluster.local', RRType.AAAA, ['NXDOMAIN aa', SOA]],
  ];
  it.each(cases)('%s (pods %s)', (title, pods, name, type, expected) => {
    const qclass = title.startsWith('qclass ANY') ? RRClass.ANY : RRClass.IN;
    expect(ask(pods, name, type, qclass)).toEqual(expected);
  });

  it('skips classes other than IN and ANY', () => {
    expect(ask('verified', 'hello.default.svc.cluster.local', RRType.TXT, RRClass.CH)).toEqual(['skip']);
    expect(ask('verified', 'hello.default.svc.cluster.local', RRType.A, RRClass.NONE)).toEqual(['skip']);
  });

  it('answers SERVFAIL for its zones until synced, never NXDOMAIN, and skips other names meanwhile', () => {
    for (const pods of ['verified', 'insecure', 'disabled'] as const) {
      const { handler, state } = handlerFor(pods);
      state.synced = false;
      for (const [name, type] of [
        ['hello.default.svc.cluster.local', RRType.A],
        ['nope.default.svc.cluster.local', RRType.A],
        ['10-244-9-9.default.pod.cluster.local', RRType.A],
        ['cluster.local', RRType.SOA],
        ['1.0.0.10.in-addr.arpa', RRType.PTR],
        ['cluster.local', RRType.AXFR],
      ] as const) {
        const req = request(name, type);
        expect([pods, name, outcome(req, handler.handle(req))]).toEqual([pods, name, ['error SERVFAIL']]);
      }
      expect(handler.handle(request('example.com', RRType.A))).toEqual({ kind: 'skip' });
      state.synced = true;
      const req = request('hello.default.svc.cluster.local', RRType.A);
      expect(outcome(req, handler.handle(req))).toEqual(['NOERROR aa', 'hello.default.svc.cluster.local. 5 IN A 10.96.0.20']);
    }
  });

  it('follows index changes (the answer cache is invalidated)', () => {
    const { handler, index } = handlerFor('verified');
    const req = request('hello.default.svc.cluster.local', RRType.A);
    expect(outcome(req, handler.handle(req))).toEqual(['NOERROR aa', 'hello.default.svc.cluster.local. 5 IN A 10.96.0.20']);
    index.setOwner('svc:default/hello', [rr('hello.default.svc.cluster.local', RRType.A, '10.96.0.21')]);
    expect(outcome(req, handler.handle(req))).toEqual(['NOERROR aa', 'hello.default.svc.cluster.local. 5 IN A 10.96.0.21']);
    index.deleteOwner('svc:default/hello');
    expect(outcome(req, handler.handle(req))).toEqual(['NXDOMAIN aa', SOA]);
  });

  it('answers every zone of the index by default, only the cluster and reverse zones when reverseZones is given', () => {
    const byDefault = handlerFor('verified').handler;
    const req = request('x.other.test', RRType.A);
    expect(outcome(req, byDefault.handle(req))).toEqual(['NOERROR aa', 'x.other.test. 5 IN A 192.0.2.1']);
    const restricted = handlerFor('verified', { reverseZones: ['in-addr.arpa', 'ip6.arpa'] }).handler;
    expect(restricted.handle(req)).toEqual({ kind: 'skip' });
    const ptr = request('20.0.96.10.in-addr.arpa', RRType.PTR);
    expect(outcome(ptr, restricted.handle(ptr))[0]).toBe('NOERROR aa');
  });

  it('is named after the CoreDNS plugin', () => {
    expect(handlerFor('verified').handler.name).toBe('kubernetes');
  });
});
