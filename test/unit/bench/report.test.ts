// The bench's Markdown report. fixtures/quick-run.jsonl is the record of a `--quick` run taken before
// bench/run.mjs was split into bench/run/, and fixtures/quick-run-report.md is what run.mjs rendered from it;
// the split must render the same tables. The forwarded-names table is checked on records added to that run
// (issue 13's table: issue13-table.test.ts).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { p99MeetsTarget, renderForwardCache, renderIssue6Targets, renderTable } from '../../../bench/run/report.js';
import { parseResultsLog } from '../../../bench/run/results-log.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const quickRun = fixture('quick-run.jsonl');

const line = (obj: Record<string, unknown>) => `${JSON.stringify({ stamp: '2026-12-01T22-33-58', ...obj })}\n`;
const run = (qps: number, extra: Record<string, unknown> = {}) => ({
  qps, sent: qps * 2, completed: qps * 2, lost: 0, lossPct: 0, avgLatencyMs: 0.5, rcodes: { NOERROR: qps * 2 }, cpuShare: 0.98, rcodeCheck: 'ok', ...extra,
});
/** clusterdns-cache measured at 10k: UDP 90,000 QPS against the fixture's probe (16,518), p99 0.3 ms. */
const cacheRecords = (udpQps: number, p99: number) =>
  line({ kind: 'startup', target: 'clusterdns-cache', size: 10000, startupMs: 1500, idleRssMiB: 121 }) +
  line({ kind: 'forward-answers', target: 'clusterdns-cache', size: 10000, names: 5000, answers: ['NOERROR|h0.fwd.bench. in a 10.128.0.0', 'NXDOMAIN|'], upstreamAnswers: ['NOERROR|h0.fwd.bench. in a 10.128.0.0', 'NOERROR|'] }) +
  line({ kind: 'saturation', target: 'clusterdns-cache', size: 10000, transport: 'udp', mix: 'fwd', run: 1, ...run(udpQps) }) +
  line({ kind: 'saturation', target: 'clusterdns-cache', size: 10000, transport: 'tcp', mix: 'fwd', run: 1, ...run(50000) }) +
  line({ kind: 'latency', target: 'clusterdns-cache', size: 10000, p50: 0.1, p99, 'p99.9': 1, samples: 20000, qps: 9999, lost: 0 }) +
  line({ kind: 'upstream-cpu', target: 'clusterdns-cache', size: 10000, cpuSeconds: 0 }) +
  line({ kind: 'rss', target: 'clusterdns-cache', size: 10000, loadedRssMiB: 140 });

describe('bench report', () => {
  it('renders the per-size table, ratios, CPU-second figures, runs, cross-check and issue 6 verdicts exactly as run.mjs did', () => {
    const recorded = parseResultsLog(quickRun);
    const text = `${renderTable(recorded.results, [10000], ['udp', 'tcp'])}\n${renderIssue6Targets(recorded.results, recorded.load.load, recorded.programming, 2)}`;
    expect(text.trim()).toBe(fixture('quick-run-report.md').trim());
  });

  it('keeps clusterdns-cache out of the cluster table, whose rows and ratios stay as they were', () => {
    const recorded = parseResultsLog(quickRun + cacheRecords(90000, 0.3));
    const table = renderTable(recorded.results, [10000], ['udp', 'tcp']);
    expect(table).not.toContain('clusterdns-cache');
    expect(table).toBe(renderTable(parseResultsLog(quickRun).results, [10000], ['udp', 'tcp']));
  });

  it('puts cache hits beside cluster hits and the probe: QPS per transport, p99, ratios, the upstream CPU and the answer cross-check', () => {
    const recorded = parseResultsLog(quickRun + cacheRecords(90000, 0.3));
    const text = renderForwardCache(recorded.results, recorded.skipped, ['udp', 'tcp']);
    const rows = text.split('\n');
    expect(rows).toContain('| cluster hits (clusterdns) | 40,446 | 62,908 | 0.000 | 0.63/0.38 | 0.836 / 21.472 / 36.571 | ok |');
    expect(rows).toContain('| forwarded names, cache hits (clusterdns-cache) | 90,000 | 50,000 | 0.000 | 0.98/0.98 | 0.100 / 0.300 / 1.000 | ok |');
    expect(rows).toContain('| ceiling probe | 16,518 | 78,916 | 0.000 | 0.23/0.35 | 0.641 / 21.485 / 140.221 | n/a |');
    expect(rows).toContain(`| cache hits ÷ cluster hits | ${(90000 / 40446).toFixed(2)} | ${(50000 / 62908).toFixed(2)} | | | p99 ${(0.3 / 21.472).toFixed(2)} × | |`);
    expect(rows).toContain(`| cache hits ÷ probe | ${(90000 / 16518).toFixed(2)} | ${(50000 / 78916).toFixed(2)} | | | p99 ${(0.3 / 21.485).toFixed(2)} × | |`);
    expect(text).toContain('5,000 A records under fwd.bench.');
    expect(text).toContain('the upstream used 0.00 CPU s during the measured runs');
    expect(text).toContain('Forwarded answer cross-check (2 questions, clusterdns-cache vs its upstream Knot): 1 differences:\n  - NXDOMAIN| vs the upstream: NOERROR|');
  });

  it('says why the forwarded-names table is unavailable when clusterdns-cache could not run', () => {
    const reason = 'the built CLI has no --upstream flag (`node dist/cli/main.js serve --help` does not list it)';
    const recorded = parseResultsLog(quickRun + line({ kind: 'unavailable', target: 'clusterdns-cache', size: 10000, reason }));
    expect(renderForwardCache(recorded.results, recorded.skipped, ['udp', 'tcp'])).toBe(`\n### Forwarded names answered from the cache\n\nunavailable in this run: ${reason}`);
    expect(renderForwardCache(parseResultsLog(quickRun).results, [], ['udp'])).toBe('');
  });

  it('applies the p99 rule: ≤ 1.5 × the probe, and ≤ 0.2 ms whenever the probe is at ≤ 0.15 ms', () => {
    expect(p99MeetsTarget(0.3, 0.2)).toBe(true);
    expect(p99MeetsTarget(0.31, 0.2)).toBe(false);
    expect(p99MeetsTarget(0.2, 0.15)).toBe(true);
    expect(p99MeetsTarget(0.21, 0.15)).toBe(false); // within 1.5 × but above 0.2 ms while the probe is quick
    expect(p99MeetsTarget(0.18, 0.16)).toBe(true);
  });
});
