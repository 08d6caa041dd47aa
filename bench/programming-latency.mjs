#!/usr/bin/env node
// Programming latency (issue 6): index change → new answer served, under a steady rate of changes, through
// the manifest reload path. clusterdns serves two manifests: the big cluster and a small "churn" file; every
// 1/rate seconds one Service is added to the churn file (written to a temp name and renamed, as kubectl
// or an editor would), and a poller asks for the new name every 2 ms until the right A record comes back.
// Latency = answer time − write time. Bounded: `seconds` of changes plus a 5 s grace; names never answered
// are counted as misses.
//
// Usage: node bench/programming-latency.mjs --manifest bench/results/cluster-10000/cluster.json
//          [--rate 100] [--seconds 5]     (prints one JSON line)
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function encodeQuery(id, name) {
  const parts = [Buffer.from([id >> 8, id & 255, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0])];
  for (const l of name.split('.')) parts.push(Buffer.from([l.length]), Buffer.from(l, 'ascii'));
  parts.push(Buffer.from([0, 0, 1, 0, 1]));
  return Buffer.concat(parts);
}

const ipOf = (k) => `10.200.${(k >> 8) & 255}.${k & 255}`;

function churnList(count) {
  const items = [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'churn', uid: 'churn-ns' } }];
  for (let k = 0; k < count; k++) {
    items.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: `churn-${k}`, namespace: 'churn', uid: `churn-${k}` },
      spec: { type: 'ClusterIP', clusterIP: ipOf(k), clusterIPs: [ipOf(k)], ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
    });
  }
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
}

export async function measureProgrammingLatency({ manifest, rate = 100, seconds = 5, cpu = '1', port = 0 }) {
  const dir = mkdtempSync(join(os.tmpdir(), 'clusterdns-bench-churn-'));
  const churn = join(dir, 'churn.json');
  writeFileSync(churn, churnList(0));
  if (!port) port = 30000 + Math.floor(Math.random() * 20000);
  const child = spawn('taskset', ['-c', cpu, process.execPath, join(ROOT, 'dist/cli/main.js'), 'serve', '--manifest', manifest, '--manifest', churn,
    '--listen', `127.0.0.1:${port}`, '--log-level', 'warn', '--resolv-conf', '/dev/null', '--lameduck', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let exited = false;
  let stderr = '';
  child.stderr.on('data', (b) => { if (stderr.length < 4000) stderr += b; });
  const exit = new Promise((r) => child.once('exit', () => { exited = true; r(); }));
  const sock = dgram.createSocket('udp4');
  sock.on('error', () => {});
  const pending = new Map(); // k → write time
  const latencies = [];
  const want = new Map(); // k → rdata bytes
  sock.on('message', (msg) => {
    const id = msg.readUInt16BE(0);
    const k = id;
    if (!pending.has(k) || (msg[3] & 15) !== 0 || msg.readUInt16BE(6) === 0) return;
    if (msg.indexOf(want.get(k), 12) < 0) return;
    latencies.push(performance.now() - pending.get(k));
    pending.delete(k);
  });
  await new Promise((r) => sock.bind(0, '127.0.0.1', r));
  try {
    // Ready: the churn namespace exists → any answer at all for a churn name (NXDOMAIN is fine).
    const t0 = Date.now();
    let ready = false;
    const onReady = (msg) => { if (msg.readUInt16BE(0) === 65000 && (msg[3] & 15) === 0 && msg.readUInt16BE(6) > 0) ready = true; };
    sock.on('message', onReady);
    // First wait for a name of the big manifest to make sure it is loaded: any NOERROR reply to kube-dns.
    while (!ready && !exited && Date.now() - t0 < 120000) {
      const q = encodeQuery(65000, 'kube-dns.kube-system.svc.cluster.local');
      sock.send(q, port, '127.0.0.1');
      await sleep(20);
    }
    sock.off('message', onReady);
    if (!ready) throw new Error(`clusterdns did not start: ${stderr.trim().slice(-400)}`);
    await sleep(300);

    const total = Math.round(rate * seconds);
    const interval = 1000 / rate;
    const start = performance.now();
    let written = 0;
    const poll = setInterval(() => {
      for (const k of pending.keys()) sock.send(encodeQuery(k, `churn-${k}.churn.svc.cluster.local`), port, '127.0.0.1');
    }, 2);
    while (written < total) {
      const due = start + written * interval;
      const now = performance.now();
      if (now < due) {
        await sleep(Math.max(0, due - now));
        continue;
      }
      const tmp = `${churn}.tmp`;
      writeFileSync(tmp, churnList(written + 1));
      renameSync(tmp, churn);
      want.set(written, Buffer.from([0, 4, ...ipOf(written).split('.').map(Number)]));
      pending.set(written, performance.now());
      written++;
    }
    const deadline = performance.now() + 5000;
    while (pending.size > 0 && performance.now() < deadline) await sleep(10);
    clearInterval(poll);
    const sorted = Float64Array.from(latencies).sort();
    const pct = (p) => (sorted.length ? Math.round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] * 10) / 10 : null);
    return { rate, seconds, changes: total, answered: latencies.length, missed: pending.size, p50Ms: pct(50), p99Ms: pct(99), maxMs: pct(100) };
  } finally {
    sock.close();
    if (!exited) {
      child.kill('SIGTERM');
      await Promise.race([exit, sleep(5000)]);
      if (!exited) child.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const get = (f, d) => (args.includes(f) ? args[args.indexOf(f) + 1] : d);
  const result = await measureProgrammingLatency({
    manifest: resolve(get('--manifest', 'bench/results/cluster-10000/cluster.json')),
    rate: Number(get('--rate', 100)),
    seconds: Number(get('--seconds', 5)),
  });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
