// The docs show tests a user can paste; each is a file that runs: docs/embedding.md's vitest block is
// docs-example.test.ts (run here) with the package's import paths, its Jest and fetch blocks are the files of
// examples/embedding that test/e2e/packed-example.test.ts runs against the packed tarball.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { docsBlock } from './docs-blocks.js';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

describe('docs/embedding.md', () => {
  it('the vitest example is test/embedding/docs-example.test.ts with package imports', () => {
    const test = read('test/embedding/docs-example.test.ts')
      .replace(/^\/\/ The vitest example.*\n/, '')
      .replace(/'\.\.\/\.\.\/src\/embedding\/index\.js'/g, "'clusterdns'")
      .replace(/'\.\.\/\.\.\/src\/testing\/index\.js'/g, "'clusterdns/testing'");
    expect(docsBlock('vitest')).toBe(test);
  });

  it('the Jest example is examples/embedding/jest/greeter.test.cjs, run under Jest by the packed example', () => {
    expect(docsBlock('jest')).toBe(read('examples/embedding/jest/greeter.test.cjs'));
  });

  it('the fetch example is examples/embedding/vitest/fetch.test.ts, run under vitest with undici by the packed example', () => {
    expect(docsBlock('fetch')).toBe(read('examples/embedding/vitest/fetch.test.ts'));
  });
});
