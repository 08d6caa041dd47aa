import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readKubeDnsConfig } from '../../../src/corefile/kube-dns-config.js';
import { ErrorCodes } from '../../../src/errors.js';

describe('kube-dns ConfigMap files', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const write = (files: Record<string, string>) => {
    dir = mkdtempSync(join(tmpdir(), 'kube-dns-'));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return dir;
  };

  it('turns stubDomains and upstreamNameservers into stub domains and upstreams', () => {
    const config = readKubeDnsConfig(write({ stubDomains: '{"Corp.Example": ["10.1.0.53", "10.1.0.54:5353"]}', upstreamNameservers: '["8.8.8.8", "2001:db8::1"]' }));
    expect(config).toEqual({ stubDomains: ['corp.example=10.1.0.53:53,10.1.0.54:5353'], upstreams: ['8.8.8.8:53', '[2001:db8::1]:53'] });
  });

  it('an absent or empty key is nothing', () => {
    expect(readKubeDnsConfig(write({ upstreamNameservers: '' }))).toEqual({ stubDomains: [], upstreams: [] });
  });

  it.each([
    ['stubDomains', 'not json', /stubDomains: not JSON/],
    ['stubDomains', '["10.0.0.1"]', /expected a JSON object/],
    ['stubDomains', '{"corp": []}', /"corp": expected a non-empty array/],
    ['upstreamNameservers', '{"a": 1}', /expected a JSON array/],
    ['upstreamNameservers', '["1.1.1.1","1.0.0.1","8.8.8.8","8.8.4.4"]', /at most 3 nameservers/],
    ['upstreamNameservers', '["nowhere"]', /upstreamNameservers: /],
  ])('%s %s is an error naming the file', (file, text, message) => {
    const at = write({ [file]: text });
    expect(() => readKubeDnsConfig(at)).toThrow(expect.objectContaining({ code: ErrorCodes.KUBE_DNS_CONFIG, message: expect.stringMatching(message) }));
  });
});
