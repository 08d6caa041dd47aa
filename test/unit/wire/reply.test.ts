import dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { compileAnswer, type CompiledAnswer, type Sections } from '../../../src/wire/compiled-answer.js';
import { decodeMessage } from '../../../src/wire/message.js';
import { formatRecord } from '../../../src/wire/presentation.js';
import { parseQuery, type ParsedQuery } from '../../../src/wire/query.js';
import { buildErrorReply, buildReply, DEFAULT_EDNS_UDP_SIZE, udpLimit } from '../../../src/wire/reply.js';
import { RCode, RRClass, RRType, TCP_LIMIT, type ResourceRecord } from '../../../src/wire/types.js';
import { header, opt, packet, question } from './packet-bytes.js';

const IN = RRClass.IN;
const SVC = 'hello.default.svc.cluster.local';
const SOA: ResourceRecord = {
  name: 'cluster.local',
  type: RRType.SOA,
  class: IN,
  ttl: 5,
  data: { mname: 'ns.dns.cluster.local', rname: 'hostmaster.cluster.local', serial: 1, refresh: 7200, retry: 1800, expire: 86400, minimum: 5 },
};

const a = (name: string, ip: string): ResourceRecord => ({ name, type: RRType.A, class: IN, ttl: 5, data: ip });

function query(name: string, type: number, options: { flags?: number; edns?: Parameters<typeof opt>[0] } = {}) {
  const raw = packet(header({ id: 0x4242, flags: options.flags ?? 0x0100, ar: options.edns ? 1 : 0 }), question(name, type), options.edns ? opt(options.edns) : []);
  const parsed = parseQuery(raw);
  if (parsed.kind !== 'ok') throw new Error(`bad test query: ${JSON.stringify(parsed)}`);
  return { raw, query: parsed.query };
}

function compile(q: ParsedQuery, sections: Partial<Sections>, rcode: number = RCode.NOERROR): CompiledAnswer {
  return compileAnswer(q.qname, q.qtype, q.qclass, { answer: [], authority: [], additional: [], ...sections }, rcode, true);
}

describe('compileAnswer', () => {
  it('records a truncation point at every RRset boundary, the full tail last', () => {
    const { query: q } = query(SVC, RRType.A);
    const answer = compile(q, {
      answer: [a(SVC, '10.0.0.1'), a(SVC, '10.0.0.2'), { ...a(SVC, '::1'), type: RRType.AAAA } as ResourceRecord],
      authority: [SOA],
      additional: [a('x.cluster.local', '10.0.0.9'), a('y.cluster.local', '10.0.0.8')],
    });
    expect(answer.truncationPoints.map((p) => [p.answerCount, p.authorityCount, p.additionalCount])).toEqual([
      [0, 0, 0],
      [2, 0, 0],
      [3, 0, 0],
      [3, 1, 0],
      [3, 1, 1],
      [3, 1, 2],
    ]);
    expect(answer.truncationPoints.at(-1)?.length).toBe(answer.tail.length);
    expect([answer.answerCount, answer.authorityCount, answer.additionalCount]).toEqual([3, 1, 2]);
    expect(answer.truncationPoints[1].length).toBe(32); // two A records, owners as 2-byte pointers
  });

  it('has a single empty point for an empty answer', () => {
    const { query: q } = query(SVC, RRType.A);
    expect(compile(q, {}, RCode.NXDOMAIN).truncationPoints).toEqual([{ length: 0, answerCount: 0, authorityCount: 0, additionalCount: 0 }]);
  });
});

describe('buildReply', () => {
  it('comes back in the client letter case, with the header patched and the question verbatim', () => {
    const { raw, query: q } = query('HeLLo.Default.svc.cluster.local', RRType.A, { flags: 0x0110 });
    const answer = compile(q, { answer: [a(SVC, '10.96.0.20')] });
    const reply = buildReply(raw, q, answer, udpLimit(q));
    expect(reply.subarray(12, q.questionEnd).equals(Buffer.from(raw.subarray(12, q.questionEnd)))).toBe(true);
    const decoded = decodeMessage(reply);
    expect(decoded).toMatchObject({ id: 0x4242, qr: true, opcode: 0, aa: true, tc: false, rd: true, ra: false, cd: true, rcode: 0, edns: null });
    expect(decoded.answers.map(formatRecord)).toEqual(['HeLLo.Default.svc.cluster.local. 5 IN A 10.96.0.20']);
    // dns-packet agrees
    const theirs = dnsPacket.decode(reply);
    expect((theirs.answers as any[])[0]).toMatchObject({ name: 'HeLLo.Default.svc.cluster.local', data: '10.96.0.20' });
  });

  it('suffixes of the qname in owner names and RDATA also point into the client question', () => {
    const { raw, query: q } = query('NGINX.default.svc.cluster.local', RRType.SRV);
    const answer = compile(q, {
      answer: [
        { name: 'nginx.default.svc.cluster.local', type: RRType.SRV, class: IN, ttl: 5, data: { priority: 0, weight: 100, port: 80, target: 'nginx-0.nginx.default.svc.cluster.local' } },
      ],
      additional: [a('nginx-0.nginx.default.svc.cluster.local', '10.244.1.10')],
    });
    const decoded = decodeMessage(buildReply(raw, q, answer, 512));
    expect(decoded.answers[0].name).toBe('NGINX.default.svc.cluster.local');
    expect(decoded.answers[0].data).toMatchObject({ target: 'nginx-0.nginx.default.svc.cluster.local' }); // not compressed
    expect(decoded.additionals[0].name).toBe('nginx-0.nginx.default.svc.cluster.local');
  });

  it('echoes an OPT: root owner, our 1232 size, version 0, DO echoed, extended RCODE bits', () => {
    const { raw, query: q } = query(SVC, RRType.A, { edns: { udpSize: 4096, dnssecOk: true } });
    const reply = buildReply(raw, q, compile(q, {}, RCode.NXDOMAIN), udpLimit(q));
    expect(reply.length).toBe(q.questionEnd + 11);
    expect([...reply.subarray(q.questionEnd)]).toEqual([0, 0, 41, 0x04, 0xd0, 0, 0, 0x80, 0, 0, 0]);
    const decoded = decodeMessage(reply);
    expect(decoded.rcode).toBe(RCode.NXDOMAIN);
    expect(decoded.edns).toEqual({ udpSize: DEFAULT_EDNS_UDP_SIZE, version: 0, dnssecOk: true, options: [] });
    const { query: noDo, raw: rawNoDo } = query(SVC, RRType.A, { edns: {} });
    expect(decodeMessage(buildReply(rawNoDo, noDo, compile(noDo, {}), 512)).edns?.dnssecOk).toBe(false);
  });

  describe('truncation', () => {
    // 40 A records for one name (one RRset) make 12 + 37 + 40 × 16 = 689 bytes: over 512.
    const many = Array.from({ length: 40 }, (_, i) => a(SVC, `10.0.${i}.1`));
    const twoSets = [...Array.from({ length: 20 }, (_, i) => a(SVC, `10.0.${i}.1`)), ...Array.from({ length: 20 }, (_, i) => ({ ...a(SVC, `fd00::${i + 1}`), type: RRType.AAAA }) as ResourceRecord)];

    it('over 512 bytes without EDNS: TC set, the whole RRset dropped rather than split', () => {
      const { raw, query: q } = query(SVC, RRType.A);
      expect(udpLimit(q)).toBe(512);
      const reply = buildReply(raw, q, compile(q, { answer: many, authority: [SOA] }), udpLimit(q));
      const decoded = decodeMessage(reply);
      expect(decoded.tc).toBe(true);
      expect(decoded.answers).toHaveLength(0);
      expect(reply.length).toBe(q.questionEnd);
    });

    it('keeps the RRsets that fit and sets TC for the rest', () => {
      const { raw, query: q } = query(SVC, RRType.ANY);
      const answer = compile(q, { answer: twoSets }); // 20 × 16 + 20 × 28 = 880
      const reply = buildReply(raw, q, answer, 512);
      const decoded = decodeMessage(reply);
      expect(decoded.tc).toBe(true);
      expect(decoded.answers.map((r) => r.type)).toEqual(new Array(20).fill(RRType.A));
      expect(reply.length).toBeLessThanOrEqual(512);
      expect(dnsPacket.decode(reply).flag_tc).toBe(true);
    });

    it('counts the OPT in the limit and still echoes it', () => {
      const { raw, query: q } = query(SVC, RRType.A, { edns: { udpSize: 512 } });
      // 20 A: 12 + 37 + 320 = 369, + SOA authority; sized so that only the OPT's 11 bytes tip it over
      const answer = compile(q, { answer: many.slice(0, 20) });
      const limit = q.questionEnd + answer.tail.length + 10;
      const decoded = decodeMessage(buildReply(raw, q, answer, limit));
      expect(decoded.tc).toBe(true);
      expect(decoded.answers).toHaveLength(0);
      expect(decoded.edns).not.toBeNull();
      expect(decodeMessage(buildReply(raw, q, answer, limit + 1)).tc).toBe(false);
    });

    it('dropping only additional records does not set TC (RFC 2181 9)', () => {
      const { raw, query: q } = query(SVC, RRType.SRV);
      // 7 SRV (57 bytes each, targets uncompressed) + question = 448; each glue A is 16 bytes: 4 of 7 fit
      const srv: ResourceRecord[] = Array.from({ length: 7 }, (_, i) => ({
        name: SVC, type: RRType.SRV, class: IN, ttl: 5, data: { priority: 0, weight: 10, port: 80, target: `pod-${i}.nginx.default.svc.cluster.local` },
      }));
      const glue = Array.from({ length: 7 }, (_, i) => a(`pod-${i}.nginx.default.svc.cluster.local`, `10.1.0.${i}`));
      const answer = compile(q, { answer: srv, additional: glue });
      expect(q.questionEnd + answer.tail.length).toBeGreaterThan(512);
      const reply = buildReply(raw, q, answer, 512);
      const decoded = decodeMessage(reply);
      expect(decoded.tc).toBe(false);
      expect(decoded.answers).toHaveLength(7);
      expect(decoded.additionals).toHaveLength(4);
      expect(reply.length).toBeLessThanOrEqual(512);
    });

    it('honours the EDNS size, capped at 1232', () => {
      const hundred = Array.from({ length: 100 }, (_, i) => a(SVC, `10.1.${i}.1`)); // 12 + 37 + 1600 + 11
      for (const [udpSize, limit] of [[900, 900], [1232, 1232], [4096, 1232], [100, 512]]) {
        const { raw, query: q } = query(SVC, RRType.A, { edns: { udpSize } });
        expect(udpLimit(q)).toBe(limit);
        const sets = Array.from({ length: 10 }, (_, set) => hundred.slice(set * 10, set * 10 + 10).map((r) => ({ ...r, name: `s${set}.${SVC}` })));
        const reply = buildReply(raw, q, compile(q, { answer: sets.flat() }), udpLimit(q));
        expect(reply.length).toBeLessThanOrEqual(limit);
        const decoded = decodeMessage(reply);
        expect(decoded.tc).toBe(true);
        expect(decoded.answers.length % 10).toBe(0); // whole RRsets only
        expect(reply.length + 163).toBeGreaterThan(limit); // and as many as fit: one more set is 5 + 14 + 9 × 16 bytes
      }
    });

    it('over TCP (65535) nothing is truncated', () => {
      const { raw, query: q } = query(SVC, RRType.A, { edns: { udpSize: 4096 } });
      const thousand = Array.from({ length: 1000 }, (_, i) => a(SVC, `10.${i >> 8}.${i & 0xff}.1`));
      const reply = buildReply(raw, q, compile(q, { answer: thousand }), TCP_LIMIT);
      expect(reply.length).toBe(q.questionEnd + 16000 + 11);
      const decoded = decodeMessage(reply);
      expect([decoded.tc, decoded.answers.length]).toEqual([false, 1000]);
    });
  });
});

describe('buildErrorReply', () => {
  it.each([
    ['FORMERR', RCode.FORMERR],
    ['NOTIMP', RCode.NOTIMP],
    ['REFUSED', RCode.REFUSED],
    ['SERVFAIL', RCode.SERVFAIL],
  ])('%s echoes id, opcode, RD, CD and the question', (_name, rcode) => {
    const raw = packet(header({ id: 7, flags: 0x2110 }), question('Some.Name', RRType.TXT));
    const reply = buildErrorReply(raw, 7, 0x2110, raw.length, null, rcode);
    const decoded = decodeMessage(reply);
    expect(decoded).toMatchObject({ id: 7, qr: true, opcode: 4, rd: true, cd: true, aa: false, ra: false, rcode, edns: null });
    expect(decoded.questions).toEqual([{ name: 'Some.Name', type: RRType.TXT, class: IN }]);
  });

  it('without a readable question: header only, qdcount 0', () => {
    const raw = packet(header({ qd: 2 }), [0xc0, 0xc0]);
    const reply = buildErrorReply(raw, 0x1234, 0x0100, null, null, RCode.FORMERR);
    expect([...reply]).toEqual([0x12, 0x34, 0x81, 0x01, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('BADVERS: header RCODE 0, OPT extended RCODE 1, our version 0 (RFC 6891 6.1.3)', () => {
    const raw = packet(header({ ar: 1 }), question(SVC), opt({ version: 3, dnssecOk: true }));
    const parsed = parseQuery(raw);
    if (parsed.kind !== 'error') throw new Error('expected error');
    const reply = buildErrorReply(raw, parsed.id, parsed.flags, parsed.questionEnd, parsed.edns, parsed.rcode);
    expect(reply[3] & 0x0f).toBe(0);
    const optAt = reply.length - 11;
    expect([...reply.subarray(optAt)]).toEqual([0, 0, 41, 0x04, 0xd0, 1, 0, 0x80, 0, 0, 0]);
    const decoded = decodeMessage(reply);
    expect(decoded.rcode).toBe(RCode.BADVERS);
    expect(decoded.edns).toMatchObject({ version: 0, dnssecOk: true });
    expect(decoded.questions[0].name).toBe(SVC);
  });
});

describe('buildReply with loadbalance rotation', () => {
  const addresses = (reply: Buffer) => decodeMessage(reply).answers.map((record) => String(record.data));
  const aaaa = (ip: string): ResourceRecord => ({ name: SVC, type: RRType.AAAA, class: IN, ttl: 5, data: ip }) as ResourceRecord;

  it('rotates each A and AAAA RRset by rotateBy places, the CNAME before them in place; 0 leaves the compiled order', () => {
    const { raw, query: q } = query(SVC, RRType.A);
    const cname = { name: SVC, type: RRType.CNAME, class: IN, ttl: 5, data: 'lb.default.svc.cluster.local' } as ResourceRecord;
    const lb = 'lb.default.svc.cluster.local';
    const answer = compile(q, { answer: [cname, a(lb, '10.0.0.1'), a(lb, '10.0.0.2'), a(lb, '10.0.0.3'), aaaa('2001:db8::1'), aaaa('2001:db8::2')] });
    expect(addresses(buildReply(raw, q, answer, TCP_LIMIT, 0))).toEqual([lb, '10.0.0.1', '10.0.0.2', '10.0.0.3', '2001:db8::1', '2001:db8::2']);
    expect(addresses(buildReply(raw, q, answer, TCP_LIMIT, 1))).toEqual([lb, '10.0.0.2', '10.0.0.3', '10.0.0.1', '2001:db8::2', '2001:db8::1']);
    expect(addresses(buildReply(raw, q, answer, TCP_LIMIT, 2))).toEqual([lb, '10.0.0.3', '10.0.0.1', '10.0.0.2', '2001:db8::1', '2001:db8::2']);
    // The compiled tail itself is never rotated: the next reply starts from it again.
    expect(addresses(buildReply(raw, q, answer, TCP_LIMIT, 0))).toEqual([lb, '10.0.0.1', '10.0.0.2', '10.0.0.3', '2001:db8::1', '2001:db8::2']);
  });

  it('leaves an RRset that truncation dropped alone and still rotates the one kept', () => {
    const { raw, query: q } = query(SVC, RRType.A);
    const many = Array.from({ length: 40 }, (_, i) => aaaa(`2001:db8::${i + 1}`));
    const answer = compile(q, { answer: [a(SVC, '10.0.0.1'), a(SVC, '10.0.0.2'), ...many] });
    const reply = buildReply(raw, q, answer, 512, 1);
    expect(addresses(reply)).toEqual(['10.0.0.2', '10.0.0.1']);
    expect(decodeMessage(reply).tc).toBe(true);
  });
});
