import { describe, expect, it } from 'vitest';
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from '../../../src/wire/ip-address.js';
import { nameToWire } from '../../../src/wire/name.js';
import { WireReader } from '../../../src/wire/reader.js';
import { WireFormatError } from '../../../src/wire/wire-format-error.js';
import { labels } from './packet-bytes.js';

describe('nameToWire', () => {
  it.each([
    ['', [0]],
    ['.', [0]],
    ['a', [1, 0x61, 0]],
    ['hello.default.svc', labels('hello.default.svc')],
    ['hello.default.svc.', labels('hello.default.svc')],
    ['a\\.b.c', [3, 0x61, 0x2e, 0x62, 1, 0x63, 0]],
    ['\\065\\\\', [2, 0x41, 0x5c, 0]],
    ['ü', [2, 0xc3, 0xbc, 0]],
  ])('%j', (text, wire) => {
    expect([...nameToWire(text)]).toEqual(wire);
  });

  it.each([
    ['a..b', /empty label/],
    ['.a', /empty label/],
    ['a'.repeat(64), /63/],
    [Array(128).fill('a').join('.'), /255/],
    ['a\\', /dangling/],
    ['a\\256', /DDD/],
  ])('rejects %j', (text, message) => {
    expect(() => nameToWire(text)).toThrow(WireFormatError);
    expect(() => nameToWire(text)).toThrow(message);
  });

  it('accepts exactly 255 octets and 63-octet labels', () => {
    const name = ['a'.repeat(63), 'b'.repeat(63), 'c'.repeat(63), 'd'.repeat(61)].join('.');
    expect(nameToWire(name).length).toBe(255);
    expect(() => nameToWire(`${name}x`)).toThrow(/255/);
  });

  it('round-trips through the reader, escapes included', () => {
    for (const text of ['a\\.b.c', 'x\\032y.z', 'UPPER.lower', '\\195\\188.de', 'a\\\\b']) {
      const wire = Uint8Array.from([...new Array(12).fill(0), ...nameToWire(text)]);
      expect(new WireReader(wire, 12).name()).toBe(text);
    }
  });
});

describe('IP addresses', () => {
  it.each([
    ['10.0.0.1', [10, 0, 0, 1]],
    ['255.255.255.255', [255, 255, 255, 255]],
    ['0.0.0.0', [0, 0, 0, 0]],
  ])('IPv4 %s', (text, bytes) => {
    expect([...(parseIPv4(text) as Uint8Array)]).toEqual(bytes);
    expect(formatIPv4(Uint8Array.from(bytes))).toBe(text);
  });

  it.each(['1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', '1..2.3', 'a.b.c.d', '', '1.2.3.4 '])(
    'rejects IPv4 %j',
    (text) => expect(parseIPv4(text)).toBeNull(),
  );

  it.each([
    ['::', '::'],
    ['::1', '::1'],
    ['fd00:10::5', 'fd00:10::5'],
    ['FD00:0010:0000:0000:0000:0000:0000:0005', 'fd00:10::5'],
    ['::ffff:10.0.0.1', '::ffff:10.0.0.1'],
    ['0:0:0:0:0:ffff:a00:1', '::ffff:10.0.0.1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // RFC 5952 4.2.3: first of equal runs
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // RFC 5952 4.2.2: a single 0 is not "::"
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'], // longest run wins
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
    ['64:ff9b::192.0.2.33', '64:ff9b::c000:221'],
  ])('IPv6 %s → %s', (text, canonical) => {
    const bytes = parseIPv6(text) as Uint8Array;
    expect(bytes).not.toBeNull();
    expect(formatIPv6(bytes)).toBe(canonical);
    expect([...(parseIPv6(canonical) as Uint8Array)]).toEqual([...bytes]);
  });

  it.each(['', ':', ':::', '1::2::3', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', '1::2:3:4:5:6:7:8', '12345::', 'g::', '1.2.3.4::', '::1%eth0', '::1.2.3'])(
    'rejects IPv6 %j',
    (text) => expect(parseIPv6(text)).toBeNull(),
  );
});
