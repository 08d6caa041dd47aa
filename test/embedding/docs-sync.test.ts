// docs/embedding.md shows tests a user can paste: its vitest block is docs-example.test.ts (which runs here)
// with the package's import paths.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { docsBlock } from './docs-blocks.js';

describe('docs/embedding.md', () => {
  it('the vitest example is test/embedding/docs-example.test.ts with package imports', () => {
    const test = readFileSync(new URL('./docs-example.test.ts', import.meta.url), 'utf8')
      .replace(/^\/\/ The vitest example.*\n/, '')
      .replace(/'\.\.\/\.\.\/src\/embedding\/index\.js'/g, "'clusterdns'")
      .replace(/'\.\.\/\.\.\/src\/testing\/index\.js'/g, "'clusterdns/testing'");
    expect(docsBlock('vitest')).toBe(test);
  });
});
