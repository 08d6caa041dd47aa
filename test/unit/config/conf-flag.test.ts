import { describe, expect, it } from 'vitest';
import { givenFlags, normalizeConfFlag, parseServeArgs } from '../../../src/config/serve-options.js';

describe('--conf and the flags that override a Corefile', () => {
  it('takes CoreDNS’s -conf FILE and -conf=FILE as --conf', () => {
    expect(parseServeArgs(normalizeConfFlag(['-conf', '/etc/coredns/Corefile'])).conf).toBe('/etc/coredns/Corefile');
    expect(parseServeArgs(normalizeConfFlag(['-conf=/etc/coredns/Corefile'])).conf).toBe('/etc/coredns/Corefile');
  });

  it('reads --kube-dns-config DIR', () => {
    expect(parseServeArgs(['--kube-dns-config', '/etc/kube-dns']).kubeDnsConfig).toBe('/etc/kube-dns');
  });

  it('knows which flags were written, so only those override the file', () => {
    expect([...givenFlags(['--conf', 'C', '--ttl=3', '--listen', '127.0.0.1:0', 'value'])].sort()).toEqual(['conf', 'listen', 'ttl']);
  });
});
