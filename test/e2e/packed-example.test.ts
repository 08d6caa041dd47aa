// The published shape: examples/embedding installs clusterdns from the tarball `npm pack` makes, then
// type-checks and runs its own node:test suite (ESM and CommonJS) — exports, types, no dev-only imports.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const script = fileURLToPath(new URL('../../examples/embedding/run.sh', import.meta.url));

describe('examples/embedding from the packed tarball', () => {
  it('installs, type-checks and passes its own tests', { timeout: 240_000 }, async () => {
    const { stdout } = await run('bash', [script], {
      env: { ...process.env, CLUSTERDNS_SKIP_BUILD: '1' },
      timeout: 230_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    expect(stdout).toContain('# fail 0');
    expect(stdout).toMatch(/# pass [1-9]/);
    expect(stdout).toContain('CommonJS: ok');
    expect(stdout).toContain('examples/embedding: OK');
  });
});
