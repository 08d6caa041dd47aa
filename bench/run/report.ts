// The Markdown summary of a run: per size, the saturation table with ratios, queries per server CPU-second,
// every run and the answer cross-check; the forwarded-names-from-the-cache table; and the verdicts of
// issue 6's targets (issue 13's are issue13-table.ts). Pure: results in, text out (the same for a live run and --report).
import { fmt, fmtMs } from './format.js';
import { CLIENT_CPU } from './targets.js';
import type { LatencyFigures, ProfileResult, ProgrammingLatency, SaturationRun, Skipped, Target, TargetResult, Transport } from './types.js';

type Results = readonly (TargetResult | null | undefined)[];

const present = (results: Results): TargetResult[] => results.filter((r): r is TargetResult => Boolean(r));
const find = (results: Results, target: Target, size?: number): TargetResult | undefined =>
  present(results).find((r) => r.target === target && (size === undefined || r.size === size));
const perCpu = (b: SaturationRun | undefined): number | null => (b?.qps && b.cpuShare ? b.qps / b.cpuShare : null);
const verdict = (ok: boolean, how: string): string => (ok ? 'met' : `NOT met (${how})`);

/** The per-size tables of the cluster targets (clusterdns-cache has its own table: forwardCacheSection). */
export function renderTable(results: Results, sizes: readonly number[], transports: readonly Transport[]): string {
  const lines: string[] = [];
  for (const size of sizes) {
    const rows = present(results).filter((r) => r.size === size && r.target !== 'clusterdns-cache');
    if (rows.length === 0) continue;
    const by = Object.fromEntries(rows.map((r) => [r.target, r])) as Partial<Record<Target, TargetResult>>;
    const cols: string[] = [];
    for (const t of transports) for (const m of ['hits', 'storm']) cols.push(`${t}-${m}`);
    const qpsRatio = (a: TargetResult, b: TargetResult) => cols.map((c) => (a.runs[c]?.best.qps && b.runs[c]?.best.qps ? (a.runs[c].best.qps! / b.runs[c].best.qps!).toFixed(2) : '—')).join(' | ');
    lines.push(`\n### ${size.toLocaleString('en-US')} services\n`);
    lines.push(`| target (one core; clusterdns-all: every core) | ${cols.map((c) => `${c} QPS`).join(' | ')} | loss % (max) | server CPU | p50 / p99 / p99.9 ms at 10k QPS | startup ms | RSS idle / loaded MiB | rcodes |`);
    lines.push(`|---|${cols.map(() => '---:').join('|')}|---:|---:|---:|---:|---:|---|`);
    for (const r of rows) {
      const bests = cols.map((c) => r.runs[c]?.best);
      const maxLoss = Math.max(...bests.map((b) => b?.lossPct ?? 0));
      const cpu = bests.map((b) => b?.cpuShare ?? '—').join('/');
      const rc = [...new Set(bests.map((b) => b?.rcodeCheck ?? '—'))].join('; ');
      const lat = r.latency ? `${fmtMs(r.latency.p50)} / ${fmtMs(r.latency.p99)} / ${fmtMs(r.latency['p99.9'])}` : '—';
      lines.push(`| ${r.target} | ${bests.map((b) => fmt(b?.qps)).join(' | ')} | ${maxLoss.toFixed(3)} | ${cpu} | ${lat} | ${r.startupMs} | ${r.idleRssMiB} / ${r.loadedRssMiB} | ${rc} |`);
    }
    const cd = by.clusterdns;
    const all = by['clusterdns-all'];
    if (by.probe && by['probe-all']) lines.push(`| probe-all ÷ probe | ${qpsRatio(by['probe-all'], by.probe)} | | | | | | |`);
    if (cd && all) lines.push(`| clusterdns-all ÷ clusterdns | ${qpsRatio(all, cd)} | | | | | | |`);
    for (const ref of ['probe', 'knot', 'nsd'] as const) {
      const other = by[ref];
      if (!cd || !other) continue;
      lines.push(`| clusterdns ÷ ${ref} | ${qpsRatio(cd, other)} | | | | | | |`);
    }
    lines.push("\nQueries per server CPU-second (best run's QPS ÷ the server's CPU share during it; robust when dnsperf, not the server, is the limit):\n");
    lines.push(`| target | ${cols.join(' | ')} |`);
    lines.push(`|---|${cols.map(() => '---:').join('|')}|`);
    for (const r of rows) lines.push(`| ${r.target} | ${cols.map((c) => fmt(perCpu(r.runs[c]?.best))).join(' | ')} |`);
    const cpuRatio = (a: TargetResult, b: TargetResult) =>
      cols.map((c) => { const x = perCpu(a.runs[c]?.best); const y = perCpu(b.runs[c]?.best); return x && y ? (x / y).toFixed(2) : '—'; }).join(' | ');
    if (cd && all) lines.push(`| clusterdns-all ÷ clusterdns | ${cpuRatio(all, cd)} |`);
    for (const ref of ['probe', 'knot'] as const) {
      const other = by[ref];
      if (!cd || !other) continue;
      lines.push(`| clusterdns ÷ ${ref} | ${cpuRatio(cd, other)} |`);
    }
    lines.push('\nAll saturation runs (QPS):\n');
    for (const r of rows) for (const c of cols) if (r.runs[c]) lines.push(`- ${r.target} ${c}: ${r.runs[c].all.map((x) => `${fmt(x.qps)} (lost ${x.lost}, CPU ${x.cpuShare})`).join(', ')}`);
    const refs = rows.filter((r) => (r.target === 'knot' || r.target === 'nsd') && r.answers);
    if (cd?.answers && refs.length > 0) {
      const mismatches: string[] = [];
      cd.answers.forEach((a, i) => {
        for (const ref of refs) if (ref.answers![i] !== a) mismatches.push(`${a} vs ${ref.target}: ${ref.answers![i]}`);
      });
      lines.push(`\nAnswer cross-check (${cd.answers.length} questions, clusterdns vs ${refs.map((r) => r.target).join(', ')}): ${answerVerdict(mismatches)}`);
    }
  }
  return lines.join('\n');
}

const answerVerdict = (mismatches: readonly string[]): string =>
  mismatches.length === 0 ? 'identical' : `${mismatches.length} differences:\n${mismatches.map((m) => `  - ${m}`).join('\n')}`;

const latencyCell = (l: LatencyFigures | undefined): string => (l ? `${fmtMs(l.p50)} / ${fmtMs(l.p99)} / ${fmtMs(l['p99.9'])}` : '—');

/** The forwarded-names-from-the-cache table, beside the cluster hits and the probe of the same size. */
export function renderForwardCache(results: Results, skipped: readonly Skipped[], transports: readonly Transport[]): string {
  const cache = find(results, 'clusterdns-cache');
  if (!cache) {
    const why = skipped.find((s) => s.target === 'clusterdns-cache');
    return why ? `\n### Forwarded names answered from the cache\n\nunavailable in this run: ${why.reason}` : '';
  }
  const cluster = find(results, 'clusterdns', cache.size);
  const probe = find(results, 'probe', cache.size);
  const lines = [
    `\n### Forwarded names answered from the cache (${cache.size.toLocaleString('en-US')} services)\n`,
    `clusterdns \`serve --upstream\` to a Knot serving ${fmt(cache.forwardNames)} A records under fwd.bench. (pinned to CPU ${CLIENT_CPU}, beside dnsperf); ` +
      'one warm-up pass through the query file before each series, so every measured query is a cache hit; ' +
      `the upstream used ${cache.upstreamCpuSeconds?.toFixed(2) ?? '—'} CPU s during the measured runs. Cluster hits and the probe: the same run's hits mix.\n`,
    `| queries (one core) | ${transports.map((t) => `${t} QPS`).join(' | ')} | loss % (max) | server CPU | p50 / p99 / p99.9 ms at 10k QPS | rcodes |`,
    `|---|${transports.map(() => '---:').join('|')}|---:|---:|---:|---|`,
  ];
  const row = (label: string, r: TargetResult | undefined, mix: string) => {
    if (!r) return;
    const bests = transports.map((t) => r.runs[`${t}-${mix}`]?.best);
    const maxLoss = Math.max(...bests.map((b) => b?.lossPct ?? 0));
    const rc = [...new Set(bests.map((b) => b?.rcodeCheck ?? '—'))].join('; ');
    lines.push(`| ${label} | ${bests.map((b) => fmt(b?.qps)).join(' | ')} | ${maxLoss.toFixed(3)} | ${bests.map((b) => b?.cpuShare ?? '—').join('/')} | ${latencyCell(r.latency)} | ${rc} |`);
  };
  row('cluster hits (clusterdns)', cluster, 'hits');
  row('forwarded names, cache hits (clusterdns-cache)', cache, 'fwd');
  row('ceiling probe', probe, 'hits');
  const ratio = (label: string, other: TargetResult | undefined, mix: string) => {
    if (!other) return;
    const qps = transports.map((t) => {
      const a = cache.runs[`${t}-fwd`]?.best.qps;
      const b = other.runs[`${t}-${mix}`]?.best.qps;
      return a && b ? (a / b).toFixed(2) : '—';
    });
    const p99 = cache.latency?.p99 && other.latency?.p99 ? `p99 ${(cache.latency.p99 / other.latency.p99).toFixed(2)} ×` : '';
    lines.push(`| ${label} | ${qps.join(' | ')} | | | ${p99} | |`);
  };
  ratio('cache hits ÷ cluster hits', cluster, 'hits');
  ratio('cache hits ÷ probe', probe, 'hits');
  if (cache.forwardAnswers && cache.upstreamAnswers) {
    const mismatches = cache.forwardAnswers.flatMap((a, i) => (a === cache.upstreamAnswers![i] ? [] : [`${a} vs the upstream: ${cache.upstreamAnswers![i]}`]));
    lines.push(`\nForwarded answer cross-check (${cache.forwardAnswers.length} questions, clusterdns-cache vs its upstream Knot): ${answerVerdict(mismatches)}`);
  }
  return lines.join('\n');
}

// Issue 13's rows have their own section: issue13-table.ts.
export { p99MeetsTarget } from './issue13-verdicts.js';

/** Issue 6's targets, from the 10k and 100k sizes of the run. */
export function renderIssue6Targets(results: Results, load: readonly number[], programming: ProgrammingLatency | null, cpus: number): string {
  const cd = find(results, 'clusterdns', 10000);
  const probe = find(results, 'probe', 10000);
  const big = find(results, 'clusterdns', 100000);
  const out = ['\n### Targets (issue 6)\n', '| target | measured | verdict |', '|---|---|---|'];
  if (cd) {
    for (const mix of ['hits', 'storm']) {
      const b = cd.runs[`udp-${mix}`]?.best;
      const p = probe?.runs[`udp-${mix}`]?.best;
      if (b) out.push(`| 10k UDP ${mix} ≥ 60,000 QPS, 0 % loss, correct rcodes | ${fmt(b.qps)} QPS, loss ${b.lossPct?.toFixed(3)} %, rcodes ${b.rcodeCheck} | ${verdict((b.qps ?? 0) >= 60000 && b.lost === 0 && b.rcodeCheck === 'ok', `${fmt(b.qps)} = ${(((b.qps ?? 0) / 60000) * 100).toFixed(0)} % of 60k${b.lost ? `, ${b.lost} lost` : ''}`)} |`);
      if (b?.qps && p?.qps) out.push(`| 10k UDP ${mix} ≥ 0.75 × ceiling probe | ${(b.qps / p.qps).toFixed(3)} × (${fmt(b.qps)} / ${fmt(p.qps)}) | ${verdict(b.qps / p.qps >= 0.75, `${(b.qps / p.qps).toFixed(3)} < 0.75: ${fmt(0.75 * p.qps - b.qps)} QPS short`)} |`);
      const x = perCpu(b);
      const y = perCpu(p);
      if (b && p && x && y) out.push(`| (ratio per server CPU-second) | ${(x / y).toFixed(3)} × (${fmt(x)} / ${fmt(y)}) | ${x / y >= 0.75 ? 'met' : 'not met'} (for reference) |`);
    }
    if (cd.latency && cd.latency.p99 !== null) out.push(`| p99 ≤ 0.2 ms at 10k QPS | p99 ${fmtMs(cd.latency.p99)} ms | ${verdict(cd.latency.p99 <= 0.2, `${fmtMs(cd.latency.p99)} ms`)} |`);
    const tcp = cd.runs['tcp-hits']?.best;
    if (tcp) out.push(`| 10k TCP ≥ 100,000 QPS | ${fmt(tcp.qps)} QPS | ${verdict((tcp.qps ?? 0) >= 100000, `${(((tcp.qps ?? 0) / 100000) * 100).toFixed(0)} % of 100k`)} |`);
    out.push(`| 10k startup to first answer (no target) | ${cd.startupMs} ms | — |`);
    out.push(`| 10k idle RSS ≤ 100 MiB | ${cd.idleRssMiB} MiB | ${verdict((cd.idleRssMiB ?? Infinity) <= 100, `${cd.idleRssMiB} MiB`)} |`);
  }
  if (big) {
    out.push(`| 100k startup to first answer ≤ 3 s | ${big.startupMs} ms | ${verdict((big.startupMs ?? Infinity) <= 3000, `${big.startupMs} ms`)} |`);
    out.push(`| 100k idle RSS ≤ 250 MiB | ${big.idleRssMiB} MiB | ${verdict((big.idleRssMiB ?? Infinity) <= 250, `${big.idleRssMiB} MiB`)} |`);
  }
  out.push(...multiCoreRows(results, cpus));
  if (programming) {
    const ok = programming.p99Ms !== null && programming.p99Ms <= 50 && programming.missed === 0;
    out.push(`| programming latency p99 ≤ 50 ms at 100 changes/s (manifest reload path, ${fmt(programming.size)} services) | p50 ${programming.p50Ms} ms, p99 ${programming.p99Ms} ms, max ${programming.maxMs} ms, ${programming.answered}/${programming.changes} answered | ${verdict(ok, `p99 ${programming.p99Ms} ms${programming.missed ? `, ${programming.missed} never answered` : ''}`)} |`);
  } else out.push('| programming latency p99 ≤ 50 ms at 100 changes/s | not measured in this run | not measured |');
  out.push(`\nLoad average when the runs started: ${load.join(' ')}.`);
  return out.join('\n');
}

/** The "all cores ≥ 1.4 × one core" rows: clusterdns-all against clusterdns, same size, same run. */
function multiCoreRows(results: Results, cpus: number): string[] {
  const size = find(results, 'clusterdns-all', 10000) ? 10000 : find(results, 'clusterdns-all')?.size;
  const one = size === undefined ? undefined : find(results, 'clusterdns', size);
  const all = size === undefined ? undefined : find(results, 'clusterdns-all', size);
  if (!one || !all || size === undefined) return ['| all cores ≥ 1.4 × one core | not measured in this run (targets clusterdns and clusterdns-all) | not measured |'];
  const rows: string[] = [];
  for (const c of Object.keys(all.runs)) {
    const a = all.runs[c]?.best;
    const b = one.runs[c]?.best;
    if (!a?.qps || !b?.qps) continue;
    const ratio = a.qps / b.qps;
    const x = perCpu(a);
    const y = perCpu(b);
    const cpu = x && y ? `; per server CPU-second ${fmt(x)} vs ${fmt(y)} (${(x / y).toFixed(2)} ×), server CPU ${a.cpuShare} vs ${b.cpuShare}` : '';
    rows.push(`| all cores ≥ 1.4 × one core (${fmt(size)} ${c.replace('-', ' ')}; ${cpus} CPUs, dnsperf on CPU ${CLIENT_CPU}) | ${ratio.toFixed(2)} × (${fmt(a.qps)} / ${fmt(b.qps)} QPS, loss ${a.lossPct?.toFixed(3)} %, rcodes ${a.rcodeCheck}${cpu}) | ${verdict(ratio >= 1.4, `${ratio.toFixed(2)} < 1.4`)} |`);
  }
  return rows;
}

/** A profile's top self-time frames; `file` (relative) when it is known. */
export function renderProfile(profile: ProfileResult, heading: string, file?: string): string {
  const lines = [heading, ...(file ? [`File: ${file}\n`] : []), '| self % | self ms | function | location |', '|---:|---:|---|---|'];
  for (const f of profile.top) lines.push(`| ${f.selfPct.toFixed(1)} | ${f.selfMs.toFixed(0)} | ${f.functionName} | ${f.location} |`);
  return lines.join('\n');
}

