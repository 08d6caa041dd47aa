// Trimmed EndpointSlices live as long as the cluster: every one of a kind must share one V8 hidden class, or each
// carries a map and descriptor array of its own (docs/benchmarks.md "Issue 13: the watch path's memory").
// Checked on the built trim.ts in a node process with V8's natives syntax.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const run = promisify(execFile);
const FIXTURE = fileURLToPath(new URL('./fixtures/slice-shapes.mjs', import.meta.url));

it('every trimmed EndpointSlice with the same optional fields shares one hidden class, also once trim.ts is optimised', async () => {
  const { stdout } = await run(process.execPath, ['--allow-natives-syntax', FIXTURE], { timeout: 30_000 });
  expect(JSON.parse(stdout)).toEqual({ plain: 2000, service: 2000, triggered: 2000, both: 2000 });
}, 60_000);
