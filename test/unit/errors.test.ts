import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ClusterDnsError, ErrorCodes } from '../../src/errors.js';

describe('error registry', () => {
  const docs = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  const documented = new Set([...docs.matchAll(/`(CLUSTERDNS_ERR_[A-Z_]+)`/g)].map((m) => m[1]));

  it('documents every code in docs/errors.md, and nothing else', () => {
    expect([...documented].sort()).toEqual(Object.values(ErrorCodes).sort());
  });

  it('uses the CLUSTERDNS_ERR_<AREA>_<WHAT> form', () => {
    for (const code of Object.values(ErrorCodes)) expect(code).toMatch(/^CLUSTERDNS_ERR_[A-Z]+_[A-Z_]+$/);
  });

  it('prefixes the message with file:line and keeps the code', () => {
    const err = new ClusterDnsError(ErrorCodes.MANIFEST_PARSE, 'bad indentation', {
      location: { file: 'c.yaml', line: 7 },
    });
    expect(err.message).toBe('c.yaml:7: bad indentation');
    expect(err.code).toBe('CLUSTERDNS_ERR_MANIFEST_PARSE');
    expect(err).toBeInstanceOf(Error);
  });
});
