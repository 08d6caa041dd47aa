// Issue 4's measurements: the built CLI watching an API server emulator (in this process) that serves a
// synthetic cluster. Records start → synced (from the CLI's own log line), start → first correct answer,
// the server's RSS after sync, and DNS programming latency (API event sent → new answer served) under a
// fixed rate of changes. Only 127.0.0.1; every loop bounded in count and time; the CLI is stopped by PID.
//
//   npm run bench:watch [-- --quick] [--sizes 1k,10k] [--changes N] [--json FILE]
// `npm run bench` runs it with `--sizes 10k --json FILE` (bench/run/measure-watch.ts) for issue 13's API row.
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiEmulator, endpointSlice, namespace, pod, service, writeKubeconfig } from '../../test/helpers/api-emulator/index.js';
import { createMessage, decodeMessage, encodeMessage } from '../../src/wire/message.js';
import { cliNodeArgs } from '../run/script-modules.js';

const TOKEN = 'bench-token';
const CLI = new URL('../../../dist/cli/main.js', import.meta.url).pathname;
const BIN = new URL('../../../dist/cli/bin.js', import.meta.url).pathname;

interface Size {
  label: string;
  services: number;
  endpointsPerService: number;
  pods: number;
  namespaces: number;
}

const argv = process.argv.slice(2);
const flagValue = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : undefined;
};
const quick = argv.includes('--quick');
const KNOWN_SIZES: Record<string, Size> = {
  '1k': { label: '1k services / 5k pods', services: 1000, endpointsPerService: 5, pods: 5000, namespaces: 20 },
  '10k': { label: '10k services / 50k endpoints / 50k pods', services: 10_000, endpointsPerService: 5, pods: 50_000, namespaces: 100 },
};
const sizeKeys = (flagValue('--sizes') ?? (quick ? '1k' : '1k,10k')).split(',').filter(Boolean);
for (const key of sizeKeys) if (!(key in KNOWN_SIZES)) throw new Error(`--sizes: unknown size "${key}" (known: ${Object.keys(KNOWN_SIZES).join(', ')})`);
const SIZES: Size[] = sizeKeys.map((key) => KNOWN_SIZES[key]);
const CHANGES = Number(flagValue('--changes') ?? (quick ? 200 : 1000));
if (!(Number.isInteger(CHANGES) && CHANGES >= 1 && CHANGES <= 100_000)) throw new Error(`--changes: expected a whole number from 1 to 100000, got "${flagValue('--changes')}"`);
const CHANGES_PER_SECOND = 100;

function ip(base: number, index: number): string {
  return `10.${base}.${(index >> 8) & 255}.${index & 255}`;
}

function populate(emu: ApiEmulator, size: Size): void {
  const objects = [];
  for (let n = 0; n < size.namespaces; n++) objects.push(namespace(`ns-${n}`));
  let podIndex = 0;
  for (let s = 0; s < size.services; s++) {
    const ns = `ns-${s % size.namespaces}`;
    objects.push(service(ns, `svc-${s}`, { clusterIP: ip(96 + (s >> 16), s), ports: [{ name: 'http', port: 80 }] }));
    const endpoints = [];
    for (let e = 0; e < size.endpointsPerService; e++) endpoints.push({ addresses: [ip(128 + ((podIndex + e) >> 16), podIndex + e)] });
    objects.push(endpointSlice(ns, `svc-${s}-abcde`, `svc-${s}`, { endpoints, ports: [{ name: 'http', port: 8080 }] }));
    podIndex += size.endpointsPerService;
  }
  for (let p = 0; p < size.pods; p++) objects.push(pod(`ns-${p % size.namespaces}`, `pod-${p}`, { ip: ip(128 + (p >> 16), p) }));
  emu.applyAll(objects);
}

/** One UDP query; resolves with the first answer's data, '' for none, null on timeout. */
function query(socket: dgram.Socket, port: number, name: string, timeoutMs = 500): Promise<string | null> {
  const id = Math.floor(Math.random() * 65535);
  const packet = encodeMessage(createMessage({ id, questions: [{ name, type: 1, class: 1 }] }));
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      socket.off('message', onMessage);
      resolve(null);
    }, timeoutMs);
    const onMessage = (message: Buffer) => {
      const reply = decodeMessage(message);
      if (reply.id !== id) return;
      clearTimeout(timer);
      socket.off('message', onMessage);
      resolve(reply.answers.length > 0 ? String(reply.answers[0].data) : '');
    };
    socket.on('message', onMessage);
    socket.send(packet, port, '127.0.0.1');
  });
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function startCli(kubeconfig: string): Promise<{ child: ChildProcess; port: number; syncedMs: Promise<number> }> {
  const child = spawn(process.execPath, [...cliNodeArgs(BIN), CLI, 'serve', '--kubeconfig', kubeconfig, '--listen', '127.0.0.1:0', '--pods', 'verified', '--resolv-conf', '/dev/null', '--lameduck', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let buffered = '';
  let resolvePort!: (port: number) => void;
  let resolveSynced!: (ms: number) => void;
  const port = new Promise<number>((resolve) => (resolvePort = resolve));
  const syncedMs = new Promise<number>((resolve) => (resolveSynced = resolve));
  child.stdout!.on('data', (chunk: Buffer) => {
    const lines = (buffered + chunk.toString()).split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        if (entry.msg === 'listening') resolvePort(Number(String(entry.address).split(':').pop()));
        if (entry.msg === 'synced with the Kubernetes API') resolveSynced(Number(entry.durationMs));
      } catch {
        // not JSON
      }
    }
  });
  return { child, port: await port, syncedMs };
}

async function measure(size: Size): Promise<Record<string, unknown>> {
  const emu = await new ApiEmulator({ token: TOKEN }).start();
  populate(emu, size);
  const dir = mkdtempSync(join(tmpdir(), 'clusterdns-watch-bench-'));
  const kubeconfig = await writeKubeconfig(dir, { contexts: [{ name: 'bench', server: emu.url, token: TOKEN }] });
  const socket = dgram.createSocket('udp4');
  const started = performance.now();
  const cli = await startCli(kubeconfig);
  try {
    const probe = `svc-${size.services - 1}.ns-${(size.services - 1) % size.namespaces}.svc.cluster.local`;
    let firstAnswerMs = NaN;
    for (let i = 0; i < 6000 && Number.isNaN(firstAnswerMs); i++) {
      const answer = await query(socket, cli.port, probe, 200);
      if (answer) firstAnswerMs = performance.now() - started;
      else await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const syncedMs = await cli.syncedMs;
    await new Promise((resolve) => setTimeout(resolve, 500));
    global.gc?.();
    const rss = rssMiB(cli.child.pid!);

    // Programming latency: a new Service every 10 ms; each is polled until served (bounded per change).
    const latencies: number[] = [];
    let missed = 0;
    for (let i = 0; i < CHANGES; i++) {
      const slotStart = performance.now();
      const name = `lat-${i}`;
      const address = ip(200, i);
      emu.apply(service('ns-0', name, { clusterIP: address, ports: [{ name: 'http', port: 80 }] }));
      const sent = performance.now();
      let seen = false;
      while (performance.now() - sent < 1000) {
        if ((await query(socket, cli.port, `${name}.ns-0.svc.cluster.local`, 200)) === address) {
          seen = true;
          break;
        }
      }
      if (seen) latencies.push(performance.now() - sent);
      else missed++;
      const wait = 1000 / CHANGES_PER_SECOND - (performance.now() - slotStart);
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    latencies.sort((a, b) => a - b);
    const objects = size.namespaces + size.services * 2 + size.pods;
    return {
      size: size.label,
      services: size.services,
      endpoints: size.services * size.endpointsPerService,
      pods: size.pods,
      objects,
      syncedMs,
      firstAnswerMs: Math.round(firstAnswerMs),
      rssMiB: Math.round(rss),
      rssExactMiB: Math.round(rss * 10) / 10,
      rssTargetMiB: Math.round((size.pods + size.services) / 1000 + 54),
      changes: CHANGES,
      changesPerSecond: CHANGES_PER_SECOND,
      // null when no change was ever answered (every one counted in `missed`).
      latencyP50Ms: latencies.length ? Number(percentile(latencies, 50).toFixed(2)) : null,
      latencyP99Ms: latencies.length ? Number(percentile(latencies, 99).toFixed(2)) : null,
      latencyMaxMs: latencies.length ? Number(latencies[latencies.length - 1].toFixed(2)) : null,
      missed,
    };
  } finally {
    socket.close();
    cli.child.kill('SIGTERM');
    await new Promise((resolve) => cli.child.once('exit', resolve));
    await emu.close();
  }
}

const results = [];
for (const size of SIZES) {
  const result = await measure(size);
  console.log(JSON.stringify(result));
  results.push(result);
}
const table = [
  '| cluster | objects | start → synced | start → first answer | RSS after sync (target) | programming latency p50 / p99 / max (100 changes/s) |',
  '|---|---:|---:|---:|---:|---:|',
  ...results.map(
    (r) =>
      `| ${r.size} | ${r.objects} | ${r.syncedMs} ms | ${r.firstAnswerMs} ms | ${r.rssMiB} MiB (≤ ${r.rssTargetMiB} MiB) | ${r.latencyP50Ms} / ${r.latencyP99Ms} / ${r.latencyMaxMs} ms (${r.changes} changes, ${r.missed} missed) |`,
  ),
];
console.log(`\n${table.join('\n')}`);
const out = process.env.WATCH_BENCH_OUT;
if (out) writeFileSync(out, `${table.join('\n')}\n`);
const json = flagValue('--json');
if (json) writeFileSync(json, `${JSON.stringify(results)}\n`);
