// bench/results/bench-<stamp>.jsonl: one JSON object per measurement, appended as it is taken, so that an
// interrupted run keeps what it measured; and the reverse, for --report: the records back into results.
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MachineInfo } from './machine.js';
import type { LatencyPairs, ProfileResult, ProgrammingLatency, SaturationRun, Skipped, TargetResult, WatchResult, WorkerPairs } from './types.js';

export interface ResultsLog {
  stamp: string;
  jsonl: string;
  summary: string;
  record(obj: Record<string, unknown> & { kind: string }): void;
}

/** "2026-11-23T12-34-52" for now. */
export const runStamp = (date = new Date()): string => date.toISOString().replace(/[:.]/g, '-').slice(0, 19);

export function createResultsLog(dir: string, stamp = runStamp()): ResultsLog {
  mkdirSync(dir, { recursive: true });
  const jsonl = join(dir, `bench-${stamp}.jsonl`);
  return {
    stamp,
    jsonl,
    summary: join(dir, `summary-${stamp}.md`),
    record: (obj) => appendFileSync(jsonl, `${JSON.stringify({ stamp, ...obj })}\n`),
  };
}

export interface RecordedRun {
  stamp: string;
  machine?: MachineInfo & { options?: { transports?: string[]; runs?: number; duration?: number } };
  load: { load: number[]; waitedS: number };
  /** Targets that started (those with a startup record). */
  results: TargetResult[];
  skipped: Skipped[];
  programming: ProgrammingLatency | null;
  profiles: ProfileResult[];
  /** The watch bench's 10k/50k/50k figures (issue 13's API row), or why it did not run. */
  watch: WatchResult | null;
  watchSkipped?: string;
  /** The alternated p99 runs (measure-latency-pairs.ts), when the run made them. */
  latencyPairs: LatencyPairs | null;
  /** The alternated one-core and all-core runs (measure-worker-pairs.ts), when the run made them. */
  workerPairs: WorkerPairs | null;
}

type RecordLine = Record<string, any> & { kind: string };

/** The JSONL text of a run → what the report needs. */
export function parseResultsLog(text: string): RecordedRun {
  const recs = text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as RecordLine);
  const results = new Map<string, TargetResult>();
  const get = (r: RecordLine): TargetResult => {
    const key = `${r.target} ${r.size}`;
    if (!results.has(key)) results.set(key, { target: r.target, size: r.size, runs: {} });
    return results.get(key)!;
  };
  const profiles: ProfileResult[] = [];
  const skipped: Skipped[] = [];
  let watch: WatchResult | null = null;
  let watchSkipped: string | undefined;
  let latencyPairs: LatencyPairs | null = null;
  let workerPairs: WorkerPairs | null = null;
  for (const r of recs) {
    if (r.kind === 'startup') Object.assign(get(r), { startupMs: r.startupMs, idleRssMiB: r.idleRssMiB, ...(r.idleRssByProcessMiB ? { idleRssByProcessMiB: r.idleRssByProcessMiB } : {}) });
    else if (r.kind === 'answers') get(r).answers = r.answers;
    else if (r.kind === 'forward-answers') Object.assign(get(r), { forwardAnswers: r.answers, upstreamAnswers: r.upstreamAnswers, forwardNames: r.names });
    else if (r.kind === 'upstream-cpu') get(r).upstreamCpuSeconds = r.cpuSeconds;
    else if (r.kind === 'rss') Object.assign(get(r), { loadedRssMiB: r.loadedRssMiB, ...(r.loadedRssByProcessMiB ? { loadedRssByProcessMiB: r.loadedRssByProcessMiB } : {}) });
    else if (r.kind === 'watch') watch = r.result as WatchResult;
    else if (r.kind === 'watch-skipped') watchSkipped = r.reason as string;
    else if (r.kind === 'latency-pairs') latencyPairs = { size: r.size, pairs: r.pairs };
    else if (r.kind === 'worker-pairs') workerPairs = { size: r.size, clusterdns: r.clusterdns, probe: r.probe };
    else if (r.kind === 'cache-pairs') get(r).cachePairs = { size: r.size, qps: r.qps, p99: r.p99, lost: r.lost, rcodeCheck: r.rcodeCheck };
    else if (r.kind === 'latency') get(r).latency = { p50: r.p50, p99: r.p99, 'p99.9': r['p99.9'], samples: r.samples, qps: r.qps, lost: r.lost };
    else if (r.kind === 'saturation') {
      const slot = (get(r).runs[`${r.transport}-${r.mix}`] ??= { all: [], best: r as unknown as SaturationRun });
      if (slot.all.length === 0) slot.best = r as unknown as SaturationRun;
      slot.all.push(r as unknown as SaturationRun);
      if ((r.qps ?? 0) > (slot.best.qps ?? 0)) slot.best = r as unknown as SaturationRun;
    } else if (r.kind === 'profile') profiles.push({ mix: 'hits', ...r } as unknown as ProfileResult);
    else if (r.kind === 'unavailable') skipped.push({ target: r.target, size: r.size, reason: r.reason });
  }
  return {
    stamp: recs[0]?.stamp ?? '',
    machine: recs.find((r) => r.kind === 'machine') as RecordedRun['machine'],
    load: (recs.find((r) => r.kind === 'load') as RecordedRun['load'] | undefined) ?? { load: [], waitedS: 0 },
    results: [...results.values()].filter((r) => r.startupMs !== undefined),
    skipped,
    programming: (recs.find((r) => r.kind === 'programming') as ProgrammingLatency | undefined) ?? null,
    profiles,
    watch,
    ...(watchSkipped !== undefined ? { watchSkipped } : {}),
    latencyPairs,
    workerPairs,
  };
}

export const readResultsLog = (file: string): RecordedRun => parseResultsLog(readFileSync(file, 'utf8'));
