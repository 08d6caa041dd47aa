// Issue 13's table as the summary's own section: every row of the issue with its target, this run's figure,
// Knot's and NSD's beside it where they have one, and the verdict (issue13-verdicts.ts); then start-up time
// and idle RSS of every server per size, and the multi-core mode's memory per process. Pure: results in, text out.
import { fmt, fmtMs } from './format.js';
import {
  allCoresOverOne,
  bigIdleRss,
  forwardedFromCache,
  notMeasured,
  p99AgainstProbe,
  renderVerdict,
  rssAtMost,
  startupAtMost,
  type Verdict,
} from './issue13-verdicts.js';
import { CLIENT_CPU } from './targets.js';
import type { CachePairs, LatencyPairs, Skipped, Target, TargetResult, WatchResult, WorkerPairs } from './types.js';

export interface Issue13Input {
  results: readonly (TargetResult | null | undefined)[];
  skipped: readonly Skipped[];
  /** The sizes the run was asked for (a size not among them is "not in this run", not a failure). */
  sizes: readonly number[];
  /** The watch bench at 10k/50k/50k, or why it did not run. */
  watch: WatchResult | null;
  watchSkipped?: string;
  cpus: number;
  /** The alternated p99 runs, when the run made them: the cluster-hit row's verdict is read from them. */
  latencyPairs?: LatencyPairs | null;
  /** The alternated one-core and all-core runs, when the run made them: the `--workers` row's verdict is read from them. */
  workerPairs?: WorkerPairs | null;
}

interface Row {
  what: string;
  target: string;
  measured: string;
  knot?: string;
  nsd?: string;
  verdict: Verdict;
}

const SIZE_10K = 10000;
const SIZE_100K = 100000;
/** The issue's wording of the rows that a single series or alternated rounds may fill. */
const CACHE_ROW = { what: 'forwarded names answered from the cache, one core, UDP', target: '≥ 60,000 QPS and ≥ 0.75 × the ceiling probe, 0 % loss' };
const P99_TARGET = "≤ 1.5 × the probe's p99, and ≤ 0.2 ms whenever the probe's is ≤ 0.15 ms";

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** A p99 row from alternated runs (cluster hits or cache hits): the medians of both sides judged by the issue's rule. */
function pairedP99Row(label: string, input: LatencyPairs, single: number | null | undefined, singleProbe: number | null | undefined, knotP99: number | null | undefined, nsdP99: number | null | undefined): Row {
  const p99 = median(input.pairs.map((pair) => pair.clusterdns));
  const probeP99 = median(input.pairs.map((pair) => pair.probe));
  const each = input.pairs.map((pair) => `${fmtMs(pair.clusterdns)}/${fmtMs(pair.probe)}`).join(', ');
  const alone = single != null && singleProbe != null ? `; the single runs above: ${fmtMs(single)} against ${fmtMs(singleProbe)} ms` : '';
  return {
    what: `p99 at a fixed 10,000 QPS, ${label}`,
    target: P99_TARGET,
    measured: `median of ${input.pairs.length} alternated runs at ${fmt(input.size)} services: ${fmtMs(p99)} ms; the probe's ${fmtMs(probeP99)} ms (${(p99 / probeP99).toFixed(2)} ×); clusterdns/probe per round ${each}${alone}`,
    knot: knotP99 != null ? `${fmtMs(knotP99)} ms` : '—',
    nsd: nsdP99 != null ? `${fmtMs(nsdP99)} ms` : '—',
    verdict: p99AgainstProbe(p99, probeP99),
  };
}

/** The cache's throughput row from alternated runs: the medians of both sides, every run's loss and rcodes. */
function pairedCacheRow(input: CachePairs, single: number | null | undefined, singleProbe: number | null | undefined): Row {
  const qps = median(input.qps.map((pair) => pair.clusterdns));
  const probeQps = median(input.qps.map((pair) => pair.probe));
  const each = input.qps.map((pair) => `${fmt(pair.clusterdns)}/${fmt(pair.probe)}`).join(', ');
  const alone = single && singleProbe ? `; the series above: ${fmt(single)} against ${fmt(singleProbe)} QPS` : '';
  return {
    ...CACHE_ROW,
    measured:
      `median of ${input.qps.length} alternated runs: ${fmt(qps)} QPS, the probe's ${fmt(probeQps)} (${(qps / probeQps).toFixed(3)} ×); ` +
      `${fmt(input.lost)} lost, rcodes ${input.rcodeCheck}; cache/probe per round ${each}${alone}`,
    verdict: forwardedFromCache({ qps, lost: input.lost, rcodeCheck: input.rcodeCheck }, probeQps),
  };
}

export function renderIssue13Table(input: Issue13Input): string {
  const results = input.results.filter((r): r is TargetResult => Boolean(r));
  const find = (target: Target, size?: number) => results.find((r) => r.target === target && (size === undefined || r.size === size));
  /** Why a target has no figure at a size: not asked for, skipped (with its reason), or did not start. */
  const absent = (target: Target, size: number): string => {
    if (!input.sizes.includes(size)) return `${fmt(size)} services not among --sizes in this run`;
    const skip = input.skipped.find((s) => s.target === target && s.size === size);
    return skip ? `${target}: ${skip.reason}` : `${target} did not run at ${fmt(size)}`;
  };
  const mib = (r: TargetResult | undefined) => (r?.idleRssMiB !== undefined ? `${r.idleRssMiB} MiB` : '—');
  const ms = (r: TargetResult | undefined) => (r?.startupMs !== undefined ? `${fmt(r.startupMs)} ms` : '—');

  const rows: Row[] = [];
  for (const [size, limit] of [[SIZE_10K, 100], [SIZE_100K, 250]] as const) {
    const cd = find('clusterdns', size);
    const knot = find('knot', size);
    rows.push({
      what: `idle RSS, ${fmt(size)} services from a snapshot`,
      target: size === SIZE_100K ? '≤ 250 MiB and ≤ 1.25 × Knot\'s in the same run' : `≤ ${limit} MiB`,
      measured: cd ? `${cd.idleRssMiB} MiB${size === SIZE_100K && knot?.idleRssMiB && cd.idleRssMiB ? ` (${(cd.idleRssMiB / knot.idleRssMiB).toFixed(2)} × Knot's)` : ''}` : absent('clusterdns', size),
      knot: mib(knot),
      nsd: mib(find('nsd', size)),
      verdict: !cd ? notMeasured(absent('clusterdns', size)) : size === SIZE_100K ? bigIdleRss(cd.idleRssMiB, knot?.idleRssMiB) : rssAtMost(cd.idleRssMiB, limit),
    });
  }
  {
    const cd = find('clusterdns', SIZE_100K);
    rows.push({
      what: `start to first correct answer, ${fmt(SIZE_100K)} services, one core`,
      target: '≤ 3 s',
      measured: cd ? ms(cd) : absent('clusterdns', SIZE_100K),
      knot: ms(find('knot', SIZE_100K)),
      nsd: ms(find('nsd', SIZE_100K)),
      verdict: cd ? startupAtMost(cd.startupMs, 3000) : notMeasured(absent('clusterdns', SIZE_100K)),
    });
  }
  {
    const w = input.watch;
    const rss = w ? (w.rssExactMiB ?? w.rssMiB) : undefined;
    rows.push({
      what: 'RSS through the API, 10k services / 50k endpoints / 50k pods (`bench:watch`)',
      target: '≤ 180 MiB',
      measured: w ? `${rss} MiB after sync (synced in ${fmt(w.syncedMs)} ms; programming p99 ${w.latencyP99Ms ?? '—'} ms, ${w.missed} of ${w.changes} changes missed)` : `not in this run: ${input.watchSkipped ?? 'the watch step did not run'}`,
      verdict: w ? rssAtMost(rss, 180) : notMeasured(input.watchSkipped ?? 'the watch step did not run'),
    });
  }
  {
    const cache = find('clusterdns-cache');
    const size = cache?.size ?? SIZE_10K;
    const probe = find('probe', size);
    const b = cache?.runs['udp-fwd']?.best;
    const p = probe?.runs['udp-hits']?.best;
    const why = input.skipped.find((s) => s.target === 'clusterdns-cache')?.reason ?? 'target clusterdns-cache not in this run';
    if (cache?.cachePairs && cache.cachePairs.qps.length > 0) rows.push(pairedCacheRow(cache.cachePairs, b?.qps, p?.qps));
    else rows.push({
      ...CACHE_ROW,
      measured: b
        ? `${fmt(b.qps)} QPS, loss ${b.lossPct?.toFixed(3) ?? '—'} %, rcodes ${b.rcodeCheck}${p?.qps && b.qps ? `; ${(b.qps / p.qps).toFixed(3)} × the probe's ${fmt(p.qps)}` : ''}`
        : `unavailable: ${why}`,
      verdict: b ? forwardedFromCache(b, p?.qps) : notMeasured(why),
    });
  }
  {
    const probe = find('probe', SIZE_10K) ?? find('probe');
    const probeP99 = probe?.latency?.p99;
    const knotP99 = find('knot', probe?.size ?? SIZE_10K)?.latency?.p99;
    const nsdP99 = find('nsd', probe?.size ?? SIZE_10K)?.latency?.p99;
    for (const [label, r] of [['cluster hits', find('clusterdns', probe?.size ?? SIZE_10K)], ['cache hits', find('clusterdns-cache')]] as const) {
      const p99 = r?.latency?.p99;
      const cachePairs = r?.cachePairs;
      const pairs = label === 'cluster hits' ? input.latencyPairs : cachePairs && { size: cachePairs.size, pairs: cachePairs.p99 };
      if (pairs && pairs.pairs.length > 0) {
        rows.push(pairedP99Row(label, pairs, p99, probeP99, knotP99, nsdP99));
        continue;
      }
      rows.push({
        what: `p99 at a fixed 10,000 QPS, ${label}`,
        target: P99_TARGET,
        measured: p99 != null && probeP99 != null ? `${fmtMs(p99)} ms; the probe's ${fmtMs(probeP99)} ms (${(p99 / probeP99).toFixed(2)} ×)` : p99 != null ? `${fmtMs(p99)} ms` : 'not measured in this run',
        knot: knotP99 != null ? `${fmtMs(knotP99)} ms` : '—',
        nsd: nsdP99 != null ? `${fmtMs(nsdP99)} ms` : '—',
        verdict: p99AgainstProbe(p99, probeP99),
      });
    }
  }
  rows.push(multiCoreRow(results, input));

  const out = [
    "\n### Issue 13's table\n",
    `Every row of issue 13 with this run's figure and its verdict. Knot and NSD: the same figure of the same run where they have one.\n`,
    '| row | target | measured | Knot | NSD | verdict |',
    '|---|---|---|---:|---:|---|',
    ...rows.map((r) => `| ${r.what} | ${r.target} | ${r.measured} | ${r.knot ?? ''} | ${r.nsd ?? ''} | ${renderVerdict(r.verdict)} |`),
  ];
  out.push(...besideKnotAndNsd(results, input.sizes));
  return out.join('\n');
}

const mibOrDash = (n: number | undefined): string => (n === undefined ? '—' : `${n} MiB`);

/** Every process's idle RSS: "primary 90.1 + workers 120.3 + 118.0 = 328.4 MiB". */
export function perProcessRss(byProcess: readonly number[] | undefined, total: number | undefined): string {
  if (!byProcess || byProcess.length === 0) return total !== undefined ? `${total} MiB` : '—';
  const [primary, ...workers] = byProcess;
  const sum = Math.round(byProcess.reduce((a, b) => a + b, 0) * 10) / 10;
  return workers.length === 0 ? `${primary} MiB` : `primary ${primary} + workers ${workers.join(' + ')} = ${sum} MiB`;
}

function multiCoreRow(results: readonly TargetResult[], input: Issue13Input): Row {
  const pairs = input.workerPairs;
  const size = pairs?.size ?? (results.some((r) => r.target === 'clusterdns-all' && r.size === SIZE_10K) ? SIZE_10K : results.find((r) => r.target === 'clusterdns-all')?.size);
  const one = results.find((r) => r.target === 'clusterdns' && r.size === size);
  const all = results.find((r) => r.target === 'clusterdns-all' && r.size === size);
  const what = '`--workers` all cores ÷ one core, every transport';
  const target = '≥ 0.95, and its memory per process (primary + N workers)';
  const memory = all
    ? `idle RSS ${perProcessRss(all.idleRssByProcessMiB, all.idleRssMiB)}${all.idleRssByProcessMiB && all.idleRssByProcessMiB.length > 1 ? ` for ${all.idleRssByProcessMiB.length - 1} workers` : ''} (one process: ${one?.idleRssMiB ?? '—'} MiB)`
    : 'idle RSS not measured (clusterdns-all did not run alone)';
  if (pairs && Object.keys(pairs.clusterdns).length > 0) {
    const ratios = medianRatios(pairs.clusterdns);
    const probeRatios = medianRatios(pairs.probe);
    const each = (combo: string) => `${combo} ${ratios[combo].toFixed(2)}${probeRatios[combo] !== undefined ? ` (probe-all ÷ probe ${probeRatios[combo].toFixed(2)})` : ''}`;
    const rounds = Math.max(...Object.values(pairs.clusterdns).map((p) => p.length));
    const measured =
      `median of ${rounds} alternated rounds at ${fmt(pairs.size)} services, ${input.cpus} CPUs, dnsperf on CPU ${CLIENT_CPU}: ${Object.keys(ratios).map(each).join(', ')}; ${memory}`;
    return { what, target, measured, verdict: allCoresOverOne(ratios) };
  }
  if (!one || !all || size === undefined) return { what, target, measured: 'not measured in this run', verdict: allCoresOverOne({}) };
  const ratios: Record<string, number> = {};
  for (const c of Object.keys(all.runs)) {
    const a = all.runs[c]?.best.qps;
    const b = one.runs[c]?.best.qps;
    if (a && b) ratios[c] = a / b;
  }
  const measured = `${fmt(size)} services, ${input.cpus} CPUs, dnsperf on CPU ${CLIENT_CPU}: ${Object.entries(ratios).map(([c, r]) => `${c} ${r.toFixed(2)}`).join(', ')}; ${memory}`;
  return { what, target, measured, verdict: allCoresOverOne(ratios) };
}

/** Per `${transport}-${mix}`, the median of the rounds' all ÷ one: each round's two runs are minutes closer than any two series. */
function medianRatios(rounds: WorkerPairs['clusterdns']): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [combo, pairs] of Object.entries(rounds)) if (pairs.length > 0) out[combo] = median(pairs.map((p) => p.all / p.one));
  return out;
}

/** Start-up time and idle / loaded RSS of every server at every size of the run. */
function besideKnotAndNsd(results: readonly TargetResult[], sizes: readonly number[]): string[] {
  const order: Target[] = ['clusterdns', 'clusterdns-all', 'knot', 'nsd', 'probe', 'probe-all'];
  const out = ['\nStart to first correct answer and RSS, beside Knot and NSD (clusterdns-all: per process, the primary first):\n', '| services | server | start → first answer | idle RSS | RSS after the load |', '|---:|---|---:|---|---|'];
  for (const size of sizes) {
    for (const target of order) {
      const r = results.find((x) => x.target === target && x.size === size);
      if (!r) continue;
      const perProcess = target === 'clusterdns-all';
      out.push(`| ${fmt(size)} | ${target} | ${r.startupMs !== undefined ? `${fmt(r.startupMs)} ms` : '—'} | ${perProcess ? perProcessRss(r.idleRssByProcessMiB, r.idleRssMiB) : mibOrDash(r.idleRssMiB)} | ${perProcess ? perProcessRss(r.loadedRssByProcessMiB, r.loadedRssMiB) : mibOrDash(r.loadedRssMiB)} |`);
    }
  }
  return out;
}
