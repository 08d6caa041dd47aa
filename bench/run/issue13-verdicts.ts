// Issue 13's targets as pure functions: figures of one run in, a verdict out (met, not met and why, or not
// measured and why). bench/run/issue13-table.ts renders them; test/unit/bench/ checks each rule's edges.
import { fmt, fmtMs } from './format.js';

export type Verdict = { status: 'met' } | { status: 'not met'; why: string } | { status: 'not measured'; why: string };

export const met = (): Verdict => ({ status: 'met' });
export const notMet = (why: string): Verdict => ({ status: 'not met', why });
export const notMeasured = (why: string): Verdict => ({ status: 'not measured', why });

export const renderVerdict = (v: Verdict): string => (v.status === 'met' ? 'met' : v.status === 'not met' ? `**NOT met** (${v.why})` : `not measured (${v.why})`);

/** An RSS ceiling in MiB. */
export function rssAtMost(rssMiB: number | undefined, limitMiB: number): Verdict {
  if (rssMiB === undefined) return notMeasured('no RSS figure');
  return rssMiB <= limitMiB ? met() : notMet(`${rssMiB} MiB, ${(rssMiB - limitMiB).toFixed(1)} MiB over`);
}

/** Idle RSS at 100k: ≤ 250 MiB, and ≤ 1.25 × Knot's in the same run (without Knot that half cannot be judged). */
export function bigIdleRss(rssMiB: number | undefined, knotRssMiB: number | undefined): Verdict {
  const ceiling = rssAtMost(rssMiB, 250);
  if (ceiling.status !== 'met') return ceiling;
  if (knotRssMiB === undefined) return notMeasured('≤ 250 MiB, but Knot did not run, so its half is not judged');
  const ratio = rssMiB! / knotRssMiB;
  return ratio <= 1.25 ? met() : notMet(`${ratio.toFixed(2)} × Knot's ${knotRssMiB} MiB`);
}

/** Start to first correct answer in ms. */
export function startupAtMost(startupMs: number | undefined, limitMs: number): Verdict {
  if (startupMs === undefined) return notMeasured('no startup figure');
  return startupMs <= limitMs ? met() : notMet(`${fmt(startupMs)} ms, ${(startupMs / limitMs).toFixed(2)} × the target`);
}

export interface QpsFigures {
  qps: number | null;
  lost: number | null;
  rcodeCheck: string;
}

/** Forwarded names from the cache, one core, UDP: ≥ 60,000 QPS and ≥ 0.75 × the probe, 0 % loss, right rcodes. */
export function forwardedFromCache(cache: QpsFigures | undefined, probeQps: number | null | undefined): Verdict {
  if (!cache || !cache.qps) return notMeasured('no UDP run of clusterdns-cache');
  const why: string[] = [];
  if (cache.qps < 60000) why.push(`${fmt(cache.qps)} QPS = ${((cache.qps / 60000) * 100).toFixed(0)} % of 60k`);
  if (cache.lost) why.push(`${fmt(cache.lost)} lost`);
  if (cache.rcodeCheck !== 'ok') why.push(`rcodes: ${cache.rcodeCheck}`);
  if (!probeQps) return why.length ? notMet(why.join('; ')) : notMeasured('≥ 60,000 QPS, but no probe in this run to compare with');
  const ratio = cache.qps / probeQps;
  if (ratio < 0.75) why.push(`${ratio.toFixed(3)} × the probe < 0.75`);
  return why.length ? notMet(why.join('; ')) : met();
}

/** Issue 13's p99 rule: ≤ 1.5 × the probe's p99 in the same run, and ≤ 0.2 ms whenever the probe's is ≤ 0.15 ms. */
export function p99MeetsTarget(p99: number, probeP99: number): boolean {
  return p99 <= 1.5 * probeP99 && (probeP99 > 0.15 || p99 <= 0.2);
}

export function p99AgainstProbe(p99: number | null | undefined, probeP99: number | null | undefined): Verdict {
  if (p99 == null) return notMeasured('no latency run');
  if (probeP99 == null) return notMeasured('no probe latency run to compare with');
  if (p99MeetsTarget(p99, probeP99)) return met();
  return notMet(p99 > 1.5 * probeP99 ? `${(p99 / probeP99).toFixed(2)} × the probe's` : `${fmtMs(p99)} ms > 0.2 ms while the probe's is ${fmtMs(probeP99)} ms`);
}

/** `--workers` all cores ÷ one core: ≥ 0.95 on every transport and mix measured (a ratio per `${transport}-${mix}`). */
export function allCoresOverOne(ratios: Readonly<Record<string, number>>): Verdict {
  const entries = Object.entries(ratios);
  if (entries.length === 0) return notMeasured('targets clusterdns and clusterdns-all did not both run');
  const short = entries.filter(([, r]) => r < 0.95);
  return short.length === 0 ? met() : notMet(short.map(([c, r]) => `${c} ${r.toFixed(2)}`).join(', ') + ' < 0.95');
}
