import dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { parseIPv6 } from '../../../src/wire/ip-address.js';
import { createMessage, decodeMessage, encodeMessage, type Message } from '../../../src/wire/message.js';
import { formatRecord } from '../../../src/wire/presentation.js';
import { parseQuery } from '../../../src/wire/query.js';
import { RCode, RRClass, RRType, type ResourceRecord } from '../../../src/wire/types.js';
import { WireFormatError } from '../../../src/wire/wire-format-error.js';
import { header, labels, opt, packet, question, seededRandom } from './packet-bytes.js';

const IN = RRClass.IN;
const ZONE = 'cluster.local';

/** One record of every modelled type, plus an unknown type (RFC 3597). */
const EVERY_TYPE: ResourceRecord[] = [
  { name: `hello.default.svc.${ZONE}`, type: RRType.A, class: IN, ttl: 5, data: '10.96.0.20' },
  { name: `dual.default.svc.${ZONE}`, type: RRType.AAAA, class: IN, ttl: 5, data: 'fd00:10::5' },
  { name: `mapped.default.svc.${ZONE}`, type: RRType.AAAA, class: IN, ttl: 5, data: '::ffff:10.0.0.1' },
  { name: ZONE, type: RRType.NS, class: IN, ttl: 5, data: `ns.dns.${ZONE}` },
  { name: `db.default.svc.${ZONE}`, type: RRType.CNAME, class: IN, ttl: 5, data: 'my.database.example.com' },
  { name: '20.0.96.10.in-addr.arpa', type: RRType.PTR, class: IN, ttl: 5, data: `hello.default.svc.${ZONE}` },
  { name: `dns-version.${ZONE}`, type: RRType.TXT, class: IN, ttl: 5, data: ['1.1.0', 'grüße ✓'] },
  {
    name: `_http._tcp.hello.default.svc.${ZONE}`,
    type: RRType.SRV,
    class: IN,
    ttl: 5,
    data: { priority: 0, weight: 100, port: 80, target: `hello.default.svc.${ZONE}` },
  },
  {
    name: ZONE,
    type: RRType.SOA,
    class: IN,
    ttl: 5,
    data: {
      mname: `ns.dns.${ZONE}`,
      rname: `hostmaster.${ZONE}`,
      serial: 4294967295,
      refresh: 7200,
      retry: 1800,
      expire: 86400,
      minimum: 5,
    },
  },
  { name: `x.${ZONE}`, type: 65280, class: IN, ttl: 0xffffffff, data: Uint8Array.from([1, 2, 3, 0xff]) },
  { name: `empty.${ZONE}`, type: 99, class: RRClass.CH, ttl: 1, data: new Uint8Array(0) },
];

function response(init: Partial<Message>): Message {
  return createMessage({ id: 0xbeef, qr: true, aa: true, rd: true, ...init });
}

describe('encodeMessage / decodeMessage round trips', () => {
  it.each(EVERY_TYPE.map((record) => [formatRecord(record), record] as const))('%s', (_line, record) => {
    for (const section of ['answers', 'authorities', 'additionals'] as const) {
      const message = response({ questions: [{ name: record.name, type: record.type, class: record.class }] });
      message[section] = [record];
      const decoded = decodeMessage(encodeMessage(message));
      expect(decoded).toEqual(message);
    }
  });

  it('keeps every header flag, opcode and a 12-bit RCODE split over header and OPT', () => {
    const message = createMessage({
      id: 65535,
      qr: true,
      opcode: 5,
      aa: true,
      tc: true,
      rd: true,
      ra: true,
      ad: true,
      cd: true,
      rcode: RCode.BADVERS,
      edns: { udpSize: 4096, version: 0, dnssecOk: true, options: [{ code: 10, data: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]) }] },
    });
    const wire = encodeMessage(message);
    expect(wire[3] & 0x0f).toBe(0); // BADVERS = 16: only the OPT carries it
    expect(decodeMessage(wire)).toEqual(message);
  });

  it('refuses an RCODE above 15 without EDNS', () => {
    expect(() => encodeMessage(createMessage({ rcode: RCode.BADVERS }))).toThrow(WireFormatError);
  });

  it('splits TXT strings over 255 bytes into several character-strings, never inside a UTF-8 character', () => {
    const long = 'é'.repeat(200); // 400 bytes
    const message = response({
      answers: [{ name: 't', type: RRType.TXT, class: IN, ttl: 1, data: [long, 'x'.repeat(600), ''] }],
    });
    const decoded = decodeMessage(encodeMessage(message)).answers[0].data as string[];
    expect(decoded.map((s) => Buffer.byteLength(s))).toEqual([254, 146, 255, 255, 90, 0]);
    expect(decoded.slice(0, 2).join('')).toBe(long);
    expect(decoded.slice(2, 5).join('')).toBe('x'.repeat(600));
  });

  it('keeps the letter case of names found on the wire', () => {
    const message = response({
      questions: [{ name: 'HeLLo.Default.svc.cluster.local', type: RRType.A, class: IN }],
      answers: [{ name: 'hello.default.svc.cluster.local', type: RRType.CNAME, class: IN, ttl: 5, data: 'Other.DEFAULT.svc.cluster.local' }],
    });
    const decoded = decodeMessage(encodeMessage(message));
    expect(decoded.questions[0].name).toBe('HeLLo.Default.svc.cluster.local');
    // Compressed against the question: the owner comes back in the question's spelling.
    expect(decoded.answers[0].name).toBe('HeLLo.Default.svc.cluster.local');
    expect(decoded.answers[0].data).toBe('Other.Default.svc.cluster.local');
  });
});

describe('name compression', () => {
  const a = (ip: string): ResourceRecord => ({ name: `nginx.default.svc.${ZONE}`, type: RRType.A, class: IN, ttl: 5, data: ip });
  const threeAnswers = response({
    questions: [{ name: `nginx.default.svc.${ZONE}`, type: RRType.A, class: IN }],
    answers: [a('10.244.1.10'), a('10.244.2.10'), a('10.244.3.10')],
  });

  it('shrinks 1 question + 3 A answers to 12 + 37 + 3 × 16 bytes (dns-packet: no compression)', () => {
    const ours = encodeMessage(threeAnswers);
    expect(ours.length).toBe(12 + 37 + 3 * 16);
    expect(ours.length).toBeLessThanOrEqual(97);
    expect(dnsPacket.encode(toDnsPacket(threeAnswers)).length).toBeGreaterThan(ours.length + 80);
    // every owner is a pointer to the question name at offset 12
    for (let i = 0; i < 3; i++) expect([...ours.subarray(49 + i * 16, 51 + i * 16)]).toEqual([0xc0, 12]);
  });

  it('points RDATA names of NS/CNAME/PTR/SOA at the right suffix', () => {
    const message = response({
      questions: [{ name: ZONE, type: RRType.SOA, class: IN }],
      answers: [EVERY_TYPE[8]],
    });
    const wire = encodeMessage(message);
    const qEnd = 12 + labels(ZONE).length + 4;
    // owner → 12; mname "ns.dns" + pointer to 12; rname "hostmaster" + pointer to 12
    expect([...wire.subarray(qEnd, qEnd + 2)]).toEqual([0xc0, 12]);
    const rdata = qEnd + 12;
    expect([...wire.subarray(rdata, rdata + 9)]).toEqual([2, 0x6e, 0x73, 3, 0x64, 0x6e, 0x73, 0xc0, 12]);
    expect([...wire.subarray(rdata + 9, rdata + 22)]).toEqual([10, ...Buffer.from('hostmaster'), 0xc0, 12]);
    expect(decodeMessage(wire)).toEqual(message);
  });

  it('never compresses an SRV target (RFC 2782), even when the name was seen before', () => {
    const target = `hello.default.svc.${ZONE}`;
    const message = response({
      questions: [{ name: target, type: RRType.SRV, class: IN }],
      answers: [{ name: target, type: RRType.SRV, class: IN, ttl: 5, data: { priority: 0, weight: 100, port: 80, target } }],
    });
    const wire = encodeMessage(message);
    const targetBytes = labels(target);
    expect(wire.subarray(wire.length - targetBytes.length).equals(Buffer.from(targetBytes))).toBe(true);
    expect(wire.readUInt16BE(wire.length - targetBytes.length - 8)).toBe(6 + targetBytes.length); // RDLENGTH
  });

  it('does not compress unknown-type RDATA (it is opaque)', () => {
    const rdata = Uint8Array.from([...labels(ZONE)]);
    const message = response({
      questions: [{ name: ZONE, type: 65280, class: IN }],
      answers: [{ name: ZONE, type: 65280, class: IN, ttl: 5, data: rdata }],
    });
    const wire = encodeMessage(message);
    expect(wire.subarray(wire.length - rdata.length).equals(Buffer.from(rdata))).toBe(true);
  });
});

describe('malformed messages', () => {
  const good = encodeMessage(response({ questions: [{ name: 'a.b', type: 1, class: 1 }], answers: [EVERY_TYPE[0]] }));
  it.each([
    ['truncated header', good.subarray(0, 11)],
    ['truncated answer', good.subarray(0, good.length - 1)],
    ['trailing byte', Buffer.concat([good, Buffer.from([0])])],
    ['A with RDLENGTH 5', (() => { const b = Buffer.concat([good, Buffer.from([9])]); b.writeUInt16BE(5, good.length - 6); return b; })()],
    ['count larger than the records present', (() => { const b = Buffer.from(good); b.writeUInt16BE(2, 6); return b; })()],
  ])('%s throws WireFormatError', (_what, bytes) => {
    expect(() => decodeMessage(bytes)).toThrow(WireFormatError);
  });

  it('fuzz: 3000 mutated responses either decode or throw WireFormatError, nothing else', () => {
    const random = seededRandom(7);
    const seed = encodeMessage(
      response({
        questions: [{ name: `hello.default.svc.${ZONE}`, type: RRType.ANY, class: IN }],
        answers: EVERY_TYPE.slice(0, 9),
        additionals: [EVERY_TYPE[9]],
        edns: { udpSize: 1232, version: 0, dnssecOk: false, options: [{ code: 10, data: Uint8Array.from([1, 2]) }] },
      }),
    );
    let decoded = 0;
    for (let i = 0; i < 3000; i++) {
      const bytes = Uint8Array.from(seed);
      for (let m = 0; m < 1 + (i % 3); m++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      const cut = random() < 0.2 ? bytes.subarray(0, Math.floor(random() * bytes.length)) : bytes;
      try {
        decodeMessage(cut);
        decoded++;
      } catch (error) {
        expect(error).toBeInstanceOf(WireFormatError);
      }
    }
    expect(decoded).toBeGreaterThan(100);
  });

  it('rejects two OPT records and an OPT with a non-root owner (RFC 6891 6.1.1)', () => {
    const twoOpts = dnsPacket.encode({
      type: 'query',
      questions: [{ type: 'A', name: 'a.b' }],
      additionals: [optAnswer(), optAnswer()],
    });
    expect(() => decodeMessage(twoOpts)).toThrow(/more than one OPT/);
    const named = packet(header({ ar: 1 }), question('a.b'), opt({ owner: labels('x') }));
    expect(() => decodeMessage(named)).toThrow(/root/);
  });
});

describe('cross-check with dns-packet', () => {
  it('dns-packet decodes our messages to the same records', () => {
    const message = response({
      questions: [{ name: `hello.default.svc.${ZONE}`, type: RRType.ANY, class: IN }],
      answers: EVERY_TYPE.slice(0, 8),
      authorities: [EVERY_TYPE[8]],
      additionals: [EVERY_TYPE[9]],
      edns: { udpSize: 1232, version: 0, dnssecOk: true, options: [] },
    });
    const theirs = dnsPacket.decode(encodeMessage(message));
    expect(theirs.id).toBe(0xbeef);
    expect(theirs.flag_qr && theirs.flag_aa && theirs.flag_rd).toBe(true);
    expect(theirs.questions).toEqual([{ name: `hello.default.svc.${ZONE}`, type: 'ANY', class: 'IN' }]);
    const answers = theirs.answers as any[];
    expect(answers.map((r) => [r.name, r.type, r.ttl])).toEqual(
      message.answers.map((r) => [r.name, r.type === RRType.AAAA ? 'AAAA' : typeKey(r.type), r.ttl]),
    );
    expect(answers[0].data).toBe('10.96.0.20');
    expect(Buffer.from(parseIPv6(answers[1].data) as Uint8Array)).toEqual(Buffer.from(parseIPv6('fd00:10::5') as Uint8Array));
    expect(Buffer.from(parseIPv6(answers[2].data) as Uint8Array)).toEqual(Buffer.from(parseIPv6('::ffff:10.0.0.1') as Uint8Array));
    expect(answers[3].data).toBe(`ns.dns.${ZONE}`);
    expect(answers[4].data).toBe('my.database.example.com');
    expect(answers[5].data).toBe(`hello.default.svc.${ZONE}`);
    expect(answers[6].data.map((b: Buffer) => b.toString('utf8'))).toEqual(['1.1.0', 'grüße ✓']);
    expect(answers[7].data).toEqual({ priority: 0, weight: 100, port: 80, target: `hello.default.svc.${ZONE}` });
    const soa = (theirs.authorities as any[])[0];
    expect(soa.data).toEqual(EVERY_TYPE[8].data);
    const [unknown, opt] = theirs.additionals as any[];
    expect([unknown.name, Buffer.from(unknown.data)]).toEqual([`x.${ZONE}`, Buffer.from([1, 2, 3, 0xff])]);
    expect([opt.type, opt.udpPayloadSize, opt.flag_do, opt.ednsVersion]).toEqual(['OPT', 1232, true, 0]);
  });

  it('our decoder reads what dns-packet encodes', () => {
    const theirs = dnsPacket.encode(toDnsPacket(response({ questions: [{ name: 'q.example', type: RRType.A, class: IN }], answers: EVERY_TYPE.slice(0, 9) })));
    const ours = decodeMessage(theirs);
    expect(ours.answers.map(formatRecord)).toEqual(EVERY_TYPE.slice(0, 9).map(formatRecord));
  });

  it('dns-packet queries parse with parseQuery and decodeMessage', () => {
    const query = dnsPacket.encode({
      type: 'query',
      id: 4242,
      flags: dnsPacket.RECURSION_DESIRED | dnsPacket.CHECKING_DISABLED,
      questions: [{ type: 'SRV', name: '_HTTP._tcp.Hello.default.svc.cluster.local' }],
      additionals: [{ ...optAnswer(), udpPayloadSize: 4096, flags: dnsPacket.DNSSEC_OK }],
    });
    const parsed = parseQuery(query);
    expect(parsed).toEqual({
      kind: 'ok',
      query: {
        id: 4242,
        flags: 0x0110,
        opcode: 0,
        recursionDesired: true,
        checkingDisabled: true,
        qname: '_http._tcp.hello.default.svc.cluster.local',
        qtype: RRType.SRV,
        qclass: IN,
        questionEnd: 12 + 44 + 4,
        edns: { udpSize: 4096, version: 0, dnssecOk: true },
      },
    });
    const decoded = decodeMessage(query);
    expect(decoded.questions).toEqual([{ name: '_HTTP._tcp.Hello.default.svc.cluster.local', type: RRType.SRV, class: IN }]);
    expect(decoded.edns).toEqual({ udpSize: 4096, version: 0, dnssecOk: true, options: [] });
  });
});

function optAnswer(): dnsPacket.OptAnswer {
  return { type: 'OPT', name: '.', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] };
}

function typeKey(type: number): string {
  const name = Object.entries(RRType).find(([, value]) => value === type)?.[0];
  return name ?? `UNKNOWN_${type}`;
}

/** Our model in dns-packet's shape (names without a trailing dot, TXT as strings). */
function toDnsPacket(message: Message): dnsPacket.Packet {
  const convert = (r: ResourceRecord) =>
    // dns-packet turns TXT strings into Buffers in place: hand it a copy
    ({ name: r.name, type: typeKey(r.type), class: 'IN', ttl: r.ttl, data: Array.isArray(r.data) ? [...r.data] : r.data }) as dnsPacket.Answer;
  return {
    type: message.qr ? 'response' : 'query',
    id: message.id,
    flags: (message.aa ? dnsPacket.AUTHORITATIVE_ANSWER : 0) | (message.rd ? dnsPacket.RECURSION_DESIRED : 0),
    questions: message.questions.map((q) => ({ name: q.name, type: typeKey(q.type) as dnsPacket.RecordType, class: 'IN' })),
    answers: message.answers.map(convert),
    authorities: message.authorities.map(convert),
    additionals: message.additionals.map(convert),
  };
}
