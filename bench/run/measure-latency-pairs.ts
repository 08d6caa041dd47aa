// Issue 13's p99 row, measured so that the machine's drift between minutes cancels out: clusterdns and the bare
// probe run side by side (both pinned to the server core; the idle one costs nothing), and their fixed-10k-QPS
// latency runs alternate `rounds` times. On a shared machine one run's p99 moves by 2 × from minute to minute
// for the probe itself, so one run of each, minutes apart, says more about the minute than about clusterdns.
import { latencyRun, warmUp, type MeasureContext } from './load-runs.js';
import { startTarget, startTimeoutMs } from './start-target.js';
import type { Dataset, LatencyPairs } from './types.js';

export async function measureLatencyPairs(ctx: MeasureContext, data: Dataset, rounds: number): Promise<LatencyPairs> {
  const timeoutMs = startTimeoutMs(data.size);
  const clusterdns = await startTarget('clusterdns', data, { timeoutMs });
  try {
    const probe = await startTarget('probe', data, { timeoutMs });
    try {
      if (ctx.options.warmup) warmUp(ctx, clusterdns, 'clusterdns', data.size, [data.hitsFile]);
      const pairs: LatencyPairs['pairs'] = [];
      for (let round = 0; round < rounds; round++) {
        const p = latencyRun(ctx, probe, 'probe', data.size, data.hitsFile, 'latency-pair');
        const c = latencyRun(ctx, clusterdns, 'clusterdns', data.size, data.hitsFile, 'latency-pair');
        if (p.p99 !== null && c.p99 !== null) pairs.push({ probe: p.p99, clusterdns: c.p99 });
      }
      const result: LatencyPairs = { size: data.size, pairs };
      ctx.record({ kind: 'latency-pairs', ...result });
      return result;
    } finally {
      await probe.stop();
    }
  } finally {
    await clusterdns.stop();
  }
}
