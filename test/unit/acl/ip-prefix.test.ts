import { describe, expect, it } from 'vitest';
import { IpPrefixSet, parseIpPrefix } from '../../../src/acl/ip-prefix.js';
import { allowFromRules } from '../../../src/acl/access-control.js';

const set = (...prefixes: string[]) => new IpPrefixSet(prefixes.map((text) => parseIpPrefix(text)!));

describe('parseIpPrefix', () => {
  it('reads IPv4 and IPv6 prefixes and single addresses (as /32 and /128), clearing host bits', () => {
    expect(parseIpPrefix('10.1.2.3/8')).toMatchObject({ family: 4, length: 8, words: Uint32Array.of(0x0a000000) });
    expect(parseIpPrefix('192.0.2.7')).toMatchObject({ family: 4, length: 32 });
    expect(parseIpPrefix('fd00::1/8')).toMatchObject({ family: 6, length: 8, words: Uint32Array.of(0xfd000000, 0, 0, 0) });
    expect(parseIpPrefix('::1')).toMatchObject({ family: 6, length: 128 });
  });

  it('refuses what is no prefix: a name, a length past the family, a missing length, a zone id', () => {
    for (const bad of ['example.com', '10.0.0.0/33', '::/129', '10.0.0.0/', '10.0.0.0/-1', '10.0.0/8', 'fe80::1%eth0', '*', '']) {
      expect(parseIpPrefix(bad), bad).toBeNull();
    }
  });
});

describe('IpPrefixSet.contains', () => {
  it('matches IPv4 sources on prefix boundaries', () => {
    const nets = set('10.0.0.0/8', '192.168.1.0/24', '127.0.0.1');
    expect(nets.contains('10.255.0.1')).toBe(true);
    expect(nets.contains('11.0.0.1')).toBe(false);
    expect(nets.contains('192.168.1.255')).toBe(true);
    expect(nets.contains('192.168.2.0')).toBe(false);
    expect(nets.contains('127.0.0.1')).toBe(true);
    expect(nets.contains('127.0.0.2')).toBe(false);
  });

  it('matches IPv4-mapped sources of a dual-stack socket against IPv4 prefixes, and IPv6 against IPv6', () => {
    const nets = set('10.0.0.0/8', 'fd00::/8');
    expect(nets.contains('::ffff:10.1.1.1')).toBe(true);
    expect(nets.contains('::FFFF:11.1.1.1')).toBe(false);
    expect(nets.contains('fd12:3456::1')).toBe(true);
    expect(nets.contains('fe80::1%lo')).toBe(false);
    expect(nets.contains('2001:db8::1')).toBe(false);
  });

  it('/0 holds every address of its family, and only that family', () => {
    expect(set('0.0.0.0/0').contains('203.0.113.9')).toBe(true);
    expect(set('0.0.0.0/0').contains('::1')).toBe(false);
    expect(set('::/0').contains('2001:db8::1')).toBe(true);
    expect(IpPrefixSet.everything().contains('::1')).toBe(true);
  });

  it('an unreadable source is in no set', () => {
    expect(set('0.0.0.0/0', '::/0').contains('not-an-address')).toBe(false);
  });
});

describe('allowFromRules (--allow-from)', () => {
  it('makes one rule for every name: the prefixes allowed, everyone else given the deny action', () => {
    expect(allowFromRules(['10.0.0.0/8, fd00::/8', '127.0.0.1'], 'drop')).toEqual([
      { zones: [''], policies: [{ action: 'allow', nets: ['10.0.0.0/8', 'fd00::/8', '127.0.0.1'] }, { action: 'drop' }] },
    ]);
  });

  it('names the value that is no prefix', () => {
    expect(() => allowFromRules(['10.0.0.0/8,cluster.local'])).toThrow(/--allow-from: "cluster\.local" is not/);
  });
});
