// dnsperf 2.10's output (a captured run: fixtures/dnsperf-verbose.txt) read into the figures the report uses.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { nearestRank, parseDnsperf, parseVerboseLatencies, percentiles } from '../../../bench/run/dnsperf-output.js';

const verbose = readFileSync(new URL('./fixtures/dnsperf-verbose.txt', import.meta.url), 'utf8');

describe('dnsperf output', () => {
  it('reads sent, completed, lost, QPS, latencies in ms and the rcode counts of a run', () => {
    const r = parseDnsperf(verbose);
    expect(r).toMatchObject({ sent: 5, completed: 4, lost: 1, qps: 3.998289, rcodes: { NOERROR: 4 } });
    expect(r.avgLatencyMs).toBeCloseTo(1.068, 6);
    expect(r.maxLatencyMs).toBeCloseTo(1.872, 6);
    expect(r.stddevMs).toBeCloseTo(0.607, 6);
  });

  it('reads every rcode of a mixed run, not only the first', () => {
    const r = parseDnsperf('  Response codes:       NOERROR 95012 (95.01%), NXDOMAIN 4988 (4.99%)\n');
    expect(r.rcodes).toEqual({ NOERROR: 95012, NXDOMAIN: 4988 });
  });

  it('gives nulls (and NaN latencies) for output without statistics, such as a dnsperf that could not start', () => {
    const r = parseDnsperf('Error: socket: Address already in use\n');
    expect(r).toMatchObject({ sent: null, completed: null, lost: null, qps: null, rcodes: {} });
    expect(r.avgLatencyMs).toBeNaN();
  });

  it('collects the latency of each answered query from -v and leaves out timed-out ones ("> T")', () => {
    expect(parseVerboseLatencies(verbose)).toEqual([0.00118, 0.000495, 0.001872, 0.000725]);
  });

  it('computes nearest-rank percentiles in ms rounded to the µs', () => {
    const seconds = Array.from({ length: 1000 }, (_, i) => (i + 1) / 1e6); // 1 µs .. 1000 µs
    expect(percentiles(seconds, [50, 99, 99.9])).toEqual({ p50: 0.5, p99: 0.99, 'p99.9': 0.999 });
    expect(percentiles([0.002, 0.001], [50])).toEqual({ p50: 1 });
    expect(percentiles([], [99])).toEqual({ p99: null });
  });

  it('takes the nearest rank without floating-point overshoot (0.999 × 1000 is rank 999) and within 1..n', () => {
    expect(nearestRank(99.9, 1000)).toBe(999);
    expect(nearestRank(99, 100)).toBe(99);
    expect(nearestRank(50, 3)).toBe(2);
    expect(nearestRank(0, 5)).toBe(1);
    expect(nearestRank(100, 5)).toBe(5);
  });
});
