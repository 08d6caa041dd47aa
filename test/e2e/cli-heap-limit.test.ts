// A heap limit the data cannot meet: the built CLI under NODE_OPTIONS=--max-old-space-size=16 stops at load
// with CLUSTERDNS_ERR_HEAP_LIMIT, the limit, the data's size and the flag to raise (exit 1, within the test's
// bound), instead of dying of OOM; a manifest that grows past the limit while serving keeps the last good data.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dig } from '../helpers/dig.js';
import { runCli, startCli } from '../helpers/spawn-cli.js';
import { writeCluster } from '../../bench/generate-cluster.mjs';

const EXAMPLE = fileURLToPath(new URL('../../examples/cluster.yaml', import.meta.url));
const SMALL_HEAP = { ...process.env, NODE_OPTIONS: '--max-old-space-size=16' };

describe('a heap limit the cluster data cannot meet', () => {
  let dir: string;
  /** 12,000 Services as JSON: about 9 MB of text, over half of a 16 MB heap. */
  let big: string;
  /** 10,000 Services: 7.4 MB of text, under half the heap, but its objects and index take about twice the heap: too
   *  much to parse on the serving thread, where running out would be fatal (3,000 can just fit now). */
  let medium: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'clusterdns-heap-'));
    writeCluster({ services: 12_000, out: join(dir, 'big') });
    writeCluster({ services: 10_000, out: join(dir, 'medium') });
    big = join(dir, 'big', 'cluster.json');
    medium = join(dir, 'medium', 'cluster.json');
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['a snapshot whose text alone is too big: before it is parsed', () => big],
    ['a snapshot whose objects outgrow the heap: while it is parsed or applied', () => medium],
  ])('fails the start with HEAP_LIMIT, the limit, the size and the flag to raise, exit 1: %s', async (_, file) => {
    const started = Date.now();
    const result = await runCli(['serve', '--listen', '127.0.0.1:0', '--manifest', file()], 60_000, SMALL_HEAP);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/does not fit in the JavaScript heap/);
    expect(result.stderr).toContain('the heap limit is 16 MB (--max-old-space-size=16)');
    expect(result.stderr).toMatch(/NODE_OPTIONS=--max-old-space-size=\d+/);
    expect(result.stderr).toMatch(/\(\d+ (MB|objects)\)/); // how big the data is
    expect(result.stderr).toContain('[CLUSTERDNS_ERR_HEAP_LIMIT]');
    expect(result.stderr).not.toMatch(/FATAL ERROR|heap out of memory/);
    expect(Date.now() - started).toBeLessThan(60_000);
  }, 70_000);

  it('keeps serving the last good data, and warns, when the manifest grows past the heap while serving', async () => {
    const live = join(dir, 'live.yaml');
    copyFileSync(EXAMPLE, live);
    const cli = await startCli(['--manifest', live], 30_000, SMALL_HEAP);
    try {
      copyFileSync(big, live);
      await cli.waitForLog((line) => line.code === 'CLUSTERDNS_ERR_HEAP_LIMIT' || String(line.err ?? '').includes('does not fit'), 30_000);
      expect((await dig(cli.port, 'hello.default.svc.cluster.local')).answer).toEqual(['hello.default.svc.cluster.local. 5 IN A 10.96.0.20']);
    } finally {
      await cli.stop();
    }
  }, 60_000);
});
