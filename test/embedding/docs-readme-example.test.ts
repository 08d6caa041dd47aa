// The README's embedding snippet runs as written in a plain .mjs on Node 20 (no `await using`, no TypeScript):
// only its two import specifiers are pointed at the built package.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { docsBlock } from './docs-blocks.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('README.md embedding snippet', () => {
  it('runs under plain node as an .mjs and prints the answers its comments claim', { timeout: 30_000 }, async () => {
    const snippet = docsBlock('readme', 'README.md');
    const source = snippet
      .replace(/from 'clusterdns'/g, `from ${JSON.stringify(join(root, 'dist/index.js'))}`)
      .replace(/from 'clusterdns\/testing'/g, `from ${JSON.stringify(join(root, 'dist/testing/index.js'))}`);
    expect(source).not.toBe(snippet);
    const dir = await mkdtemp(join(tmpdir(), 'clusterdns-readme-'));
    try {
      const file = join(dir, 'snippet.mjs');
      await writeFile(file, source);
      const { stdout } = await promisify(execFile)(process.execPath, [file], { cwd: dir, timeout: 20_000 });
      // Each console.log line's comment is the output it claims.
      const claimed = [...snippet.matchAll(/console\.log\(.*\); \/\/ (.*)$/gm)].map((m) => m[1]);
      expect(claimed).toHaveLength(3);
      expect(stdout.trim().split('\n')).toEqual(claimed);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
