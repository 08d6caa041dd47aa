#!/usr/bin/env node
// Query latency while a big YAML snapshot loads and while it reloads after a one-line edit (issue 12): the
// built server in this process (dist/, manifests parsed in its worker thread), one UDP query every 10 ms for a
// name of the snapshot, and perf_hooks.monitorEventLoopDelay on the serving loop.
//
// Usage: npm run build && node bench/manifest-reload.mjs [--services 10000] [--out DIR]
import dgram from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import pino from 'pino';
import { writeCluster } from './generate-cluster.mjs';

const root = new URL('../', import.meta.url);
const { startClusterDnsServer } = await import(new URL('dist/cluster-dns.js', root).href);
const { createMessage, encodeMessage, decodeMessage } = await import(new URL('dist/wire/message.js', root).href);

const args = process.argv.slice(2);
const flag = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const services = Number(flag('--services', '10000'));
const out = flag('--out', mkdtempSync(join(tmpdir(), 'clusterdns-reload-')));

const { manifest, cluster } = writeCluster({ services, out, format: 'yaml' });
const svc = cluster.services.find((s) => !s.headless);
const name = `${svc.name}.${svc.namespace}.svc.${cluster.zone}`;
const bytes = readFileSync(manifest).length;

const lines = [];
const logger = pino({ level: 'info' }, new Writable({ write(chunk, _e, done) { lines.push(...chunk.toString().trim().split('\n').map((l) => JSON.parse(l))); done(); } }));
const socket = dgram.createSocket('udp4');
let port;

function query() {
  const packet = encodeMessage(createMessage({ id: Math.floor(Math.random() * 65536), rd: true, questions: [{ name, type: 1, class: 1 }] }));
  const started = performance.now();
  return new Promise((resolve) => {
    const timer = setTimeout(() => { socket.off('message', onMessage); resolve({ ms: Infinity, rcode: -1 }); }, 10_000);
    const id = (packet[0] << 8) | packet[1];
    function onMessage(reply) {
      if (((reply[0] << 8) | reply[1]) !== id) return;
      clearTimeout(timer);
      socket.off('message', onMessage);
      resolve({ ms: performance.now() - started, rcode: decodeMessage(reply).rcode });
    }
    socket.on('message', onMessage);
    socket.send(packet, port, '127.0.0.1');
  });
}

/** Query every 10 ms until `until()` holds (at most 10 minutes); the slowest answer and the longest loop pause. */
async function measure(until) {
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const results = [];
  const deadline = performance.now() + 600_000;
  while (!until() && performance.now() < deadline) {
    results.push(await query());
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  delay.disable();
  const sorted = results.map((r) => r.ms).sort((a, b) => a - b);
  return { queries: results.length, p50: sorted[Math.floor(sorted.length / 2)], max: sorted.at(-1), loopMax: delay.max / 1e6 };
}

await new Promise((resolve) => socket.bind(0, '127.0.0.1', resolve));
const parseWorker = fileURLToPath(new URL('dist/manifest/parse-worker.js', root));
const loadStarted = performance.now();
let dns;
const starting = startClusterDnsServer({ manifest, listen: '127.0.0.1:0', logger, manifestParseWorker: parseWorker }).then((d) => (dns = d));
for (let i = 0; i < 2000 && !lines.some((l) => l.msg === 'listening'); i++) await new Promise((resolve) => setTimeout(resolve, 5));
if (!lines.some((l) => l.msg === 'listening')) throw new Error(`not listening: ${JSON.stringify(lines)}`);
port = Number(lines.find((l) => l.msg === 'listening').address.split(':').pop());
const load = await measure(() => dns !== undefined);
await starting;
const loadMs = performance.now() - loadStarted;

const text = readFileSync(manifest, 'utf8');
const edited = text.replace(svc.clusterIP, '10.255.255.254'); // one Service's address: a one-line edit
const reloadsBefore = lines.filter((l) => l.msg === 'manifest reloaded').length;
const reloadStarted = performance.now();
writeFileSync(manifest, edited);
const reload = await measure(() => lines.filter((l) => l.msg === 'manifest reloaded').length > reloadsBefore);
const reloadMs = performance.now() - reloadStarted;

await dns.close();
socket.close();
if (!args.includes('--out')) rmSync(out, { recursive: true, force: true });
const f = (ms) => (Number.isFinite(ms) ? ms.toFixed(1) : 'lost');
process.stdout.write(
  `${services} services, ${(bytes / 1e6).toFixed(1)} MB YAML\n` +
    `load:   ${Math.round(loadMs)} ms, ${load.queries} queries, p50 ${f(load.p50)} ms, max ${f(load.max)} ms, longest loop pause ${f(load.loopMax)} ms\n` +
    `reload: ${Math.round(reloadMs)} ms, ${reload.queries} queries, p50 ${f(reload.p50)} ms, max ${f(reload.max)} ms, longest loop pause ${f(reload.loopMax)} ms\n`,
);
