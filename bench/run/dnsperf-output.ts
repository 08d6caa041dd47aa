// What dnsperf 2.10 prints, read into numbers: the statistics block of a run, the per-query lines of `-v`
// (dnsperf itself reports only the average and standard deviation), and percentiles over those.

export interface DnsperfFigures {
  sent: number | null;
  completed: number | null;
  lost: number | null;
  qps: number | null;
  avgLatencyMs: number;
  maxLatencyMs: number;
  stddevMs: number;
  rcodes: Record<string, number>;
}

export function parseDnsperf(out: string): DnsperfFigures {
  const num = (re: RegExp): number | null => {
    const m = re.exec(out);
    return m ? Number(m[1]) : null;
  };
  const rcodes: Record<string, number> = {};
  const rc = /Response codes:\s+(.*)/.exec(out);
  if (rc) for (const m of rc[1].matchAll(/([A-Z]+) (\d+)/g)) rcodes[m[1]] = Number(m[2]);
  return {
    sent: num(/Queries sent:\s+(\d+)/),
    completed: num(/Queries completed:\s+(\d+)/),
    lost: num(/Queries lost:\s+(\d+)/),
    qps: num(/Queries per second:\s+([\d.]+)/),
    avgLatencyMs: (num(/Average Latency \(s\):\s+([\d.]+)/) ?? NaN) * 1000,
    maxLatencyMs: (num(/max ([\d.]+)\)/) ?? NaN) * 1000,
    stddevMs: (num(/Latency StdDev \(s\):\s+([\d.]+)/) ?? NaN) * 1000,
    rcodes,
  };
}

/** The latency in seconds of every answered query in `dnsperf -v` output ("> NOERROR name A 0.000123"). */
export function parseVerboseLatencies(out: string): number[] {
  const latencies: number[] = [];
  for (const m of out.matchAll(/^> \w+ \S+ \S+ ([\d.]+)$/gm)) latencies.push(Number(m[1]));
  return latencies;
}

/** The 1-based nearest rank of percentile p among n values; the epsilon keeps 99.9 % of 1000 at 999, not 1000. */
export const nearestRank = (p: number, n: number): number => Math.min(n, Math.max(1, Math.ceil((p / 100) * n - 1e-9)));

/** Nearest-rank percentiles of latencies in seconds, as ms rounded to the µs: { p50, p99, 'p99.9' }. */
export function percentiles(seconds: readonly number[], ps: readonly number[]): Record<string, number | null> {
  const sorted = Float64Array.from(seconds).sort();
  return Object.fromEntries(ps.map((p) => [`p${p}`, sorted.length ? Math.round(sorted[nearestRank(p, sorted.length) - 1] * 1e6) / 1000 : null]));
}
