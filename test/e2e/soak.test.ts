// A short `npm run soak` (bench/soak/run-soak.ts, the same code): the built CLI against the API emulator with
// churn and a test upstream, mixed UDP and TCP lookups at a fixed rate, every answer checked.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SOAK_OPTIONS } from '../../bench/soak/options.js';
import { runSoak } from '../../bench/soak/run-soak.js';
import { formatSoakReport } from '../../bench/soak/soak-report.js';

describe('npm run soak (short)', () => {
  it(
    'answers every query of a 24 s churning soak right, keeps the settled heap within the index’s growth, logs no error and exits 0',
    async () => {
      const report = await runSoak({ ...DEFAULT_SOAK_OPTIONS, minutes: 0.4, qps: 100, services: 200, churnPerSecond: 10, sampleSeconds: 2 });
      const text = formatSoakReport(report);
      expect(report.failures, text).toEqual([]);
      expect(report.counts.wrong).toBe(0);
      // Every kind of lookup was answered, over both transports, while the cluster changed.
      expect(Object.keys(report.counts.byKind).sort()).toEqual(
        ['churned-service', 'cluster-nxdomain', 'forwarded', 'forwarded-nxdomain', 'headless', 'ndots-walk', 'pod', 'service'],
      );
      expect(report.counts.udp).toBeGreaterThan(0);
      expect(report.counts.tcp).toBeGreaterThan(0);
      expect(report.changes.added + report.changes.changed + report.changes.deleted).toBeGreaterThan(100);
      expect(report.samples.length).toBeGreaterThan(5);
      expect(report.serverExitCode).toBe(0);
    },
    120_000,
  );
});
