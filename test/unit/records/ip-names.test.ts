import { describe, expect, it } from 'vitest';
import { dashedIp, ipToReverseName, parseDashedIp } from '../../../src/records/ip-names.js';

const V6_NIBBLES = (hex32: string) => `${[...hex32].reverse().join('.')}.ip6.arpa`;

describe('ipToReverseName (RFC 1035 3.5, RFC 3596 2.5)', () => {
  const cases: Array<[string, string]> = [
    ['10.96.0.10', '10.0.96.10.in-addr.arpa'],
    ['10.244.1.10', '10.1.244.10.in-addr.arpa'],
    ['0.0.0.0', '0.0.0.0.in-addr.arpa'],
    ['255.255.255.255', '255.255.255.255.in-addr.arpa'],
    ['fd00:10::5', V6_NIBBLES('fd000010000000000000000000000005')],
    ['FD00:0010:0:0:0:0:0:5', V6_NIBBLES('fd000010000000000000000000000005')],
    ['2001:db8::1', V6_NIBBLES('20010db8000000000000000000000001')],
    ['::1', V6_NIBBLES('00000000000000000000000000000001')],
    ['::ffff:10.0.0.1', V6_NIBBLES('00000000000000000000ffff0a000001')],
  ];
  it.each(cases)('%s → %s', (ip, name) => {
    expect(ipToReverseName(ip)).toBe(name);
  });

  it('gives 32 nibble labels for IPv6', () => {
    expect(ipToReverseName('fd00::1').split('.')).toHaveLength(34);
  });

  it.each(['', 'nope', '10.0.0', '10.0.0.256', '010.0.0.1', 'fd00::1::2', 'fe80::1%eth0'])('throws on %j', (ip) => {
    expect(() => ipToReverseName(ip)).toThrow(/not an IP address/);
  });
});

describe('dashedIp and parseDashedIp (spec 1.1.0 pod and endpoint labels)', () => {
  const roundTrips: Array<[string, string, string]> = [
    // ip, dashed label, canonical ip read back
    ['10.244.1.10', '10-244-1-10', '10.244.1.10'],
    ['0.0.0.0', '0-0-0-0', '0.0.0.0'],
    ['fd00:10::5', 'fd00-10--5', 'fd00:10::5'],
    ['FD00:0010:0000::0005', 'fd00-10--5', 'fd00:10::5'],
    ['2001:db8:0:0:1:0:0:1', '2001-db8--1-0-0-1', '2001:db8::1:0:0:1'],
    ['::1', '--1', '::1'],
    ['::', '--', '::'],
    ['2001:db8::', '2001-db8--', '2001:db8::'],
    ['1:2:3:4:5:6:7:8', '1-2-3-4-5-6-7-8', '1:2:3:4:5:6:7:8'],
    ['::ffff:10.0.0.1', '--ffff-a00-1', '::ffff:10.0.0.1'],
  ];
  it.each(roundTrips)('%s ↔ %s', (ip, label, canonical) => {
    expect(dashedIp(ip)).toBe(label);
    expect(label).not.toContain('.');
    expect(parseDashedIp(label)).toBe(canonical);
  });

  const readOnly: Array<[string, string | null]> = [
    ['010-0-0-1', null], // leading zero: refused (Go's net.ParseIP refuses it too)
    ['10-0-0', null],
    ['10-0-0-1-2', null],
    ['10-0-0-256', null],
    ['-10-0-0-1', null],
    ['10-0-0-1-', null],
    ['fd00-10--5--6', null],
    ['fd00-10-5', null],
    ['not-an-ip', null],
    ['', null],
    ['10.0.0.1', null], // a label never holds dots
    ['fd00-0010-0-0-0-0-0-5', 'fd00:10::5'], // any spelling of the address
    ['10-244--1-1', '10:244::1:1'], // as CoreDNS: more dashes than a dotted quad means IPv6
  ];
  it.each(readOnly)('parseDashedIp(%j) → %j', (label, ip) => {
    expect(parseDashedIp(label)).toBe(ip);
  });

  it.each(['', 'nope', '1.2.3', 'fd00:::1'])('dashedIp throws on %j', (ip) => {
    expect(() => dashedIp(ip)).toThrow(/not an IP address/);
  });
});
