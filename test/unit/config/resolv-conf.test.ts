import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  hostSearchDomains,
  parseResolvConfNameservers,
  parseResolvConfSearch,
  readResolvConfNameservers,
  readResolvConfSearch,
} from '../../../src/config/resolv-conf.js';
import { ErrorCodes } from '../../../src/errors.js';

describe('resolv.conf search list', () => {
  const cases: Array<[string, string, string[]]> = [
    [
      'a pod’s resolv.conf',
      'search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n',
      ['default.svc.cluster.local', 'svc.cluster.local', 'cluster.local'],
    ],
    ['the last search or domain line wins (glibc)', 'search a.example b.example\ndomain c.example\n', ['c.example']],
    ['comments, case, trailing dots and CRLF', '# generated\r\nsearch Corp.Example.  lab.example ; trailing\r\n', ['corp.example', 'lab.example']],
    ['no search line', 'nameserver 127.0.0.53\n', []],
    ['a search keyword inside a comment does not count', '; search nope.example\n', []],
  ];
  it.each(cases)('%s', (_what, text, expected) => {
    expect(parseResolvConfSearch(text)).toEqual(expected);
  });

  it('reads a file, and names the file when it cannot', () => {
    const dir = mkdtempSync(join(tmpdir(), 'resolv-'));
    const file = join(dir, 'resolv.conf');
    writeFileSync(file, 'search shop.svc.cluster.local svc.cluster.local cluster.local\n');
    expect(readResolvConfSearch(file)).toEqual(['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local']);
    const missing = join(dir, 'missing.conf');
    expect(() => readResolvConfSearch(missing, '--autopath')).toThrow(
      expect.objectContaining({ code: ErrorCodes.CONFIG_INVALID_VALUE, message: expect.stringContaining(`--autopath: cannot read ${missing}`) }),
    );
    expect(hostSearchDomains(missing)).toEqual([]);
    expect(hostSearchDomains(file)).toEqual(['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local']);
  });
});

describe('resolv.conf name servers', () => {
  it('reads every nameserver line in order, on port 53, dropping an IPv6 zone id', () => {
    const text = '# systemd\nnameserver 10.0.0.2\nsearch example\nnameserver fe80::1%eth0 ; link-local\nnameserver 2001:db8::53\noptions edns0\n';
    expect(parseResolvConfNameservers(text)).toEqual([
      { host: '10.0.0.2', port: 53, family: 4 },
      { host: 'fe80::1', port: 53, family: 6 },
      { host: '2001:db8::53', port: 53, family: 6 },
    ]);
    expect(parseResolvConfNameservers('search a.example\n')).toEqual([]);
  });

  it('names the file and line of an address that does not parse', () => {
    const dir = mkdtempSync(join(tmpdir(), 'resolv-'));
    const file = join(dir, 'resolv.conf');
    writeFileSync(file, 'nameserver 10.0.0.2\nnameserver dns.example\n');
    expect(() => readResolvConfNameservers(file)).toThrow(
      expect.objectContaining({ code: ErrorCodes.CONFIG_INVALID_VALUE, location: { file, line: 2 }, message: expect.stringContaining(`${file}:2: nameserver: "dns.example"`) }),
    );
    expect(() => readResolvConfNameservers(join(dir, 'missing'))).toThrow(/--resolv-conf: cannot read/);
  });
});
