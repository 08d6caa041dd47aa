// The published shape: examples/embedding installs clusterdns from the tarball `npm pack` makes, type-checks
// it with skipLibCheck false (ESM and CommonJS consumers), and runs its node:test, vitest and Jest suites.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const script = fileURLToPath(new URL('../../examples/embedding/run.sh', import.meta.url));

describe('examples/embedding from the packed tarball', () => {
  it('installs, type-checks with skipLibCheck false and passes under node:test, vitest and Jest', { timeout: 300_000 }, async () => {
    const { stdout, stderr } = await run('bash', [script], {
      env: { ...process.env, CLUSTERDNS_SKIP_BUILD: '1' },
      timeout: 290_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    expect(stdout).toContain('# fail 0');
    expect(stdout).toMatch(/# pass [1-9]/);
    expect(stdout).toContain('CommonJS: ok');
    expect(stdout).toMatch(/Tests\s+4 passed \(4\)/); // vitest: greeter and fetch
    expect(stderr).toMatch(/Tests:\s+5 passed, 5 total/); // Jest reports on stderr
    expect(stdout).toContain('examples/embedding: OK');
  });
});
