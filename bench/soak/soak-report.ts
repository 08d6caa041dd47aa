// The soak's report as text: what ran, the queries, RSS and heap over time (a Markdown table of at most
// TABLE_ROWS samples, the settled start and end always among them), the heap verdict and the failures.
import { PROGRAMMING_DELAY_MS, QUERY_TIMEOUT_MS, mib, type SoakReport } from './run-soak.js';
import type { MemorySample } from './soaked-server.js';

const TABLE_ROWS = 14;

function thinned(samples: MemorySample[]): MemorySample[] {
  if (samples.length <= TABLE_ROWS) return samples;
  const kept = new Set<MemorySample>(samples.filter((sample) => sample.settled || sample === samples[0]));
  const step = (samples.length - 1) / (TABLE_ROWS - kept.size);
  for (let i = 0; kept.size < TABLE_ROWS && i * step < samples.length; i++) kept.add(samples[Math.round(i * step)]);
  return samples.filter((sample) => kept.has(sample));
}

export function memoryTable(samples: MemorySample[]): string[] {
  return [
    '| time | phase | RSS | heap used | objects | driver stall |',
    '|---:|---|---:|---:|---:|---:|',
    ...thinned(samples).map(
      (s) => `| ${Math.round(s.atSeconds)} s | ${s.phase}${s.settled ? ' (after full GC)' : ''} | ${mib(s.rssBytes)} | ${mib(s.heapUsedBytes)} | ${s.objects} | ${s.driverStallMs ?? 0} ms |`,
    ),
  ];
}

export function formatSoakReport(report: SoakReport): string {
  const { options: o, counts: c, heap } = report;
  const kinds = Object.entries(c.byKind)
    .map(([kind, n]) => `${kind} ${n}`)
    .join(', ');
  const lines = [
    `soak ${report.startedAt}: ${o.minutes} min, ${o.qps} lookups/s, ${o.services} services (${report.objectsAtStart} objects), ${o.churnPerSecond} changes/s, seed ${o.seed}; ran ${Math.round(report.durationSeconds)} s`,
    `queries: ${c.sent} sent (${c.udp} UDP, ${c.tcp} TCP, in ${c.lookups} lookups), ${c.answered} answered, ${c.timedOut} timed out (> ${QUERY_TIMEOUT_MS} ms), ${c.wrong} wrong`,
    `forwarded names answered SERVFAIL: ${c.forwardedServfail} (the server counted ${report.upstreamUnanswered} upstream requests unanswered); answering after the load: ${report.liveAfterLoad ? 'yes' : 'NO'}`,
    `answered by kind: ${kinds}`,
    `cluster changes: ${report.changes.added} added, ${report.changes.changed} changed, ${report.changes.deleted} deleted (an old answer is accepted for ${PROGRAMMING_DELAY_MS} ms after a change)`,
    `converged: server ${report.converged.server} objects, API ${report.converged.emulator}`,
    `heap (settled): ${mib(report.settledStart.heapUsedBytes)} → ${mib(report.settledEnd.heapUsedBytes)} (${heap.growthBytes >= 0 ? '+' : ''}${mib(heap.growthBytes)}; allowed ${mib(heap.allowedBytes)} for ${heap.objectGrowth} more objects)`,
    `RSS: ${mib(report.settledStart.rssBytes)} → ${mib(report.settledEnd.rssBytes)}`,
    `server log: ${report.serverErrorCount} errors, ${report.serverUpstreamTimeouts} SERVFAIL-after-upstream-timeout lines, ${report.serverWarnings} warnings; exit code ${report.serverExitCode}`,
    `driver: longest event-loop stall ${report.longestStallMs} ms (the machine's load shows here)`,
    '',
    ...memoryTable(report.samples),
    '',
  ];
  for (const wrong of report.wrongAnswers) lines.push(`wrong: ${JSON.stringify(wrong)}`);
  for (const error of report.serverErrors) lines.push(`server error: ${error}`);
  lines.push(report.failures.length === 0 ? 'PASS' : `FAIL: ${report.failures.join('; ')}`);
  return lines.join('\n');
}
