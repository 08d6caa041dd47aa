// The bench's command line: defaults, quick mode, and installing packages only when asked (--install).
import { describe, expect, it } from 'vitest';
import { DEFAULT_TARGETS, parseBenchOptions } from '../../../bench/run/options.js';

describe('bench options', () => {
  it('installs nothing unless --install is given; --no-install (older commands) still parses and wins', () => {
    expect(parseBenchOptions([]).install).toBe(false);
    expect(parseBenchOptions(['--install']).install).toBe(true);
    expect(parseBenchOptions(['--no-install']).install).toBe(false);
    expect(parseBenchOptions(['--install', '--no-install']).install).toBe(false);
  });

  it('--quick is one 10k size, 1 × 2 s runs, a 2 s latency run and no profile; the full run is three sizes, 3 × 5 s', () => {
    expect(parseBenchOptions(['--quick'])).toMatchObject({ quick: true, sizes: [10000], runs: 1, duration: 2, latencySeconds: 2, profile: false });
    expect(parseBenchOptions([])).toMatchObject({ quick: false, sizes: [1000, 10000, 100000], runs: 3, duration: 5, latencySeconds: 5, profile: true });
    expect(parseBenchOptions(['--quick', '--profile']).profile).toBe(true);
  });

  it('measures clusterdns-cache (forwarded names from the cache) by default, beside the other targets', () => {
    expect(parseBenchOptions([]).targets).toEqual(DEFAULT_TARGETS.split(','));
    expect(parseBenchOptions([]).targets).toContain('clusterdns-cache');
    expect(parseBenchOptions(['--targets', 'clusterdns,probe']).targets).toEqual(['clusterdns', 'probe']);
  });

  it('runs the watch step (issue 13\'s API row) in quick and full runs alike, with fewer changes when quick; --no-watch skips it', () => {
    expect(parseBenchOptions(['--quick'])).toMatchObject({ watch: true, watchChanges: 200 });
    expect(parseBenchOptions([])).toMatchObject({ watch: true, watchChanges: 1000 });
    expect(parseBenchOptions(['--no-watch']).watch).toBe(false);
    expect(parseBenchOptions(['--watch-changes', '50']).watchChanges).toBe(50);
  });

  it('rejects an unknown target or transport by name instead of measuring nothing', () => {
    expect(() => parseBenchOptions(['--targets', 'clusterdns,bind'])).toThrow(/unknown target "bind"/);
    expect(() => parseBenchOptions(['--transports', 'udp,quic'])).toThrow(/unknown transport "quic"/);
    expect(() => parseBenchOptions(['--runs', 'three'])).toThrow(/--runs/);
  });

  it('--report takes the results file to re-render', () => {
    expect(parseBenchOptions(['--report', 'bench/results/bench-x.jsonl']).report).toBe('bench/results/bench-x.jsonl');
    expect(parseBenchOptions([]).report).toBeUndefined();
  });
});
