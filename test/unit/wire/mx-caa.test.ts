import dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { createMessage, decodeMessage, encodeMessage, type Message } from '../../../src/wire/message.js';
import { formatRecord } from '../../../src/wire/presentation.js';
import { RRClass, RRType, type ResourceRecord } from '../../../src/wire/types.js';
import { WireFormatError } from '../../../src/wire/wire-format-error.js';

const IN = RRClass.IN;
const MX: ResourceRecord = { name: 'example.internal', type: RRType.MX, class: IN, ttl: 300, data: { preference: 10, exchange: 'mail.example.internal' } };
const CAA: ResourceRecord = { name: 'example.internal', type: RRType.CAA, class: IN, ttl: 300, data: { flags: 128, tag: 'issue', value: 'ca.example.net; account=230123' } };
const CAA_UTF8: ResourceRecord = { name: 'example.internal', type: RRType.CAA, class: IN, ttl: 300, data: { flags: 0, tag: 'iodef', value: 'mailto:sécurité@example.internal' } };

function response(answers: ResourceRecord[]): Message {
  return createMessage({ id: 7, qr: true, aa: true, questions: [{ name: 'example.internal', type: RRType.ANY, class: IN }], answers });
}

describe('MX (RFC 1035 3.3.9) and CAA (RFC 8659) on the wire', () => {
  it.each([MX, CAA, CAA_UTF8].map((record) => [formatRecord(record), record] as const))('round-trips %s', (_line, record) => {
    const message = response([record]);
    expect(decodeMessage(encodeMessage(message))).toEqual(message);
  });

  it('compresses the MX exchange against the owner name (2 octets of pointer instead of 20 of name)', () => {
    const wire = encodeMessage(response([MX]));
    // header 12 + question (18 + 4) + answer: owner pointer 2, type/class/ttl/rdlength 10, preference 2,
    // "mail" label 5 + pointer 2 to example.internal in the question.
    expect(wire.length).toBe(12 + 22 + 2 + 10 + 2 + 5 + 2);
  });

  it('formats MX and CAA as zone-file lines', () => {
    expect(formatRecord(MX)).toBe('example.internal. 300 IN MX 10 mail.example.internal.');
    expect(formatRecord(CAA)).toBe('example.internal. 300 IN CAA 128 issue "ca.example.net; account=230123"');
  });

  it('dns-packet decodes our MX and CAA to the same fields', () => {
    const theirs = dnsPacket.decode(encodeMessage(response([MX, CAA, CAA_UTF8])));
    const answers = theirs.answers as any[];
    expect(answers.map((r) => r.type)).toEqual(['MX', 'CAA', 'CAA']);
    expect(answers[0].data).toEqual({ preference: 10, exchange: 'mail.example.internal' });
    expect([answers[1].data.flags, answers[1].data.tag, answers[1].data.value, answers[1].data.issuerCritical]).toEqual([
      128,
      'issue',
      'ca.example.net; account=230123',
      true,
    ]);
    expect(answers[2].data.value).toBe('mailto:sécurité@example.internal');
  });

  it('our decoder reads the MX and CAA dns-packet encodes', () => {
    const theirs = dnsPacket.encode({
      type: 'response',
      id: 9,
      questions: [{ name: 'example.internal', type: 'ANY', class: 'IN' }],
      answers: [
        { name: 'example.internal', type: 'MX', class: 'IN', ttl: 300, data: { preference: 10, exchange: 'mail.example.internal' } },
        { name: 'example.internal', type: 'CAA', class: 'IN', ttl: 300, data: { flags: 128, tag: 'issue', value: 'ca.example.net; account=230123' } },
      ],
    } as unknown as dnsPacket.Packet);
    expect(decodeMessage(theirs).answers.map(formatRecord)).toEqual([formatRecord(MX), formatRecord(CAA)]);
  });

  it('refuses to encode a CAA tag that is empty, too long or not alphanumeric (RFC 8659 4.1)', () => {
    for (const tag of ['', 'a'.repeat(16), 'is-sue']) {
      const bad = { ...CAA, data: { flags: 0, tag, value: 'x' } } as ResourceRecord;
      expect(() => encodeMessage(response([bad]))).toThrow(WireFormatError);
    }
  });

  it('writes opaque RDATA given for a modelled type as is (RFC 3597 5), and formats it as \\#', () => {
    const raw: ResourceRecord = { name: 'example.internal', type: RRType.TXT, class: IN, ttl: 1, data: Uint8Array.from([2, 0xff, 0xfe]) };
    const wire = encodeMessage(response([raw]));
    expect(wire.subarray(wire.length - 3)).toEqual(Buffer.from([2, 0xff, 0xfe]));
    expect(formatRecord(raw)).toBe('example.internal. 1 IN TXT \\# 3 02fffe');
  });
});
