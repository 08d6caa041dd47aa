// Runs the node:test example of docs/embedding.md in a child `node --test` (docs-sync.test.ts keeps the text equal).
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { docsBlock } from './docs-blocks.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('docs/embedding.md node:test example', () => {
  it('passes under node --test against the built package', { timeout: 60_000 }, async () => {
    // dist/ exists: `npm test` builds first, and the vitest globalSetup builds when dist/ is missing or stale.
    const source = docsBlock('node-test')
      .replace(/from 'clusterdns'/g, `from ${JSON.stringify(join(root, 'dist/embedding/index.js'))}`)
      .replace(/from 'clusterdns\/testing'/g, `from ${JSON.stringify(join(root, 'dist/testing/index.js'))}`);
    const dir = await mkdtemp(join(tmpdir(), 'clusterdns-docs-'));
    try {
      const file = join(dir, 'example.test.mjs');
      await writeFile(file, source);
      const { stdout } = await promisify(execFile)(process.execPath, ['--test', file], { cwd: dir });
      expect(stdout).toMatch(/# pass [1-9]/);
      expect(stdout).toMatch(/# fail 0/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
