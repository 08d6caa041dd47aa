// Issue 13's `--workers` row, measured so that the machine's drift cancels out: clusterdns on one core and
// clusterdns-all (`--workers auto`) run side by side, idle but for the run at hand, and their single saturation
// runs alternate `rounds` times per transport and mix (the order flipped each round). With `withProbes` the bare
// probe and probe-all do the same beside them: what all cores give a server that does nothing on this machine,
// where dnsperf takes one of the two cores (docs/benchmarks.md "Multi-core mode").
import { saturationSeries, warmUp, type MeasureContext } from './load-runs.js';
import type { RunningServer } from './server-process.js';
import { startTarget, startTimeoutMs } from './start-target.js';
import { isProbe } from './targets.js';
import type { Dataset, Target, WorkerPairs } from './types.js';

interface Side {
  one: { target: Target; srv: RunningServer };
  all: { target: Target; srv: RunningServer };
  into: WorkerPairs['clusterdns'];
}

export async function measureWorkerPairs(ctx: MeasureContext, data: Dataset, rounds: number, withProbes: boolean): Promise<WorkerPairs> {
  const started: RunningServer[] = [];
  const start = async (target: Target) => {
    const srv = await startTarget(target, data, { timeoutMs: startTimeoutMs(data.size) });
    started.push(srv);
    return { target, srv };
  };
  try {
    const result: WorkerPairs = { size: data.size, clusterdns: {}, probe: {} };
    const sides: Side[] = [{ one: await start('clusterdns'), all: await start('clusterdns-all'), into: result.clusterdns }];
    if (withProbes) sides.push({ one: await start('probe'), all: await start('probe-all'), into: result.probe });
    const once = { ...ctx, options: { ...ctx.options, runs: 1 } };
    for (const transport of ctx.options.transports) {
      if (ctx.options.warmup) {
        for (const { target, srv } of sides.flatMap((s) => [s.one, s.all])) {
          warmUp(ctx, srv, target, data.size, transport === 'udp' ? [data.hitsFile, data.stormFile] : [data.hitsFile], transport);
        }
      }
      for (const mix of ['hits', 'storm'] as const) {
        const combo = `${transport}-${mix}`;
        const file = mix === 'hits' ? data.hitsFile : data.stormFile;
        for (let round = 0; round < rounds; round++) {
          for (const side of sides) {
            const qps = { one: null as number | null, all: null as number | null };
            for (const which of round % 2 === 0 ? (['one', 'all'] as const) : (['all', 'one'] as const)) {
              const { target, srv } = side[which];
              const spec = { target, size: data.size, transport, mix, file, fixedReply: isProbe(target), wantNx: mix === 'storm' ? 1 : data.hitsNx, recordKind: 'worker-pair' };
              qps[which] = saturationSeries(once, srv, spec).best.qps;
            }
            if (qps.one !== null && qps.all !== null) (side.into[combo] ??= []).push({ one: qps.one, all: qps.all });
          }
        }
      }
    }
    ctx.record({ kind: 'worker-pairs', ...result });
    return result;
  } finally {
    for (const srv of started.reverse()) await srv.stop();
  }
}
