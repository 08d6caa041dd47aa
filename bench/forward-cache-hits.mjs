#!/usr/bin/env node
// Cache hits for forwarded names against the Node ceiling (bench/ceiling-probe.mjs): each server pinned to
// CPU 1, dnsperf to CPU 0, the same 1,000-name query file, one warm-up pass (which fills the cache), then N
// saturation runs of each, alternating, the best of each kept. The target is hits ≥ 0.75 × the probe's QPS.
//
// Usage: npm run build && node bench/forward-cache-hits.mjs [--seconds 5] [--runs 3]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, fallback) => (process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : fallback);
const SECONDS = arg('--seconds', 5);
const RUNS = arg('--runs', 3);

const dir = mkdtempSync(join(tmpdir(), 'clusterdns-forward-bench-'));
const queries = join(dir, 'queries.txt');
writeFileSync(queries, Array.from({ length: 1000 }, (_, i) => `name${i}.example.com A\n`).join(''));

/** Starts a server script pinned to CPU 1; resolves with its port and a stop function. */
function start(script) {
  const child = spawn('taskset', ['-c', '1', process.execPath, join(ROOT, script), '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start`)), 10_000);
    child.stdout.once('data', (line) => {
      clearTimeout(timer);
      const { address } = JSON.parse(String(line));
      resolve({ port: Number(address.slice(address.lastIndexOf(':') + 1)), stop: () => child.kill('SIGTERM') });
    });
  });
}

function dnsperf(port, extra) {
  const args = ['-c', '0', 'dnsperf', '-s', '127.0.0.1', '-p', String(port), '-d', queries, '-t', '2', '-c', '4', '-q', '64', ...extra];
  const out = spawnSync('taskset', args, { encoding: 'utf8', timeout: (SECONDS + 20) * 1000 });
  const qps = /Queries per second:\s+([\d.]+)/.exec(`${out.stdout}`);
  const lost = /Queries lost:\s+(\d+)/.exec(`${out.stdout}`);
  return { qps: qps ? Number(qps[1]) : 0, lost: lost ? Number(lost[1]) : -1 };
}

const servers = { probe: await start('bench/ceiling-probe.mjs'), 'forward-cache': await start('bench/forward-cache-server.mjs') };
const results = { probe: { qps: 0, lost: 0 }, 'forward-cache': { qps: 0, lost: 0 } };
try {
  dnsperf(servers['forward-cache'].port, ['-n', '1']); // warm-up: fills the forwarder's cache
  // Alternate the two, so that load from elsewhere on the machine weighs on both alike.
  for (let run = 0; run < RUNS; run++) {
    for (const name of Object.keys(servers)) {
      const result = dnsperf(servers[name].port, ['-l', String(SECONDS)]);
      if (result.qps > results[name].qps) results[name] = result;
    }
  }
} finally {
  for (const server of Object.values(servers)) server.stop();
}
for (const [name, result] of Object.entries(results)) console.log(`${name}: ${Math.round(result.qps)} QPS (lost ${result.lost})`);
const ratio = results['forward-cache'].qps / results.probe.qps;
console.log(`forwarded cache hits / ceiling probe = ${ratio.toFixed(3)} (target ≥ 0.75: ${ratio >= 0.75 ? 'met' : 'not met'})`);
