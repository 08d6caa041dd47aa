#!/usr/bin/env node
// `npm run bench`: clusterdns side by side with the Node ceiling probe, Knot and NSD on one synthetic
// cluster (issue 6), and forwarded names answered from clusterdns's cache (issue 13). Everything runs on
// 127.0.0.1; every load run is bounded by dnsperf -l and a hard timeout; every process started here is
// stopped by its PID. Results: bench/results/bench-<stamp>.jsonl and summary-<stamp>.md (also printed).
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { resolve } from 'node:path';
import { prepareDataset } from './datasets.js';
import type { MeasureContext } from './load-runs.js';
import { describeMachine, loadAverage, waitForQuietMachine } from './machine.js';
import { measureForwardCache } from './measure-forward-cache.js';
import { measureLatencyPairs } from './measure-latency-pairs.js';
import { measureTarget } from './measure-target.js';
import { measureWorkerPairs } from './measure-worker-pairs.js';
import { parseBenchOptions, USAGE, type BenchOptions } from './options.js';
import { relativeToRoot, RESULTS_DIR } from './paths.js';
import { profileClusterdns } from './profile-run.js';
import { renderIssue13Table } from './issue13-table.js';
import { measureWatch } from './measure-watch.js';
import { renderForwardCache, renderIssue6Targets, renderProfile, renderTable } from './report.js';
import { createResultsLog, readResultsLog } from './results-log.js';
import { measureProgrammingLatency } from './script-modules.js';
import { stopAllStarted } from './server-process.js';
import { checkSetup } from './setup.js';
import { allCpus, CLIENT_CPU, onAllCpus, SERVER_CPU } from './targets.js';
import type { LatencyPairs, ProfileResult, ProgrammingLatency, Skipped, TargetResult, WatchResult, WorkerPairs } from './types.js';

const log = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

const nonEmpty = (section: string): string[] => (section ? [section] : []);

/** --report FILE.jsonl: the Markdown summary of an earlier run, without measuring again. */
function rerender(file: string): void {
  const run = readResultsLog(file);
  const mach = run.machine;
  const transports = (mach?.options?.transports ?? ['udp', 'tcp']) as BenchOptions['transports'];
  const sizes = [...new Set(run.results.map((r) => r.size))];
  const md = [
    `## Benchmark run ${run.stamp} (re-rendered from ${relativeToRoot(resolve(file))})`,
    '',
    mach ? `Machine: ${mach.nproc} × ${mach.cpu}, ${mach.memMiB} MiB, Linux ${mach.kernel}, Node ${mach.node}, dnsperf ${mach.dnsperf}, Knot ${mach.knot}, NSD ${mach.nsd}.` : '',
    `Load average at start: ${run.load.load.join(' ')} (waited ${run.load.waitedS} s).`,
    renderTable(run.results, sizes, transports),
    ...nonEmpty(renderForwardCache(run.results, run.skipped, transports)),
    renderIssue6Targets(run.results, run.load.load, run.programming, mach?.nproc ?? os.cpus().length),
    renderIssue13Table({ results: run.results, skipped: run.skipped, sizes, watch: run.watch, watchSkipped: run.watchSkipped, cpus: mach?.nproc ?? os.cpus().length, latencyPairs: run.latencyPairs, workerPairs: run.workerPairs }),
  ];
  for (const profile of run.profiles) md.push(renderProfile(profile, `\n### Profile (clusterdns, UDP ${profile.mix} under dnsperf; top self time, the first ${profile.skipMs} ms left out)\n`));
  process.stdout.write(`${md.join('\n')}\n`);
}

async function measure(argv: readonly string[], options: BenchOptions): Promise<void> {
  const t0 = Date.now();
  const results = createResultsLog(RESULTS_DIR);
  const ctx: MeasureContext = { options, record: results.record, log };
  const setup = checkSetup(options, log);
  options.targets = setup.targets;
  const mach = describeMachine();
  results.record({ kind: 'machine', ...mach, options });
  log(`machine: ${mach.nproc} CPUs (${mach.cpu}), Node ${mach.node}, dnsperf ${mach.dnsperf}, knot ${mach.knot}, nsd ${mach.nsd}`);
  log(`targets: ${options.targets.join(', ')}; sizes ${options.sizes.join(', ')}; ${options.runs} × ${options.duration} s per saturation run`);

  const datasets = options.sizes.map((size) => prepareDataset(size, options.forwardNames, log));
  const quiet = await waitForQuietMachine(options.quick ? 30 : 300, options.waitLoad, log);
  results.record({ kind: 'load', ...quiet });
  log(`load average at start: ${quiet.load.join(' ')} (waited ${quiet.waitedS} s)`);

  // Forwarded names do not depend on the cluster's size: clusterdns-cache runs at one size (10k if asked).
  const forwardSize = options.sizes.includes(10000) ? 10000 : options.sizes[0];
  const measured: (TargetResult | null)[] = [];
  const skipped: Skipped[] = [];
  for (const data of datasets) {
    log(`\n== ${data.size} services ==`);
    for (const target of options.targets) {
      if (target !== 'clusterdns-cache') measured.push(await measureTarget(ctx, target, data));
      else if (data.size === forwardSize) {
        const r = await measureForwardCache(ctx, data, setup.forwardCacheUnavailable, options.targets.includes('probe') ? options.latencyPairs : 0);
        if ('runs' in r) measured.push(r);
        else skipped.push(r);
      }
    }
  }
  let programming: ProgrammingLatency | null = null;
  const mainData = datasets.find((d) => d.size === 10000) ?? datasets[0];
  if (options.targets.includes('clusterdns')) {
    const seconds = options.quick ? 2 : 5;
    log(`\n== programming latency: ${mainData.size} services + a churn manifest, 100 changes/s for ${seconds} s ==`);
    try {
      programming = { size: mainData.size, ...(await measureProgrammingLatency({ manifest: mainData.manifest, rate: 100, seconds, cpu: SERVER_CPU })) };
      results.record({ kind: 'programming', ...programming });
      log(`  ${programming.answered}/${programming.changes} answered, p50 ${programming.p50Ms} ms, p99 ${programming.p99Ms} ms, max ${programming.maxMs} ms`);
    } catch (err) {
      log(`  SKIP (${(err as Error).message})`);
    }
  }
  // Issue 13's p99 row: clusterdns and the probe alternated, so that the minute's drift cancels out.
  let latencyPairs: LatencyPairs | null = null;
  if (options.latencyPairs > 0 && options.transports.includes('udp') && options.targets.includes('clusterdns') && options.targets.includes('probe')) {
    log(`\n== p99 at 10k QPS, clusterdns and the probe alternated ${options.latencyPairs} times, ${mainData.size} services ==`);
    try {
      latencyPairs = await measureLatencyPairs(ctx, mainData, options.latencyPairs);
    } catch (err) {
      log(`  SKIP (${(err as Error).message})`);
    }
  }
  // Issue 13's `--workers` row: one core and all cores alternated, and the probes beside them.
  let workerPairs: WorkerPairs | null = null;
  if (options.latencyPairs > 0 && options.targets.includes('clusterdns') && options.targets.includes('clusterdns-all')) {
    const withProbes = options.targets.includes('probe');
    log(`\n== --workers: one core and all cores alternated ${options.latencyPairs} times${withProbes ? ', and the probe and probe-all' : ''}, ${mainData.size} services ==`);
    try {
      workerPairs = await measureWorkerPairs(ctx, mainData, options.latencyPairs, withProbes);
    } catch (err) {
      log(`  SKIP (${(err as Error).message})`);
    }
  }
  // Issue 13's API row: the watch bench's RSS at 10k services / 50k endpoints / 50k pods.
  let watch: WatchResult | null = null;
  let watchSkipped: string | undefined;
  if (options.watch) {
    log(`\n== watch path: 10k services / 50k endpoints / 50k pods from the API emulator, ${options.watchChanges} changes at 100/s ==`);
    try {
      watch = await measureWatch(options.watchChanges, log);
      results.record({ kind: 'watch', result: watch });
    } catch (err) {
      watchSkipped = (err as Error).message;
      log(`  SKIP (${watchSkipped})`);
    }
  } else watchSkipped = 'skipped with --no-watch';
  if (watchSkipped !== undefined) results.record({ kind: 'watch-skipped', reason: watchSkipped });
  const profiles: ProfileResult[] = [];
  if (options.profile && options.targets.includes('clusterdns')) {
    for (const mix of options.profileMixes) {
      log(`\n== profile: clusterdns under dnsperf ${mix}, ${mainData.size} services ==`);
      const p = await profileClusterdns(ctx, results.stamp, mainData, mix);
      if (p) profiles.push(p);
    }
  }
  const loadEnd = loadAverage();
  const allCoreTargets = options.targets.filter(onAllCpus);
  const md = [
    `## Benchmark run ${results.stamp}`,
    '',
    `Command: \`${`npm run bench -- ${argv.join(' ')}`.trim().replace(/ --$/, '')}\` (${Math.round((Date.now() - t0) / 1000)} s)`,
    '',
    `Machine: ${mach.nproc} × ${mach.cpu}, ${mach.memMiB} MiB, Linux ${mach.kernel}, Node ${mach.node}, dnsperf ${mach.dnsperf}, Knot ${mach.knot}, NSD ${mach.nsd}.`,
    `dnsperf pinned to CPU ${CLIENT_CPU}, servers to CPU ${SERVER_CPU}${allCoreTargets.length ? ` (${allCoreTargets.join(', ')}: one worker per core on CPUs ${allCpus()})` : ''}; ${options.warmup ? 'one warm-up pass through each query file first; ' : 'no warm-up; '}UDP -c ${options.udpClients} -q ${options.udpOutstanding}, TCP -c ${options.tcpClients} -q ${options.tcpOutstanding}; ${options.runs} × ${options.duration} s saturation runs (best shown), latency: -Q 10000 for ${options.latencySeconds} s with per-query latencies from -v.`,
    `Load average: ${quiet.load.join(' ')} at start (waited ${quiet.waitedS} s), ${loadEnd.join(' ')} at the end.`,
    renderTable(measured, options.sizes, options.transports),
    ...nonEmpty(renderForwardCache(measured, skipped, options.transports)),
    renderIssue6Targets(measured, quiet.load, programming, os.cpus().length),
    renderIssue13Table({ results: measured, skipped, sizes: options.sizes, watch, watchSkipped, cpus: os.cpus().length, latencyPairs, workerPairs }),
  ];
  for (const profile of profiles) {
    md.push(renderProfile(profile, `\n### Profile (clusterdns, UDP ${profile.mix} under dnsperf, node --cpu-prof; top self time, the first ${profile.skipMs} ms of startup left out)\n`, relativeToRoot(profile.file)));
  }
  const text = `${md.join('\n')}\n`;
  writeFileSync(results.summary, text);
  log(`\n${text}`);
  log(`results: ${results.jsonl}\nsummary: ${results.summary}`);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help')) return log(USAGE);
  const options = parseBenchOptions(argv);
  if (options.report !== undefined) return rerender(options.report);
  const onSignal = () => {
    stopAllStarted();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  await measure(argv, options);
}

main().catch((err: Error) => {
  process.stderr.write(`bench: ${err.stack ?? err}\n`);
  stopAllStarted();
  process.exit(1);
});
