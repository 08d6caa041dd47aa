import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage } from '../../../src/wire/message.js';
import { nameToWire } from '../../../src/wire/name.js';
import { WireFormatError } from '../../../src/wire/wire-format-error.js';

/** A reply to `example.com` of `type` with one answer owned by the question whose RDATA is `rdata`. */
function replyWith(type: number, rdata: number[]): Buffer {
  const question = [...nameToWire('example.com'), 0, type, 0, 1];
  const answer = [0xc0, 12, 0, type, 0, 1, 0, 0, 0, 60, rdata.length >> 8, rdata.length & 0xff, ...rdata];
  return Buffer.from([0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0, ...question, ...answer]);
}

const POINTER_TO_QUESTION = [0xc0, 12];
const EXAMPLE_COM = [...nameToWire('example.com')];
const text = (value: string) => [value.length, ...Buffer.from(value)];

describe('RDATA names that may arrive compressed (RFC 3597 4)', () => {
  it.each([
    ['MINFO', 14, [...POINTER_TO_QUESTION, 4, ...Buffer.from('mail'), ...POINTER_TO_QUESTION], [...EXAMPLE_COM, ...nameToWire('mail.example.com')]],
    ['AFSDB', 18, [0, 1, ...POINTER_TO_QUESTION], [0, 1, ...EXAMPLE_COM]],
    ['RP', 17, [...POINTER_TO_QUESTION, ...POINTER_TO_QUESTION], [...EXAMPLE_COM, ...EXAMPLE_COM]],
    ['NAPTR', 35, [0, 1, 0, 2, ...text('S'), ...text('SIP+D2U'), ...text(''), ...POINTER_TO_QUESTION], [0, 1, 0, 2, ...text('S'), ...text('SIP+D2U'), ...text(''), ...EXAMPLE_COM]],
  ])('%s comes out with its names written in full, and re-encodes unchanged', (_type, type, rdata, expanded) => {
    const message = decodeMessage(replyWith(type, rdata));
    expect([...(message.answers[0].data as Uint8Array)]).toEqual(expanded);
    const again = decodeMessage(encodeMessage(message));
    expect([...(again.answers[0].data as Uint8Array)]).toEqual(expanded);
  });

  it.each([
    ['MX', [0, 10, ...POINTER_TO_QUESTION], { preference: 10, exchange: 'example.com' }],
    ['MX with a label before the pointer', [0, 5, 4, ...Buffer.from('mail'), ...POINTER_TO_QUESTION], { preference: 5, exchange: 'mail.example.com' }],
  ])('%s (a modelled type) comes out with its exchange decompressed, and re-encodes to the same record', (_type, rdata, data) => {
    const message = decodeMessage(replyWith(15, rdata));
    expect(message.answers[0].data).toEqual(data);
    expect(decodeMessage(encodeMessage(message)).answers[0].data).toEqual(data);
  });

  it('rejects a name that runs past RDLENGTH', () => {
    expect(() => decodeMessage(replyWith(18, [0, 10, 3, ...Buffer.from('abc')]))).toThrow(WireFormatError);
  });

  it('rejects a pointer that does not point backwards', () => {
    expect(() => decodeMessage(replyWith(18, [0, 10, 0xc0, 0xff]))).toThrow(WireFormatError);
  });
});
