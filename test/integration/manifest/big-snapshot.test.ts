// A 20,000-Service snapshot (as `kubectl get svc -A -o yaml` and `-o json` print it) loaded and then edited
// while the server runs: the parse takes seconds (YAML in the parse worker; the first load of JSON on the
// serving thread in time slices, reloads in the worker), and it must not take answering with it. Measured in
// the serving process itself: every UDP query sent during the load and the reload is answered within
// QUERY_BOUND_MS, and an event-loop delay monitor sees no pause longer than that.
import { mkdtemp, rm, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay, performance, type IntervalHistogram } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { startClusterDnsServer, type ClusterDnsServer } from '../../../src/cluster-dns.js';
import { decodeMessage } from '../../../src/wire/message.js';
import { RCode, RRType } from '../../../src/wire/types.js';
import { queryBytes, udpExchange } from '../../helpers/raw-query.js';
import { kubectlServicesJson, kubectlServicesYaml, snapshotService, snapshotServiceIp } from '../../helpers/kubectl-yaml-snapshot.js';

/**
 * The serving loop's own slices are 8 ms; the bound is for a shared 2-core machine running many times its
 * cores in load, where the scheduler alone delays a thread by hundreds of ms. Before the parse moved off the
 * serving thread the same load and reload stalled answering for tens of seconds there.
 */
const QUERY_BOUND_MS = 1000;
const SERVICES = 20_000;
const PARSE_WORKER = fileURLToPath(new URL('../../../dist/manifest/parse-worker.js', import.meta.url));
const FIRST = snapshotService(0);
const FIRST_NAME = `${FIRST.name}.${FIRST.namespace}.svc.cluster.local`;
const LAST = snapshotService(SERVICES - 1);
const LAST_NAME = `${LAST.name}.${LAST.namespace}.svc.cluster.local`;
const EDITED_IP = '10.100.200.1';

interface LogLine {
  msg?: string;
  address?: string;
  endpoint?: string;
  [key: string]: unknown;
}

/** A logger whose lines the test can wait for. */
function capturingLogger() {
  const lines: LogLine[] = [];
  const waiters = new Set<() => void>();
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of chunk.toString().split('\n')) if (text.trim() !== '') lines.push(JSON.parse(text) as LogLine);
      for (const waiter of [...waiters]) waiter();
      done();
    },
  });
  const waitFor = (match: (line: LogLine) => boolean, timeoutMs: number) =>
    new Promise<LogLine>((resolve, reject) => {
      const check = () => {
        const found = lines.find(match);
        if (!found) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(found);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no matching log line in ${timeoutMs} ms: ${JSON.stringify(lines)}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  return { logger: pino({ level: 'info' }, destination), lines, waitFor };
}

interface Probe {
  rcode: number | null;
  address: string | undefined;
  ms: number;
}

async function probe(port: number, name: string): Promise<Probe> {
  const started = performance.now();
  // The wait is far longer than the bound, so a late answer is measured rather than lost.
  const reply = await udpExchange(port, queryBytes(name, RRType.A), 5000);
  const ms = performance.now() - started;
  if (!reply) return { rcode: null, address: undefined, ms };
  const message = decodeMessage(reply);
  const answer = message.answers.find((rr) => rr.type === RRType.A);
  return { rcode: message.rcode, address: answer ? String(answer.data) : undefined, ms };
}

/** Query `name` every 20 ms until `done` settles (bounded by `limitMs`); every probe's outcome. */
async function probeUntil(port: number, name: string, done: Promise<unknown>, limitMs: number): Promise<Probe[]> {
  let finished = false;
  void done.finally(() => (finished = true)).catch(() => {});
  const probes: Probe[] = [];
  const deadline = performance.now() + limitMs;
  while (!finished && performance.now() < deadline) {
    probes.push(await probe(port, name));
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return probes;
}

const FORMATS = [
  { format: 'YAML', file: 'cluster.yaml', text: kubectlServicesYaml },
  { format: 'JSON', file: 'cluster.json', text: kubectlServicesJson },
];

describe.each(FORMATS)(`a ${SERVICES.toLocaleString('en')}-Service $format snapshot`, ({ file, text }) => {
  let dir: string;
  let manifest: string;
  let dns: ClusterDnsServer | undefined;
  let delay: IntervalHistogram;
  const log = capturingLogger();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'clusterdns-big-'));
    manifest = join(dir, file);
    await writeFile(manifest, text(SERVICES));
  });
  afterAll(async () => {
    delay?.disable();
    await dns?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it(`answers UDP queries SERVFAIL within ${QUERY_BOUND_MS} ms while it loads, /health 200 and /ready 503 until it is loaded, and the event loop never pauses longer`, async () => {
    delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    const starting = startClusterDnsServer({
      manifest,
      listen: '127.0.0.1:0',
      health: '127.0.0.1:0',
      ready: '127.0.0.1:0',
      logger: log.logger,
      manifestParseWorker: PARSE_WORKER,
    });
    starting.catch(() => {});
    const udp = await log.waitFor((line) => line.msg === 'listening', 10_000);
    const port = Number(String(udp.address).split(':').pop());
    const ready = await log.waitFor((line) => line.msg === 'http listening' && line.endpoint === '/ready', 10_000);
    const health = await log.waitFor((line) => line.msg === 'http listening' && line.endpoint === '/health', 10_000);
    const loading = { ready: 0, health: 0 };
    const probes: Probe[] = [];
    let loaded = false;
    void starting.then(() => (loaded = true), () => {});
    const deadline = performance.now() + 180_000;
    while (!loaded && performance.now() < deadline) {
      const [query, readyStatus, healthStatus] = await Promise.all([
        probe(port, FIRST_NAME),
        fetch(`http://${String(ready.address)}/ready`).then((r) => r.status),
        fetch(`http://${String(health.address)}/health`).then((r) => r.status),
      ]);
      if (loaded) break; // the load finished while these were in flight: they prove nothing about loading
      probes.push(query);
      if (readyStatus === 503) loading.ready++;
      if (healthStatus === 200) loading.health++;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    dns = await starting;
    delay.disable();

    expect(probes.length, 'queries sent while loading').toBeGreaterThanOrEqual(5);
    expect(probes.every((p) => p.rcode === RCode.SERVFAIL), JSON.stringify(probes)).toBe(true);
    expect(Math.max(...probes.map((p) => p.ms)), 'slowest answer while loading (ms)').toBeLessThan(QUERY_BOUND_MS);
    expect(loading.ready, '/ready answered 503 while loading').toBe(probes.length);
    expect(loading.health, '/health answered 200 while loading').toBe(probes.length);
    expect(delay.max / 1e6, 'longest event-loop pause while loading (ms)').toBeLessThan(QUERY_BOUND_MS);
    expect((await probe(port, LAST_NAME)).address).toBe(snapshotServiceIp(SERVICES - 1));
    const slowest = Math.max(...probes.map((p) => p.ms));
    process.stdout.write(`load of ${SERVICES} Services (${file}): ${probes.length} queries, slowest ${slowest.toFixed(1)} ms, longest loop pause ${(delay.max / 1e6).toFixed(1)} ms\n`);
  }, 240_000);

  it(`serves the old data within ${QUERY_BOUND_MS} ms while a one-line edit reloads, then the new data (never back), the reload changing that one Service only, and the event loop never pauses longer`, async () => {
    if (!dns) throw new Error('the first test did not start the server');
    const port = dns.address.port;
    // The edit is prepared before the monitor starts: rewriting 8 MB of text is the test's pause, not the server's.
    const oldIp = snapshotServiceIp(SERVICES - 1);
    const edited = (await readFile(manifest, 'utf8')).replaceAll(oldIp, EDITED_IP);
    delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    const reloadsBefore = log.lines.filter((line) => line.msg === 'manifest reloaded').length;
    const reloaded = log.waitFor((line) => line.msg === 'manifest reloaded' && log.lines.filter((l) => l.msg === 'manifest reloaded').length > reloadsBefore, 180_000);
    await writeFile(manifest, edited);
    const probes = await probeUntil(port, LAST_NAME, reloaded, 180_000);
    const reload = await reloaded;
    delay.disable();
    // The objects of the first load and of the reload compare equal but for the edit, wherever each was parsed.
    expect(reload.changed).toBe(1);

    expect(probes.length, 'queries sent while reloading').toBeGreaterThanOrEqual(5);
    // The change is applied in slices and logged once all of it is in: a query may see the new address just before
    // the log line. Every answer is the old address, then the new one, never back, and never an error.
    const switched = probes.findIndex((p) => p.address === EDITED_IP);
    const expected = probes.map((_, i) => (switched >= 0 && i >= switched ? EDITED_IP : oldIp));
    expect(probes.every((p) => p.rcode === RCode.NOERROR), JSON.stringify(probes.slice(-3))).toBe(true);
    expect(probes.map((p) => p.address), JSON.stringify(probes.slice(-3))).toEqual(expected);
    const slowest = Math.max(...probes.map((p) => p.ms));
    expect(slowest, 'slowest answer while reloading (ms)').toBeLessThan(QUERY_BOUND_MS);
    expect(delay.max / 1e6, 'longest event-loop pause while reloading (ms)').toBeLessThan(QUERY_BOUND_MS);
    expect((await probe(port, LAST_NAME)).address).toBe(EDITED_IP);
    process.stdout.write(`reload of ${SERVICES} Services (${file}): ${probes.length} queries, slowest ${slowest.toFixed(1)} ms, longest loop pause ${(delay.max / 1e6).toFixed(1)} ms\n`);
  }, 240_000);
});
