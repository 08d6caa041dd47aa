// One cluster target at one size: start (startup time, idle RSS), the dig cross-check, a warm-up pass, the
// saturation series per transport and mix, the latency run, RSS after load; stopped by its PID in the end.
import { digNormalized } from './dig-answer.js';
import { latencyRun, saturationSeries, warmUp, type MeasureContext } from './load-runs.js';
import { processTree, rssMiB } from './process-stats.js';
import { startTarget, startTimeoutMs } from './start-target.js';
import { isProbe } from './targets.js';
import type { Dataset, Target, TargetResult } from './types.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function measureTarget(ctx: MeasureContext, target: Target, data: Dataset): Promise<TargetResult | null> {
  const size = data.size;
  const result: TargetResult = { target, size, runs: {} };
  let srv;
  try {
    srv = await startTarget(target, data, { timeoutMs: startTimeoutMs(size) });
  } catch (err) {
    const message = (err as Error).message;
    ctx.log(`  ${target}: SKIP (${message.split('\n')[0]})`);
    ctx.record({ kind: 'error', target, size, error: message });
    return null;
  }
  try {
    await sleep(300);
    const pids = processTree(srv.pid);
    result.startupMs = srv.startupMs;
    result.idleRssMiB = rssMiB(pids);
    result.idleRssByProcessMiB = pids.map((pid) => rssMiB([pid]));
    ctx.record({ kind: 'startup', target, size, startupMs: srv.startupMs, idleRssMiB: result.idleRssMiB, pids, idleRssByProcessMiB: result.idleRssByProcessMiB });
    ctx.log(`  ${target}: startup ${srv.startupMs} ms, idle RSS ${result.idleRssMiB} MiB`);

    result.answers = data.checks.map(([name, type]) => digNormalized(srv.port, name, type));
    ctx.record({ kind: 'answers', target, size, questions: data.checks, answers: result.answers });

    // clusterdns compiles an answer on the first ask of a (name, type): measure every target warm.
    if (ctx.options.warmup) warmUp(ctx, srv, target, size, [data.hitsFile, data.stormFile]);

    for (const transport of ctx.options.transports) {
      if (ctx.options.warmup && transport === 'tcp') warmUp(ctx, srv, target, size, [data.hitsFile], 'tcp');
      for (const mix of ['hits', 'storm'] as const) {
        result.runs[`${transport}-${mix}`] = saturationSeries(ctx, srv, {
          target, size, transport, mix,
          file: mix === 'hits' ? data.hitsFile : data.stormFile,
          fixedReply: isProbe(target),
          wantNx: mix === 'storm' ? 1 : data.hitsNx,
        });
      }
    }
    if (ctx.options.transports.includes('udp')) result.latency = latencyRun(ctx, srv, target, size, data.hitsFile);
    const loadedPids = processTree(srv.pid);
    result.loadedRssMiB = rssMiB(loadedPids);
    result.loadedRssByProcessMiB = loadedPids.map((pid) => rssMiB([pid]));
    ctx.record({ kind: 'rss', target, size, loadedRssMiB: result.loadedRssMiB, pids: loadedPids, loadedRssByProcessMiB: result.loadedRssByProcessMiB });
  } finally {
    await srv.stop();
  }
  return result;
}
