import { describe, expect, it } from 'vitest';
import { parseQuery, type QueryParseResult } from '../../../src/wire/query.js';
import { RCode, RRType } from '../../../src/wire/types.js';
import { header, labels, opt, packet, question, seededRandom, u16, u32 } from './packet-bytes.js';

const Q = question('Hello.Default.svc.cluster.local', RRType.A);
const Q_END = 12 + Q.length;

describe('parseQuery: well-formed queries', () => {
  it('reads header, lowercased qname, qtype, qclass, and no EDNS', () => {
    const result = parseQuery(packet(header({ id: 0xabcd, flags: 0x0110 }), Q));
    expect(result).toEqual({
      kind: 'ok',
      query: {
        id: 0xabcd,
        flags: 0x0110,
        opcode: 0,
        recursionDesired: true,
        checkingDisabled: true,
        qname: 'hello.default.svc.cluster.local',
        qtype: RRType.A,
        qclass: 1,
        questionEnd: Q_END,
        edns: null,
      },
    });
  });

  it('reads the root name and escapes dots inside labels', () => {
    expect(ok(parseQuery(packet(header(), question(''))))).toMatchObject({ qname: '', questionEnd: 17 });
    const dotted = [3, 0x41, 0x2e, 0x42, 1, 0x43, 0, ...u16(1), ...u16(1)];
    expect(ok(parseQuery(packet(header(), dotted))).qname).toBe('a\\.b.c');
  });

  it('finds the OPT, clamps a payload size below 512, reads DO', () => {
    const small = parseQuery(packet(header({ ar: 1 }), Q, opt({ udpSize: 100, dnssecOk: true })));
    expect(ok(small).edns).toEqual({ udpSize: 512, version: 0, dnssecOk: true });
    const big = parseQuery(packet(header({ ar: 1 }), Q, opt({ udpSize: 4096, rdata: [0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8] })));
    expect(ok(big).edns).toEqual({ udpSize: 4096, version: 0, dnssecOk: false });
  });

  it('skips answer, authority and other additional records to find the OPT', () => {
    const rr = [0xc0, 12, ...u16(RRType.A), ...u16(1), ...u32(5), ...u16(4), 10, 0, 0, 1];
    const result = parseQuery(packet(header({ an: 1, ns: 1, ar: 2 }), Q, rr, rr, rr, opt({ udpSize: 1400 })));
    expect(ok(result)).toMatchObject({ questionEnd: Q_END, edns: { udpSize: 1400 } });
  });

  it('accepts an OPT owner written as a pointer to a root label', () => {
    const result = parseQuery(packet(header({ ar: 1 }), Q, opt({ owner: [0xc0, Q_END - 5] })));
    expect(ok(result).edns).not.toBeNull();
  });
});

describe('parseQuery: malformed input', () => {
  const formerr = (questionEnd: number | null) => ({ kind: 'error', rcode: RCode.FORMERR, questionEnd });
  const rr = [0, ...u16(RRType.A), ...u16(1), ...u32(5), ...u16(4), 10, 0, 0, 1];
  it.each<[string, Uint8Array, object]>([
    ['empty packet', packet([]), { kind: 'drop' }],
    ['truncated header (11 bytes)', packet(header().slice(0, 11)), { kind: 'drop' }],
    ['a response (QR=1)', packet(header({ flags: 0x8100 }), Q), { kind: 'drop' }],
    ['a response with a broken question', packet(header({ flags: 0x8000 }), [0xc0]), { kind: 'drop' }],
    ['header only, qdcount 1', packet(header()), formerr(null)],
    ['truncated question name', packet(header(), Q.slice(0, 10)), formerr(null)],
    ['question without qclass', packet(header(), Q.slice(0, Q.length - 2)), formerr(null)],
    ['label > 63 (0x40 type)', packet(header(), [64, ...new Array(64).fill(0x61), 0, ...u16(1), ...u16(1)]), formerr(null)],
    ['reserved label type 0x80', packet(header(), [0x81, 0x61, 0, ...u16(1), ...u16(1)]), formerr(null)],
    ['pointer loop', packet(header(), [0xc0, 12, ...u16(1), ...u16(1)]), formerr(null)],
    ['pointer forward', packet(header(), [0xc0, 14, 0, ...u16(1), ...u16(1)]), formerr(null)],
    ['pointer into the header', packet(header(), [1, 0x61, 0xc0, 2, ...u16(1), ...u16(1)]), formerr(null)],
    ['name > 255 octets', packet(header(), [...Array(5)].flatMap(() => [60, ...new Array(60).fill(0x61)]), [0], u16(1), u16(1)), formerr(null)],
    ['qdcount 0', packet(header({ qd: 0 })), formerr(null)],
    ['qdcount 2', packet(header({ qd: 2 }), Q, Q), formerr(null)],
    ['trailing garbage', packet(header(), Q, [1, 2, 3]), formerr(Q_END)],
    ['answer count without records', packet(header({ an: 1 }), Q), formerr(Q_END)],
    ['RR with RDLENGTH past the end', packet(header({ ar: 1 }), Q, rr.slice(0, -1)), formerr(Q_END)],
    ['OPT twice', packet(header({ ar: 2 }), Q, opt(), opt()), formerr(Q_END)],
    ['OPT with a non-root owner', packet(header({ ar: 1 }), Q, opt({ owner: labels('x') })), formerr(Q_END)],
    ['OPT in the answer section', packet(header({ an: 1 }), Q, opt()), formerr(Q_END)],
    ['OPT option running past RDATA', packet(header({ ar: 1 }), Q, opt({ rdata: [0, 10, 0, 9, 1] })), formerr(Q_END)],
    [
      'EDNS version 1',
      packet(header({ ar: 1 }), Q, opt({ version: 1, dnssecOk: true })),
      { kind: 'error', rcode: RCode.BADVERS, questionEnd: Q_END, edns: { udpSize: 1232, version: 1, dnssecOk: true } },
    ],
    ['opcode 2 (STATUS)', packet(header({ flags: 0x1100 }), Q), { kind: 'error', rcode: RCode.NOTIMP, questionEnd: Q_END }],
    [
      'opcode 5 (UPDATE) with an OPT',
      packet(header({ flags: 0x2800, ar: 1 }), Q, opt()),
      { kind: 'error', rcode: RCode.NOTIMP, questionEnd: Q_END, edns: { udpSize: 1232, version: 0, dnssecOk: false } },
    ],
    ['opcode 4 (NOTIFY), no question', packet(header({ flags: 0x2000, qd: 0 })), { kind: 'error', rcode: RCode.NOTIMP, questionEnd: null }],
    ['opcode 1, unreadable question', packet(header({ flags: 0x0800 }), [0xc0, 12]), { kind: 'error', rcode: RCode.NOTIMP, questionEnd: null }],
  ])('%s', (_what, bytes, expected) => {
    const result = parseQuery(bytes);
    expect(result).toMatchObject(expected);
    if (result.kind === 'error') {
      expect(result.id).toBe(0x1234);
      expect(result.flags).toBe((bytes[2] << 8) | bytes[3]);
    }
  });

  it('keeps the OPT of a query refused for its question count', () => {
    const result = parseQuery(packet(header({ qd: 2, ar: 1 }), Q, Q, opt({ dnssecOk: true })));
    expect(result).toMatchObject({ kind: 'error', rcode: RCode.FORMERR, questionEnd: null, edns: { dnssecOk: true } });
  });

  it('fuzz: 5000 mutated packets never throw and always give one of the three kinds', () => {
    const random = seededRandom(20240603);
    const seeds = [
      packet(header(), Q),
      packet(header({ ar: 1 }), Q, opt({ dnssecOk: true, rdata: [0, 10, 0, 2, 1, 2] })),
      packet(header({ an: 1, ar: 1 }), Q, rr, opt()),
      packet(header(), [3, 0x77, 0x77, 0x77, 0xc0, 12, ...u16(1), ...u16(1)]),
    ];
    const seen = { ok: 0, error: 0, drop: 0 };
    for (let i = 0; i < 5000; i++) {
      const bytes = Uint8Array.from(seeds[i % seeds.length]);
      const mutated = mutate(bytes, random);
      let result: QueryParseResult | undefined;
      expect(() => {
        result = parseQuery(mutated);
      }).not.toThrow();
      expect(['ok', 'error', 'drop']).toContain(result?.kind);
      seen[result!.kind]++;
      if (result!.kind === 'ok') expect(result!.query.questionEnd).toBeLessThanOrEqual(mutated.length);
      if (result!.kind === 'error' && result!.questionEnd !== null) {
        expect(result!.questionEnd).toBeLessThanOrEqual(mutated.length);
      }
    }
    // the mutations reach every outcome, so the loop really exercised the error paths
    expect(Math.min(seen.ok, seen.error, seen.drop)).toBeGreaterThan(50);
  });
});

function ok(result: QueryParseResult) {
  if (result.kind !== 'ok') throw new Error(`expected ok, got ${JSON.stringify(result)}`);
  return result.query;
}

/** Flip bytes, truncate, or append random bytes (1–3 mutations). */
function mutate(bytes: Uint8Array, random: () => number): Uint8Array {
  let out = bytes;
  const count = 1 + Math.floor(random() * 3);
  for (let m = 0; m < count; m++) {
    const choice = random();
    if (choice < 0.6 && out.length > 0) {
      out[Math.floor(random() * out.length)] = Math.floor(random() * 256);
    } else if (choice < 0.8) {
      out = out.slice(0, Math.floor(random() * out.length));
    } else {
      const extra = Array.from({ length: 1 + Math.floor(random() * 8) }, () => Math.floor(random() * 256));
      out = Uint8Array.from([...out, ...extra]);
    }
  }
  return out;
}
