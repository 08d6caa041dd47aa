// One soak: the API emulator with a churning cluster, a test upstream for forwarded names, the built CLI
// serving both, and a fixed rate of mixed UDP and TCP lookups whose every answer is checked. A warm-up, a
// settled heap figure, the measured run, and a settled figure again; RSS and heap sampled from /metrics
// throughout. Only 127.0.0.1; every loop and wait bounded; the server is stopped by its PID.
import { existsSync, readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiEmulator, tempDir, writeKubeconfig } from '../../test/helpers/api-emulator/index.js';
import { a, TestUpstream } from '../../test/helpers/upstream/test-upstream.js';
import { TcpClient, UdpClient, type DnsClient } from './dns-clients.js';
import { ExpectedAnswers } from './expected-answers.js';
import { heapVerdict, type HeapVerdict } from './heap-verdict.js';
import { driveLoad, emptyCounts, judgeReply, type LoadCounts, type WrongAnswer } from './load-driver.js';
import type { SoakOptions } from './options.js';
import { seededRandom } from './prng.js';
import { FORWARDED_NAMES, forwardedAddress, forwardedName, QueryMix } from './query-mix.js';
import { serviceName, SoakCluster } from './soak-cluster.js';
import { SoakedServer, type MemorySample } from './soaked-server.js';

/**
 * The longest an API change may take to be served before an old answer counts as wrong. The programming latency
 * itself is milliseconds (docs/benchmarks.md); the bound covers a shared machine that starves the niced soak for
 * seconds, the API emulator (in the soak's process) sending no watch event meanwhile.
 */
export const PROGRAMMING_DELAY_MS = 5000;
/** Per query; a query with no reply by then counts as timed out. */
export const QUERY_TIMEOUT_MS = 3000;
/** Tries of the final liveness check (a cluster name over UDP and over TCP), each within QUERY_TIMEOUT_MS. */
const LIVENESS_TRIES = 5;
const TOKEN = 'soak-token';
const CLIENTS_PER_TRANSPORT = 4;

export interface SoakReport {
  options: SoakOptions;
  startedAt: string;
  durationSeconds: number;
  serverPid: number;
  objectsAtStart: number;
  counts: LoadCounts;
  changes: { added: number; changed: number; deleted: number };
  wrongAnswers: WrongAnswer[];
  samples: MemorySample[];
  settledStart: MemorySample;
  settledEnd: MemorySample;
  heap: HeapVerdict;
  /** Objects the emulator holds at the end, and whether the server's count reached it. */
  converged: { emulator: number; server: number; ok: boolean };
  /** The first of them (at most 20). */
  serverErrors: string[];
  serverErrorCount: number;
  /** Error lines for SERVFAIL after an upstream timeout (checked against the upstream counters). */
  serverUpstreamTimeouts: number;
  serverWarnings: number;
  serverExitCode: number | null;
  /** After the load: a cluster name answered right over UDP and over TCP. */
  liveAfterLoad: boolean;
  /** The server's upstream requests that got no response (coredns_forward_requests_total − responses_total). */
  upstreamUnanswered: number;
  /** The driver's longest event-loop stall over the run. */
  longestStallMs: number;
  failures: string[];
}

/** The repository root: the nearest folder up from this file with clusterdns's package.json (source or dist-soak). */
export function repositoryRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'clusterdns') return dir;
    dir = dirname(dir);
  }
  throw new Error('the clusterdns repository root was not found above bench/soak');
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    // A scrape can time out on a starved machine: try again until the deadline.
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function runSoak(options: SoakOptions, progress: (line: string) => void = () => {}): Promise<SoakReport> {
  const root = repositoryRoot();
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const seconds = () => Math.round((performance.now() - t0) / 100) / 10;
  const random = seededRandom(options.seed);
  const expected = new ExpectedAnswers(PROGRAMMING_DELAY_MS, QUERY_TIMEOUT_MS + 1000);
  const emulator = await new ApiEmulator({ token: TOKEN }).start();
  const upstream = new TestUpstream();
  const dir = await tempDir('clusterdns-soak-');
  // Run in order at the end, also after a failure; each step may run after it already happened (idempotent).
  const cleanup: Array<() => Promise<unknown>> = [() => dir.remove(), () => emulator.close(), () => upstream.close()];
  try {
    const cluster = new SoakCluster(emulator, expected, random, options.services);
    cluster.populate();
    const mix = new QueryMix(cluster, expected, random);
    for (let k = 0; k < FORWARDED_NAMES; k++) upstream.answer(forwardedName(k), a(forwardedName(k), forwardedAddress(k)));
    await upstream.start();
    const kubeconfig = await writeKubeconfig(dir.dir, { contexts: [{ name: 'soak', server: emulator.url, token: TOKEN }] });
    const server = await SoakedServer.start(root, ['--kubeconfig', kubeconfig, '--upstream', `127.0.0.1:${upstream.port}`, '--pods', 'verified']);
    cleanup.unshift(() => server.stop());
    progress(`server pid ${server.pid}: dns 127.0.0.1:${server.dnsPort}, metrics 127.0.0.1:${server.metricsPort}, upstream 127.0.0.1:${upstream.port}`);
    const objectsAtStart = cluster.objectCount();
    await until('the server synced every object', 60_000, async () => ((await server.sample(0, 'sync')).objects === objectsAtStart ? true : undefined));
    const sampleNow = (phase: string, settled = false) => until(`a /metrics sample (${phase})`, 30_000, () => server.sample(seconds(), phase, settled));

    const udp = Array.from({ length: CLIENTS_PER_TRANSPORT }, () => new UdpClient(server.dnsPort, QUERY_TIMEOUT_MS));
    const tcp = Array.from({ length: CLIENTS_PER_TRANSPORT }, () => new TcpClient(server.dnsPort, QUERY_TIMEOUT_MS));
    cleanup.unshift(() => Promise.all([...udp, ...tcp].map((client) => client.close())));
    const counts = emptyCounts();
    const wrongAnswers: WrongAnswer[] = [];
    const samples: MemorySample[] = [];
    let phase = 'warm-up';
    // The driver's own longest event-loop stall between samples: timeouts on a starved machine show here.
    const stalls = monitorEventLoopDelay({ resolution: 20 });
    stalls.enable();
    cleanup.unshift(async () => stalls.disable());
    let longestStallMs = 0;
    const record = (sample: MemorySample) => {
      sample.driverStallMs = Math.round(stalls.max / 1e6);
      longestStallMs = Math.max(longestStallMs, sample.driverStallMs);
      stalls.reset();
      samples.push(sample);
      progress(`${sample.atSeconds.toFixed(0).padStart(5)} s  ${sample.phase.padEnd(8)} RSS ${mib(sample.rssBytes)}  heap ${mib(sample.heapUsedBytes)}  objects ${sample.objects}${sample.settled ? '  (settled)' : ''}  answered ${counts.answered}  timed out ${counts.timedOut}  wrong ${counts.wrong}  driver stall ${sample.driverStallMs} ms`);
    };
    let sampling = false;
    const sampler = setInterval(() => {
      if (sampling) return;
      sampling = true;
      server
        .sample(seconds(), phase)
        .then(record, (err: Error) => progress(`sample failed: ${err.message}`))
        .finally(() => (sampling = false));
    }, options.sampleSeconds * 1000);
    cleanup.unshift(async () => clearInterval(sampler));
    record(await sampleNow('synced'));

    let churned = 0;
    let churnBase = 0;
    const load = (durationMs: number) =>
      driveLoad(
        {
          qps: options.qps,
          udp,
          tcp,
          mix,
          expected,
          counts,
          wrongAnswers,
          onWrong: (wrong) => progress(`wrong answer: ${JSON.stringify(wrong)}`),
          onTick: (elapsed) => {
            const due = churnBase + Math.floor((Math.min(elapsed, durationMs) * options.churnPerSecond) / 1000);
            for (; churned < due; churned++) cluster.churn();
          },
        },
        durationMs,
      ).then(() => (churnBase = churned));

    const totalMs = options.minutes * 60_000;
    const warmUpMs = Math.min(60_000, Math.max(3000, totalMs / 10));
    await load(warmUpMs);
    await server.settle(30_000);
    const settledStart = await sampleNow('start', true);
    record(settledStart);
    phase = 'soak';
    await load(Math.max(1000, totalMs - warmUpMs));
    clearInterval(sampler);
    phase = 'end';

    // Timeouts are counted, not failed (a starved machine makes them); a server that stopped answering fails here.
    const liveAfterLoad = await stillAnswers(cluster, expected, [udp[0], tcp[0]]);
    const upstreamUnanswered = await until('the upstream counters', 30_000, async () => (await server.metricSum('coredns_forward_requests_total')) - (await server.metricSum('coredns_forward_responses_total')));
    const emulatorObjects = cluster.objectCount();
    let serverObjects = -1;
    const convergedOk = await until('the server converged', 30_000, async () => {
      serverObjects = (await server.sample(seconds(), 'end')).objects;
      return serverObjects === emulatorObjects ? true : undefined;
    }).catch(() => false);
    await server.settle(30_000);
    const settledEnd = await sampleNow('end', true);
    record(settledEnd);
    const heap = heapVerdict(settledStart, settledEnd);
    await Promise.all([...udp, ...tcp].map((client) => client.close()));
    const serverExitCode = await server.stop();

    const failures: string[] = [];
    if (counts.wrong > 0) failures.push(`${counts.wrong} wrong answers`);
    if (!heap.ok) failures.push(`the settled heap grew ${mib(heap.growthBytes)}, more than the ${mib(heap.allowedBytes)} allowed for ${heap.objectGrowth} more objects`);
    if (server.logs.errors.length > 0) failures.push(`${server.logs.errors.length} errors in the server's log`);
    if (!liveAfterLoad) failures.push(`no right answer over UDP and TCP in ${LIVENESS_TRIES} tries each after the load`);
    if ((counts.forwardedServfail > 0 || server.logs.upstreamTimeouts.length > 0) && upstreamUnanswered <= 0) {
      failures.push(`${counts.forwardedServfail} SERVFAIL for forwarded names and ${server.logs.upstreamTimeouts.length} upstream timeouts logged, while the server counted every upstream request answered`);
    }
    if (counts.answered === 0) failures.push('no query was answered');
    if (!convergedOk) failures.push(`the server holds ${serverObjects} objects, the API ${emulatorObjects}`);
    if (serverExitCode !== 0) failures.push(`the server exited with ${serverExitCode} on SIGTERM`);
    return {
      options,
      startedAt,
      durationSeconds: seconds(),
      serverPid: server.pid,
      objectsAtStart,
      counts,
      changes: { ...cluster.changes },
      wrongAnswers,
      samples,
      settledStart,
      settledEnd,
      heap,
      converged: { emulator: emulatorObjects, server: serverObjects, ok: convergedOk },
      serverErrors: server.logs.errors.slice(0, 20),
      serverErrorCount: server.logs.errors.length,
      serverUpstreamTimeouts: server.logs.upstreamTimeouts.length,
      serverWarnings: server.logs.warnings.length,
      serverExitCode,
      liveAfterLoad,
      upstreamUnanswered,
      longestStallMs,
      failures,
    };
  } finally {
    for (const step of cleanup) await step().catch(() => {});
  }
}

/** A stable cluster name answered right over each client (UDP, TCP), within LIVENESS_TRIES tries each. */
async function stillAnswers(cluster: SoakCluster, expected: ExpectedAnswers, clients: DnsClient[]): Promise<boolean> {
  const { name, ns } = cluster.stableServices[0];
  const dnsName = serviceName(name, ns);
  for (const client of clients) {
    let right = false;
    for (let i = 0; i < LIVENESS_TRIES && !right; i++) {
      const sentAt = performance.now();
      const reply = await client.query(dnsName);
      right = reply !== null && judgeReply(reply, dnsName, expected.acceptable(dnsName, sentAt, performance.now())) === null;
    }
    if (!right) return false;
  }
  return true;
}

export function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
