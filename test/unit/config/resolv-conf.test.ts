import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hostSearchDomains, parseResolvConfSearch, readResolvConfSearch } from '../../../src/config/resolv-conf.js';
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
