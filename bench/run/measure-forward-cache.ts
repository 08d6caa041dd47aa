// clusterdns-cache: forwarded names answered from the cache. A Knot serving the forwarded zone is the
// upstream (pinned with dnsperf: after the warm-up it has nothing to do); clusterdns serves the cluster and
// forwards everything else to it. Before each series a warm-up pass puts every name in the cache; the
// upstream's CPU time over the measured runs shows whether any query still reached it. Then, for issue 13's two
// cache rows, its single saturation and fixed-rate runs alternate with the bare probe's (as the p99 row's do in
// measure-latency-pairs.ts): the machine's speed drifts by a third between minutes, so a ratio of runs taken
// minutes apart says more about the minutes than about the cache.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { digNormalized } from './dig-answer.js';
import { answersAddress } from './first-answer.js';
import { freePort } from './free-port.js';
import { latencyRun, saturationSeries, warmUp, type MeasureContext } from './load-runs.js';
import { CLOCK_TICKS_PER_SECOND, cpuTicks, processTree, rssMiB } from './process-stats.js';
import { startServer, type RunningServer } from './server-process.js';
import { startTarget, startTimeoutMs } from './start-target.js';
import { CLIENT_CPU, knotLaunch } from './targets.js';
import type { CachePairs, Dataset, Skipped, TargetResult } from './types.js';

const TARGET = 'clusterdns-cache';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startUpstream(data: Dataset): Promise<RunningServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(os.tmpdir(), 'clusterdns-bench-upstream-'));
  return startServer({
    label: 'upstream knot',
    launch: knotLaunch(dir, port, [{ domain: data.forward.origin, file: data.forward.zoneFile }]),
    port,
    dir,
    cpus: CLIENT_CPU,
    readyName: data.forward.checkName,
    readyCheck: answersAddress(data.forward.checkIp),
    timeoutMs: 60000,
  });
}

/**
 * `rounds` alternated runs of the probe (its UDP ceiling and p99, on the hits file it always answers) and of the
 * cache (the forwarded names), each a single run; the cache warmed first, the upstream's CPU counted by `measured`.
 * The fixed-rate rounds come first, as the cluster hits' do: a fixed-rate run that starts about 8 s after a
 * saturation run meets V8's memory reducer, which compacts the heap the burst grew (docs/benchmarks.md, stop 15).
 */
async function alternateWithProbe(ctx: MeasureContext, data: Dataset, srv: RunningServer, rounds: number, measured: <T>(run: () => T) => T): Promise<CachePairs> {
  const probe = await startTarget('probe', data, { timeoutMs: startTimeoutMs(data.size) });
  try {
    const once = { ...ctx, options: { ...ctx.options, runs: 1 } };
    const pairs: CachePairs = { size: data.size, qps: [], p99: [], lost: 0, rcodeCheck: 'ok' };
    warmUp(ctx, srv, TARGET, data.size, [data.forward.queriesFile]);
    for (let round = 0; round < rounds; round++) {
      const pl = latencyRun(ctx, probe, 'probe', data.size, data.hitsFile, 'cache-pair-latency').p99;
      const cl = measured(() => latencyRun(ctx, srv, TARGET, data.size, data.forward.queriesFile, 'cache-pair-latency').p99);
      if (pl !== null && cl !== null) pairs.p99.push({ probe: pl, clusterdns: cl });
    }
    const spec = { size: data.size, transport: 'udp', fixedReply: false, wantNx: 0, recordKind: 'cache-pair' } as const;
    for (let round = 0; round < rounds; round++) {
      const p = saturationSeries(once, probe, { ...spec, target: 'probe', mix: 'hits', file: data.hitsFile, fixedReply: true }).best.qps;
      const c = measured(() => saturationSeries(once, srv, { ...spec, target: TARGET, mix: 'fwd', file: data.forward.queriesFile }).best);
      pairs.lost += c.lost ?? 0;
      if (pairs.rcodeCheck === 'ok') pairs.rcodeCheck = c.rcodeCheck;
      if (p !== null && c.qps !== null) pairs.qps.push({ probe: p, clusterdns: c.qps });
    }
    ctx.record({ kind: 'cache-pairs', target: TARGET, ...pairs });
    return pairs;
  } finally {
    await probe.stop();
  }
}

/**
 * The result, or why it could not be measured (`unavailable` given, or a server that did not start);
 * `rounds` > 0 alternates that many rounds with the probe (alternateWithProbe).
 */
export async function measureForwardCache(ctx: MeasureContext, data: Dataset, unavailable: string | null, rounds = 0): Promise<TargetResult | Skipped> {
  const size = data.size;
  const skip = (reason: string): Skipped => {
    ctx.log(`  ${TARGET}: unavailable (${reason})`);
    ctx.record({ kind: 'unavailable', target: TARGET, size, reason });
    return { target: TARGET, size, reason };
  };
  if (unavailable) return skip(unavailable);
  let upstream: RunningServer | undefined;
  let srv: RunningServer | undefined;
  try {
    try {
      upstream = await startUpstream(data);
      srv = await startTarget(TARGET, data, { upstreamPort: upstream.port, timeoutMs: startTimeoutMs(size) });
    } catch (err) {
      return skip((err as Error).message.split('\n')[0]);
    }
    const result: TargetResult = { target: TARGET, size, runs: {}, forwardNames: data.forward.names };
    await sleep(300);
    const pids = processTree(srv.pid);
    result.startupMs = srv.startupMs;
    result.idleRssMiB = rssMiB(pids);
    ctx.record({ kind: 'startup', target: TARGET, size, startupMs: srv.startupMs, idleRssMiB: result.idleRssMiB, pids });
    ctx.log(`  ${TARGET}: startup ${srv.startupMs} ms, idle RSS ${result.idleRssMiB} MiB (upstream knot on 127.0.0.1:${upstream.port}, ${data.forward.names} names)`);

    const questions = data.forward.checks;
    result.forwardAnswers = questions.map(([name, type]) => digNormalized(srv!.port, name, type));
    result.upstreamAnswers = questions.map(([name, type]) => digNormalized(upstream!.port, name, type));
    ctx.record({ kind: 'forward-answers', target: TARGET, size, names: data.forward.names, questions, answers: result.forwardAnswers, upstreamAnswers: result.upstreamAnswers });

    const upstreamPids = processTree(upstream.pid);
    let upstreamTicks = 0;
    const measured = <T>(run: () => T): T => {
      const t0 = cpuTicks(upstreamPids);
      try {
        return run();
      } finally {
        upstreamTicks += cpuTicks(upstreamPids) - t0;
      }
    };
    for (const transport of ctx.options.transports) {
      warmUp(ctx, srv, TARGET, size, [data.forward.queriesFile]);
      result.runs[`${transport}-fwd`] = measured(() =>
        saturationSeries(ctx, srv!, { target: TARGET, size, transport, mix: 'fwd', file: data.forward.queriesFile, fixedReply: false, wantNx: 0 }),
      );
    }
    if (ctx.options.transports.includes('udp')) {
      warmUp(ctx, srv, TARGET, size, [data.forward.queriesFile]);
      result.latency = measured(() => latencyRun(ctx, srv!, TARGET, size, data.forward.queriesFile));
      if (rounds > 0) {
        ctx.log(`  ${TARGET} and the probe alternated ${rounds} times (UDP saturation, then p99 at 10k QPS):`);
        result.cachePairs = await alternateWithProbe(ctx, data, srv, rounds, measured);
      }
    }
    result.upstreamCpuSeconds = upstreamTicks / CLOCK_TICKS_PER_SECOND;
    ctx.record({ kind: 'upstream-cpu', target: TARGET, size, cpuSeconds: result.upstreamCpuSeconds });
    ctx.log(`  ${TARGET}: the upstream used ${result.upstreamCpuSeconds.toFixed(2)} CPU s during the measured runs`);
    result.loadedRssMiB = rssMiB(processTree(srv.pid));
    ctx.record({ kind: 'rss', target: TARGET, size, loadedRssMiB: result.loadedRssMiB });
    return result;
  } finally {
    await srv?.stop();
    await upstream?.stop();
  }
}
