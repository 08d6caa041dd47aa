// The three kinds of dnsperf run against a started server: the warm-up pass, the saturation series (best of
// --runs, with the server's CPU share from /proc), and the fixed 10k QPS run for latency percentiles.
import { percentiles, parseVerboseLatencies } from './dnsperf-output.js';
import { runDnsperf } from './dnsperf.js';
import { fmt } from './format.js';
import type { BenchOptions } from './options.js';
import { CLOCK_TICKS_PER_SECOND, cpuTicks, processTree } from './process-stats.js';
import { rcodeCheck } from './rcode-check.js';
import type { ResultsLog } from './results-log.js';
import type { RunningServer } from './server-process.js';
import type { LatencyFigures, Mix, RunSeries, SaturationRun, Target, Transport } from './types.js';

export interface MeasureContext {
  options: BenchOptions;
  record: ResultsLog['record'];
  log: (line: string) => void;
}

export const LATENCY_RATE = 10000;

/**
 * One pass through each file (bounded to 10 s), so that what is measured next is steady state: over UDP
 * unless told, and over TCP before the TCP series, whose code paths a UDP pass leaves cold (under --workers in
 * every worker, where the first TCP run came out well below the next ones: docs/benchmarks.md).
 */
export function warmUp(ctx: MeasureContext, srv: RunningServer, target: Target, size: number, files: readonly string[], transport: Transport = 'udp'): void {
  for (const file of files) {
    const w = runDnsperf(srv.port, file, ctx.options, { transport, seconds: 10, passes: 1 });
    ctx.record({ kind: 'warmup', target, size, file, transport, qps: w.qps, completed: w.completed, lost: w.lost });
  }
}

export interface SeriesSpec {
  target: Target;
  size: number;
  transport: Transport;
  mix: Mix;
  file: string;
  /** The probe's fixed reply has no rcode mix. */
  fixedReply: boolean;
  wantNx: number;
  /** The results log's kind for its runs: 'saturation' (the default) makes them the target's own series. */
  recordKind?: string;
}

export function saturationSeries(ctx: MeasureContext, srv: RunningServer, s: SeriesSpec): RunSeries {
  const all: SaturationRun[] = [];
  for (let i = 0; i < ctx.options.runs; i++) {
    const c0 = cpuTicks(processTree(srv.pid));
    const w0 = performance.now();
    const r = runDnsperf(srv.port, s.file, ctx.options, { transport: s.transport, seconds: ctx.options.duration });
    const cpu = (cpuTicks(processTree(srv.pid)) - c0) / CLOCK_TICKS_PER_SECOND / ((performance.now() - w0) / 1000);
    const run: SaturationRun = {
      qps: r.qps,
      sent: r.sent,
      completed: r.completed,
      lost: r.lost,
      lossPct: r.sent ? (100 * (r.lost ?? 0)) / r.sent : null,
      avgLatencyMs: r.avgLatencyMs,
      rcodes: r.rcodes,
      cpuShare: Math.round(cpu * 100) / 100,
      rcodeCheck: rcodeCheck(s.fixedReply, s.wantNx, r),
    };
    all.push(run);
    ctx.record({ kind: s.recordKind ?? 'saturation', target: s.target, size: s.size, transport: s.transport, mix: s.mix, run: i + 1, command: r.command, ...run });
    if (r.qps === null) ctx.log(`    dnsperf gave no figures: ${r.raw.trim().split('\n').slice(-3).join(' / ')}`);
  }
  const best = all.reduce((a, b) => ((b.qps ?? 0) > (a.qps ?? 0) ? b : a));
  ctx.log(`  ${s.target} ${s.transport} ${s.mix}: best ${fmt(best.qps)} QPS (${all.map((r) => fmt(r.qps)).join(' / ')}), loss ${best.lossPct?.toFixed(3)} %, CPU ${best.cpuShare}, rcodes ${best.rcodeCheck}`);
  return { best, all };
}

/** UDP at a fixed 10k QPS; p50 / p99 / p99.9 from dnsperf -v's per-query latencies. */
export function latencyRun(ctx: MeasureContext, srv: RunningServer, target: Target, size: number, file: string, recordKind = 'latency'): LatencyFigures {
  const r = runDnsperf(srv.port, file, ctx.options, { transport: 'udp', seconds: ctx.options.latencySeconds, rate: LATENCY_RATE, verbose: true });
  const lat = parseVerboseLatencies(r.raw);
  const p = percentiles(lat, [50, 99, 99.9]);
  const latency: LatencyFigures = { p50: p.p50, p99: p.p99, 'p99.9': p['p99.9'], samples: lat.length, qps: r.qps, lost: r.lost, avgMs: r.avgLatencyMs };
  ctx.record({ kind: recordKind, target, size, rate: LATENCY_RATE, command: r.command, ...latency });
  ctx.log(`  ${target} latency at 10k QPS: p50 ${p.p50} ms, p99 ${p.p99} ms, p99.9 ${p['p99.9']} ms (${lat.length} samples, lost ${r.lost})`);
  return latency;
}
