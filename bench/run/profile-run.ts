// `node --cpu-prof` of clusterdns under one saturation run; the samples before the load starts (loading
// the snapshot) are left out of the summary.
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runDnsperf } from './dnsperf.js';
import type { MeasureContext } from './load-runs.js';
import { RESULTS_DIR } from './paths.js';
import { summarizeProfile } from './script-modules.js';
import type { RunningServer } from './server-process.js';
import { startTarget } from './start-target.js';
import type { Dataset, ProfileResult } from './types.js';

export async function profileClusterdns(ctx: MeasureContext, stamp: string, data: Dataset, mix: string): Promise<ProfileResult | null> {
  const profDir = join(RESULTS_DIR, `profile-${stamp}-${mix}`);
  mkdirSync(profDir, { recursive: true });
  let srv: RunningServer | undefined;
  let skipMs = 0;
  try {
    const t0 = performance.now();
    srv = await startTarget('clusterdns', data, { nodeArgs: ['--cpu-prof', '--cpu-prof-dir', profDir] });
    await new Promise((r) => setTimeout(r, 500));
    skipMs = Math.round(performance.now() - t0);
    runDnsperf(srv.port, mix === 'storm' ? data.stormFile : data.hitsFile, ctx.options, { transport: 'udp', seconds: ctx.options.duration });
  } catch (err) {
    ctx.log(`profile: SKIP (${(err as Error).message})`);
    return null;
  } finally {
    await srv?.stop();
  }
  const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) {
    ctx.log('profile: no .cpuprofile written');
    return null;
  }
  const top = summarizeProfile(JSON.parse(readFileSync(join(profDir, file), 'utf8')), 25, { skipMs });
  ctx.record({ kind: 'profile', size: data.size, mix, file: join(profDir, file), skipMs, top });
  return { mix, file: join(profDir, file), top, skipMs };
}
