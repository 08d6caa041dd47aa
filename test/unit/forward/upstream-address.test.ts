import { describe, expect, it } from 'vitest';
import { formatUpstream, parseStubDomain, parseUpstreamAddress } from '../../../src/forward/upstream-address.js';
import { ErrorCodes } from '../../../src/errors.js';

describe('upstream addresses', () => {
  it.each([
    ['10.0.0.10', { host: '10.0.0.10', port: 53, family: 4 }],
    ['10.0.0.10:5353', { host: '10.0.0.10', port: 5353, family: 4 }],
    ['[2001:db8::1]:5300', { host: '2001:db8::1', port: 5300, family: 6 }],
    ['[2001:DB8::1]', { host: '2001:db8::1', port: 53, family: 6 }],
    ['2001:db8::53', { host: '2001:db8::53', port: 53, family: 6 }],
    ['dns://127.0.0.1:1053', { host: '127.0.0.1', port: 1053, family: 4 }],
  ])('%s parses to %j', (text, expected) => {
    expect(parseUpstreamAddress(text)).toEqual(expected);
  });

  it.each([
    ['example.com', 'not an IPv4 or [IPv6] address'],
    ['10.0.0.10:0', 'port 0 is not 1..65535'],
    ['10.0.0.10:70000', 'port 70000'],
    ['10.0.0.10:', 'port (empty)'],
    ['[2001:db8::1', 'unclosed ['],
    ['[10.0.0.1]:53', 'not an IPv6 address'],
    ['[2001:db8::1]53', 'expected :PORT'],
  ])('%s is refused, saying why', (text, why) => {
    expect(() => parseUpstreamAddress(text, '--upstream')).toThrow(
      expect.objectContaining({ code: ErrorCodes.CONFIG_INVALID_VALUE, message: expect.stringContaining(why) }),
    );
    expect(() => parseUpstreamAddress(text, '--upstream')).toThrow(/^--upstream: /);
  });

  it('formats the metrics label with brackets for IPv6', () => {
    expect(formatUpstream(parseUpstreamAddress('[::1]:53'))).toBe('[::1]:53');
    expect(formatUpstream(parseUpstreamAddress('192.0.2.1'))).toBe('192.0.2.1:53');
  });
});

describe('stub domains', () => {
  it('parses DOMAIN=ADDR[,ADDR...] with the domain lowercased and its trailing dot dropped', () => {
    expect(parseStubDomain('Corp.Example.=10.1.0.10, 10.1.0.11:5353,[fd00::53]')).toEqual({
      domain: 'corp.example',
      upstreams: [
        { host: '10.1.0.10', port: 53, family: 4 },
        { host: '10.1.0.11', port: 5353, family: 4 },
        { host: 'fd00::53', port: 53, family: 6 },
      ],
    });
    expect(parseStubDomain('.=192.0.2.1').domain).toBe('');
  });

  it.each([
    ['corp.example', 'expected DOMAIN=ADDR'],
    ['corp.example=', 'no upstream address'],
    ['corp..example=10.0.0.1', 'is not a domain name'],
    ['corp.example=resolver.corp', 'not an IPv4 or [IPv6] address'],
  ])('%s is refused, saying why', (text, why) => {
    expect(() => parseStubDomain(text)).toThrow(expect.objectContaining({ code: ErrorCodes.CONFIG_INVALID_VALUE, message: expect.stringContaining(why) }));
  });
});
