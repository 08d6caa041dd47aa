// clusterdns-cache: forwarded names answered from the cache. A Knot serving the forwarded zone is the
// upstream (pinned with dnsperf: after the warm-up it has nothing to do); clusterdns serves the cluster and
// forwards everything else to it. Before each series a warm-up pass puts every name in the cache; the
// upstream's CPU time over the measured runs shows whether any query still reached it.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { digNormalized } from './dig-answer.js';
import { answersAddress } from './first-answer.js';
import { freePort } from './free-port.js';
import { latencyRun, saturationSeries, warmUp, type MeasureContext } from './load-runs.js';
import { CLOCK_TICKS_PER_SECOND, cpuTicks, processTree, rssMiB } from './process-stats.js';
import { startServer, type RunningServer } from './server-process.js';
import { startTarget } from './start-target.js';
import { CLIENT_CPU, knotLaunch } from './targets.js';
import type { Dataset, Skipped, TargetResult } from './types.js';

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

/** The result, or why it could not be measured (`unavailable` given, or a server that did not start). */
export async function measureForwardCache(ctx: MeasureContext, data: Dataset, unavailable: string | null): Promise<TargetResult | Skipped> {
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
      srv = await startTarget(TARGET, data, { upstreamPort: upstream.port, timeoutMs: size >= 100000 ? 120000 : 60000 });
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
