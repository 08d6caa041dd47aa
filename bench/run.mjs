#!/usr/bin/env node
// `npm run bench`: clusterdns side by side with the Node ceiling probe, Knot and NSD (issue 6).
//
//   node bench/run.mjs [--quick] [--sizes 1000,10000,100000] [--duration 5] [--runs 3]
//                      [--targets clusterdns,clusterdns-all,probe,knot,nsd] [--transports udp,tcp] [--no-install] [--no-wait]
//                      [--no-warmup] [--profile | --no-profile] [--profile-mixes hits,storm] [--report FILE.jsonl]
//
// Everything runs on 127.0.0.1. dnsperf is pinned to CPU 0, each single-process server to CPU 1 (taskset).
// `clusterdns-all` is clusterdns's own multi-core mode (`serve --workers auto`, one worker per core): it is
// allowed every CPU, the one dnsperf runs on included, because "all cores" is what a pod would give it; on a
// 2-core machine one worker then shares CPU 0 with dnsperf, so its QPS is a floor, and its queries per server
// CPU-second (CPU of the primary and every worker) show the cost per query apart from that contention.
// `probe-all` (not in the default targets) runs the ceiling probe the same way, one node:cluster worker per
// core sharing its sockets: the most any multi-process Node server can gain on this machine.
// Every load run is bounded by dnsperf -l and a hard kill timeout; every process started here is stopped
// by its PID. Results: bench/results/bench-<stamp>.jsonl (one JSON object per measurement) and
// bench/results/summary-<stamp>.md (also printed).
import { spawn, spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeCluster } from './generate-cluster.mjs';
import { writeQueries, HITS_MIX } from './queries.mjs';
import { summarizeProfile } from './profile-summary.mjs';
import { measureProgrammingLatency } from './programming-latency.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const RESULTS = join(ROOT, 'bench', 'results');

// ------------------------------------------------------------------------------------------ options
const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const value = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : dflt;
};
const QUICK = flag('--quick');
const OPTS = {
  quick: QUICK,
  sizes: value('--sizes', QUICK ? '10000' : '1000,10000,100000').split(',').map(Number),
  duration: Number(value('--duration', QUICK ? 2 : 5)),
  runs: Number(value('--runs', QUICK ? 1 : 3)),
  targets: value('--targets', 'clusterdns,clusterdns-all,probe,knot,nsd').split(','),
  transports: value('--transports', 'udp,tcp').split(','),
  install: !flag('--no-install'),
  profile: !flag('--no-profile') && (!QUICK || flag('--profile')),
  waitLoad: !flag('--no-wait'),
  warmup: !flag('--no-warmup'),
  profileMixes: value('--profile-mixes', 'hits,storm').split(','),
  latencySeconds: Number(value('--latency-seconds', QUICK ? 2 : 5)),
  udpClients: Number(value('--udp-clients', 4)),
  udpOutstanding: Number(value('--udp-outstanding', 64)),
  tcpClients: Number(value('--tcp-clients', 8)),
  tcpOutstanding: Number(value('--tcp-outstanding', 256)),
};
const SERVER_CPU = '1';
/** The multi-core target may run on every CPU (see the top of the file). */
const ALL_CPUS = `0-${os.cpus().length - 1}`;
const isClusterdns = (target) => target === 'clusterdns' || target === 'clusterdns-all';
const onAllCpus = (target) => target === 'clusterdns-all' || target === 'probe-all';
/** probe-all: a node:cluster primary with one ceiling-probe worker per core; it stops them on SIGTERM. */
const PROBE_ALL = `import cluster from 'node:cluster'; import os from 'node:os';
const [exec, ...args] = process.argv.slice(1);
cluster.setupPrimary({ exec, args, execArgv: [] });
for (let i = 0; i < os.availableParallelism(); i++) cluster.fork();
process.on('SIGTERM', () => { for (const w of Object.values(cluster.workers)) w.process.kill('SIGKILL'); process.exit(0); });`;
const CLIENT_CPU = '0';
const HZ = 100; // USER_HZ on Linux

const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
mkdirSync(RESULTS, { recursive: true });
const JSONL = join(RESULTS, `bench-${stamp}.jsonl`);
const SUMMARY = join(RESULTS, `summary-${stamp}.md`);
const started = new Set(); // PIDs we started and have not seen exit
const record = (obj) => appendFileSync(JSONL, `${JSON.stringify({ stamp, ...obj })}\n`);
const log = (line) => process.stdout.write(`${line}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ------------------------------------------------------------------------------------------ system
function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: opts.timeout ?? 30000, ...opts });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}`, status: r.status };
}
const which = (bin) => ['/usr/sbin', '/usr/bin', '/sbin', '/bin', '/usr/local/bin'].map((d) => join(d, bin)).find((p) => existsSync(p));

function setup() {
  const missing = [];
  if (!which('dnsperf')) missing.push('dnsperf');
  if (!which('taskset')) missing.push('util-linux');
  if (!which('dig')) missing.push('bind9-dnsutils');
  const wantKnot = OPTS.targets.includes('knot') && !which('knotd');
  const wantNsd = OPTS.targets.includes('nsd') && !which('nsd');
  if (wantKnot) missing.push('knot');
  if (wantNsd) missing.push('nsd');
  if (missing.length > 0 && OPTS.install && process.getuid?.() === 0 && which('apt-get')) {
    log(`setup: installing ${missing.join(' ')} (apt-get; packaged services are kept from starting via policy-rc.d)`);
    // Debian's invoke-rc.d consults policy-rc.d: exit 101 = do not start services. Only add one if absent.
    const policy = '/usr/sbin/policy-rc.d';
    const addedPolicy = !existsSync(policy);
    if (addedPolicy) writeFileSync(policy, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
    try {
      let r = sh('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { timeout: 300000, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
      if (!r.ok) {
        sh('apt-get', ['update'], { timeout: 180000 });
        r = sh('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { timeout: 300000, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
      }
      if (!r.ok) log(`setup: apt-get install failed (${r.out.trim().split('\n').pop()})`);
    } finally {
      if (addedPolicy) rmSync(policy, { force: true });
    }
  }
  if (!which('dnsperf') || !which('taskset')) throw new Error('dnsperf and taskset are required (apt-get install dnsperf util-linux)');
  for (const [t, bin] of [['knot', 'knotd'], ['nsd', 'nsd']]) {
    if (OPTS.targets.includes(t) && !which(bin)) {
      log(`setup: SKIP ${t}: ${bin} not installed and could not be installed (apt-get install ${t})`);
      OPTS.targets = OPTS.targets.filter((x) => x !== t);
    }
  }
  if (OPTS.targets.some(isClusterdns) && !existsSync(join(ROOT, 'dist/cli/main.js'))) {
    log('setup: SKIP clusterdns: dist/cli/main.js missing (run npm run build)');
    OPTS.targets = OPTS.targets.filter((x) => !isClusterdns(x));
  }
  if (os.cpus().length < 2) log('setup: WARNING fewer than 2 CPUs: dnsperf and the server share a core, figures are not comparable');
}

function machine() {
  const cpu = os.cpus()[0]?.model ?? 'unknown';
  const ver = (cmd, args, re) => {
    const r = sh(cmd, args);
    const m = re.exec(r.out);
    return m ? m[1] : 'n/a';
  };
  return {
    nproc: os.cpus().length,
    cpu,
    memMiB: Math.round(os.totalmem() / 1048576),
    kernel: os.release(),
    node: process.version,
    dnsperf: ver('dnsperf', ['-h'], /Version ([\d.]+)/),
    knot: which('knotd') ? ver(which('knotd'), ['--version'], /version ([\d.]+)/) : 'n/a',
    nsd: which('nsd') ? ver(which('nsd'), ['-v'], /NSD version ([\d.]+)/) : 'n/a',
  };
}

const loadavg = () => os.loadavg().map((x) => Math.round(x * 100) / 100);

async function waitForQuietMachine(maxSeconds) {
  const t0 = Date.now();
  let load = loadavg();
  if (!OPTS.waitLoad) return { load, waitedS: 0 };
  while (load[0] >= 1.0 && Date.now() - t0 < maxSeconds * 1000) {
    log(`load average ${load.join(' ')} ≥ 1.0: waiting (at most ${maxSeconds} s in all)`);
    await sleep(15000);
    load = loadavg();
  }
  return { load, waitedS: Math.round((Date.now() - t0) / 1000) };
}

// ------------------------------------------------------------------------------------------ /proc
function children(pid) {
  const out = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(d));
    } catch {}
  }
  return out;
}
function tree(pid) {
  const all = [pid];
  for (let i = 0; i < all.length && all.length < 64; i++) all.push(...children(all[i]));
  return all;
}
function cpuTicks(pids) {
  let ticks = 0;
  for (const p of pids) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]); // utime, stime
    } catch {}
  }
  return ticks;
}
function rssKiB(pids) {
  let kib = 0;
  for (const p of pids) {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      if (m) kib += Number(m[1]);
    } catch {}
  }
  return kib;
}

// ------------------------------------------------------------------------------------------ DNS helpers
async function freePort() {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 30000);
    const ok = await new Promise((res) => {
      const u = dgram.createSocket('udp4');
      u.once('error', () => res(false));
      u.bind(port, '127.0.0.1', () => {
        const t = net.createServer();
        t.once('error', () => u.close(() => res(false)));
        t.listen(port, '127.0.0.1', () => t.close(() => u.close(() => res(true))));
      });
    });
    if (ok) return port;
  }
  throw new Error('no free port');
}

function encodeQuery(id, name, type) {
  const labels = name.split('.').filter(Boolean);
  const parts = [Buffer.from([id >> 8, id & 255, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0])];
  for (const l of labels) parts.push(Buffer.from([l.length]), Buffer.from(l, 'ascii'));
  parts.push(Buffer.from([0, type >> 8, type & 255, 0, 1]));
  return Buffer.concat(parts);
}

/** Poll until `check(reply)` holds; resolves ms from t0, or null after timeoutMs. */
async function waitForAnswer(port, name, check, t0, timeoutMs, alive) {
  const sock = dgram.createSocket('udp4');
  sock.on('error', () => {});
  let good = false;
  sock.on('message', (msg) => {
    if (check(msg)) good = true;
  });
  await new Promise((r) => sock.bind(0, '127.0.0.1', r));
  let id = 1;
  try {
    while (Date.now() - t0 < timeoutMs) {
      if (!alive()) return null;
      sock.send(encodeQuery(id++ & 0xffff, name, 1), port, '127.0.0.1');
      for (let i = 0; i < 10 && !good; i++) await sleep(2);
      if (good) return performance.now();
    }
    return null;
  } finally {
    sock.close();
  }
}

/** dig one question; returns "STATUS|sorted answer lines" (TTL-free) for cross-checking. */
function digNormalized(port, name, type) {
  const r = sh('dig', [`@127.0.0.1`, '-p', String(port), name, type, '+noall', '+comments', '+answer', '+nottlid', '+tries=1', '+time=2'], { timeout: 5000 });
  const status = /status: (\w+)/.exec(r.out)?.[1] ?? 'NO-REPLY';
  const answers = r.out.split('\n').filter((l) => l && !l.startsWith(';')).map((l) => l.trim().split(/\s+/).join(' ').toLowerCase()).sort();
  return `${status}|${answers.join(' ; ')}`;
}

// ------------------------------------------------------------------------------------------ targets
function knotConfig(dir, port, zoneFile) {
  mkdirSync(join(dir, 'db'), { recursive: true });
  const conf = join(dir, 'knot.conf');
  writeFileSync(conf, `server:
    rundir: "${dir}"
    pidfile: "${dir}/knot.pid"
    listen: 127.0.0.1@${port}
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
control:
    listen: "${dir}/knot.sock"
log:
  - target: stderr
    any: warning
database:
    storage: "${dir}/db"
template:
  - id: default
    storage: "${dir}"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
    semantic-checks: off
zone:
  - domain: cluster.local
    file: "${zoneFile}"
`);
  return [which('knotd'), ['-c', conf]];
}

function nsdConfig(dir, port, zoneFile) {
  const conf = join(dir, 'nsd.conf');
  writeFileSync(conf, `server:
    ip-address: 127.0.0.1@${port}
    port: ${port}
    do-ip6: no
    server-count: 1
    reuseport: no
    username: ""
    chroot: ""
    zonesdir: "${dir}"
    database: ""
    zonelistfile: "${dir}/zone.list"
    xfrdfile: "${dir}/xfrd.state"
    xfrdir: "${dir}"
    pidfile: "${dir}/nsd.pid"
    logfile: "${dir}/nsd.log"
    verbosity: 0
    tcp-count: 512
    rrl-ratelimit: 0
    rrl-whitelist-ratelimit: 0
    minimal-responses: yes
remote-control:
    control-enable: no
zone:
    name: cluster.local
    zonefile: "${zoneFile}"
`);
  return [which('nsd'), ['-d', '-c', conf]];
}

/** Start one target pinned to SERVER_CPU (clusterdns-all: ALL_CPUS); resolves { pid, port, startupMs, stop() } or throws. */
async function startTarget(target, data, opts = {}) {
  const port = await freePort();
  const dir = mkdtempSync(join(os.tmpdir(), `clusterdns-bench-${target}-`));
  let cmd;
  let args;
  if (isClusterdns(target)) {
    cmd = process.execPath;
    args = [...(opts.nodeArgs ?? []), join(ROOT, 'dist/cli/main.js'), 'serve', '--manifest', data.manifest, '--listen', `127.0.0.1:${port}`, '--log-level', 'warn'];
    if (target === 'clusterdns-all') args.push('--workers', 'auto');
  } else if (target === 'probe') {
    cmd = process.execPath;
    args = [join(ROOT, 'bench/ceiling-probe.mjs'), '--listen', `127.0.0.1:${port}`];
  } else if (target === 'probe-all') {
    cmd = process.execPath;
    args = ['--input-type=module', '-e', PROBE_ALL, join(ROOT, 'bench/ceiling-probe.mjs'), '--listen', `127.0.0.1:${port}`];
  } else if (target === 'knot') {
    [cmd, args] = knotConfig(dir, port, data.zoneFile);
  } else if (target === 'nsd') {
    [cmd, args] = nsdConfig(dir, port, data.zoneFile);
  } else throw new Error(`unknown target ${target}`);

  const t0 = performance.now();
  const t0wall = Date.now();
  const cpus = onAllCpus(target) ? ALL_CPUS : SERVER_CPU;
  const child = spawn('taskset', ['-c', cpus, cmd, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  started.add(child.pid);
  let exited = false;
  let output = '';
  const keep = (b) => {
    if (output.length < 20000) output += b.toString();
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exitPromise = new Promise((r) => child.once('exit', (code, sig) => {
    exited = true;
    started.delete(child.pid);
    r({ code, sig });
  }));
  // taskset execs the server: child.pid is the server's PID.
  const probeCheck = (msg) => msg.length >= 12 && (msg[3] & 15) === 0 && msg.readUInt16BE(6) > 0;
  const ip = data.checkIp.split('.').map(Number);
  const rdata = Buffer.from([0, 4, ...ip]);
  const check = target.startsWith('probe') ? probeCheck : (msg) => probeCheck(msg) && msg.indexOf(rdata, 12) > 0;
  const ready = await waitForAnswer(port, data.checkName, check, t0wall, opts.timeoutMs ?? 60000, () => !exited);
  const stop = async () => {
    if (!exited) {
      child.kill('SIGTERM');
      const done = await Promise.race([exitPromise.then(() => true), sleep(10000).then(() => false)]);
      if (!done && !exited) {
        child.kill('SIGKILL');
        await Promise.race([exitPromise, sleep(3000)]);
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  if (ready === null) {
    const exitedEarly = exited;
    try {
      output += readFileSync(join(dir, 'nsd.log'), 'utf8');
    } catch {}
    await stop();
    throw new Error(`${target} gave no correct answer within ${(opts.timeoutMs ?? 60000) / 1000} s${exitedEarly ? ' (it exited)' : ''}: ${output.trim().slice(-600)}`);
  }
  return { pid: child.pid, port, dir, startupMs: Math.round(ready - t0), stop, output: () => output };
}

// ------------------------------------------------------------------------------------------ dnsperf
function parseDnsperf(out) {
  const num = (re) => {
    const m = re.exec(out);
    return m ? Number(m[1]) : null;
  };
  const rcodes = {};
  const rc = /Response codes:\s+(.*)/.exec(out);
  if (rc) for (const m of rc[1].matchAll(/([A-Z]+) (\d+)/g)) rcodes[m[1]] = Number(m[2]);
  return {
    sent: num(/Queries sent:\s+(\d+)/),
    completed: num(/Queries completed:\s+(\d+)/),
    lost: num(/Queries lost:\s+(\d+)/),
    qps: num(/Queries per second:\s+([\d.]+)/),
    avgLatencyMs: (num(/Average Latency \(s\):\s+([\d.]+)/) ?? NaN) * 1000,
    maxLatencyMs: (num(/max ([\d.]+)\)/) ?? NaN) * 1000,
    stddevMs: (num(/Latency StdDev \(s\):\s+([\d.]+)/) ?? NaN) * 1000,
    rcodes,
  };
}

function runDnsperf(port, file, { transport = 'udp', seconds, rate, verbose = false, passes }) {
  const tcp = transport === 'tcp';
  const args = ['-c', CLIENT_CPU, 'dnsperf', '-s', '127.0.0.1', '-p', String(port), '-d', file, '-l', String(seconds), '-t', '2',
    '-c', String(tcp ? OPTS.tcpClients : OPTS.udpClients), '-q', String(tcp ? OPTS.tcpOutstanding : OPTS.udpOutstanding)];
  if (tcp) args.push('-m', 'tcp');
  if (passes) args.push('-n', String(passes));
  if (rate) args.push('-Q', String(rate));
  if (verbose) args.push('-v');
  const r = spawnSync('taskset', args, { encoding: 'utf8', timeout: (seconds + 20) * 1000, maxBuffer: 512 * 1024 * 1024 });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  return { ...parseDnsperf(out), command: `taskset ${args.join(' ')}`, raw: out };
}

function percentiles(values, ps) {
  const s = Float64Array.from(values).sort();
  return Object.fromEntries(ps.map((p) => [`p${p}`, s.length ? Math.round(s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] * 1e6) / 1000 : null]));
}

/** Did the rcodes match the mix? */
function rcodeCheck(target, mix, res) {
  if (target.startsWith('probe')) return 'n/a';
  const total = res.completed || 0;
  if (!total) return 'no answers';
  const nx = (res.rcodes.NXDOMAIN ?? 0) / total;
  const ok = (res.rcodes.NOERROR ?? 0) / total;
  const want = mix === 'storm' ? 1 : HITS_MIX.NX;
  const fine = Math.abs(nx - want) < 0.01 && Math.abs(ok + nx - 1) < 1e-9;
  return fine ? 'ok' : `BAD (NOERROR ${(ok * 100).toFixed(2)} %, NXDOMAIN ${(nx * 100).toFixed(2)} %, want NXDOMAIN ${(want * 100).toFixed(0)} %)`;
}

// ------------------------------------------------------------------------------------------ main
const relativeToRoot = (p) => (p.startsWith(`${ROOT}/`) ? p.slice(ROOT.length + 1) : p);
const fmt = (n) => (n === null || n === undefined || Number.isNaN(n) ? '—' : Math.round(n).toLocaleString('en-US'));
const fmtMs = (n) => (n === null || n === undefined || Number.isNaN(n) ? '—' : n.toFixed(3));

async function measureTarget(target, size, data) {
  const result = { target, size, runs: {} };
  let srv;
  try {
    srv = await startTarget(target, data, { timeoutMs: size >= 100000 ? 120000 : 60000 });
  } catch (err) {
    log(`  ${target}: SKIP (${err.message.split('\n')[0]})`);
    record({ kind: 'error', target, size, error: err.message });
    return null;
  }
  try {
    await sleep(300);
    const pids = tree(srv.pid);
    result.startupMs = srv.startupMs;
    result.idleRssMiB = Math.round(rssKiB(pids) / 1024 * 10) / 10;
    record({ kind: 'startup', target, size, startupMs: srv.startupMs, idleRssMiB: result.idleRssMiB, pids });
    log(`  ${target}: startup ${srv.startupMs} ms, idle RSS ${result.idleRssMiB} MiB`);

    // Correctness cross-check questions (compared between targets by the caller).
    result.answers = data.checks.map(([name, type]) => digNormalized(srv.port, name, type));
    record({ kind: 'answers', target, size, questions: data.checks, answers: result.answers });

    // Warm-up: one pass through each query file (bounded to 10 s), so every target is measured warm
    // (clusterdns compiles answers lazily, on the first ask of a name).
    if (OPTS.warmup) {
      for (const file of [data.hitsFile, data.stormFile]) {
        const w = runDnsperf(srv.port, file, { transport: 'udp', seconds: 10, passes: 1 });
        record({ kind: 'warmup', target, size, file, qps: w.qps, completed: w.completed, lost: w.lost });
      }
    }

    for (const transport of OPTS.transports) {
      for (const mix of ['hits', 'storm']) {
        const file = mix === 'hits' ? data.hitsFile : data.stormFile;
        const all = [];
        for (let i = 0; i < OPTS.runs; i++) {
          const c0 = cpuTicks(tree(srv.pid));
          const w0 = performance.now();
          const r = runDnsperf(srv.port, file, { transport, seconds: OPTS.duration });
          const cpu = (cpuTicks(tree(srv.pid)) - c0) / HZ / ((performance.now() - w0) / 1000);
          const run = { qps: r.qps, sent: r.sent, completed: r.completed, lost: r.lost, lossPct: r.sent ? (100 * r.lost) / r.sent : null, avgLatencyMs: r.avgLatencyMs, rcodes: r.rcodes, cpuShare: Math.round(cpu * 100) / 100, rcodeCheck: rcodeCheck(target, mix, r) };
          all.push(run);
          record({ kind: 'saturation', target, size, transport, mix, run: i + 1, command: r.command, ...run });
          if (r.qps === null) log(`    dnsperf gave no figures: ${r.raw.trim().split('\n').slice(-3).join(' / ')}`);
        }
        const best = all.reduce((a, b) => ((b.qps ?? 0) > (a.qps ?? 0) ? b : a));
        result.runs[`${transport}-${mix}`] = { best, all };
        log(`  ${target} ${transport} ${mix}: best ${fmt(best.qps)} QPS (${all.map((r) => fmt(r.qps)).join(' / ')}), loss ${best.lossPct?.toFixed(3)} %, CPU ${best.cpuShare}, rcodes ${best.rcodeCheck}`);
      }
    }

    // Fixed rate for latency percentiles (UDP hits), per-query latencies from dnsperf -v.
    if (OPTS.transports.includes('udp')) {
      const r = runDnsperf(srv.port, data.hitsFile, { transport: 'udp', seconds: OPTS.latencySeconds, rate: 10000, verbose: true });
      const lat = [];
      for (const m of r.raw.matchAll(/^> \w+ \S+ \S+ ([\d.]+)$/gm)) lat.push(Number(m[1]));
      const p = percentiles(lat, [50, 99, 99.9]);
      result.latency = { ...p, samples: lat.length, qps: r.qps, lost: r.lost, avgMs: r.avgLatencyMs };
      record({ kind: 'latency', target, size, rate: 10000, command: r.command, ...result.latency });
      log(`  ${target} latency at 10k QPS: p50 ${p.p50} ms, p99 ${p.p99} ms, p99.9 ${p['p99.9']} ms (${lat.length} samples, lost ${r.lost})`);
    }
    result.loadedRssMiB = Math.round(rssKiB(tree(srv.pid)) / 1024 * 10) / 10;
    record({ kind: 'rss', target, size, loadedRssMiB: result.loadedRssMiB });
  } finally {
    await srv.stop();
  }
  return result;
}

async function profileClusterdns(data, mix = 'hits') {
  const profDir = join(RESULTS, `profile-${stamp}-${mix}`);
  mkdirSync(profDir, { recursive: true });
  let srv;
  let skipMs = 0;
  try {
    const t0 = performance.now();
    srv = await startTarget('clusterdns', data, { nodeArgs: ['--cpu-prof', '--cpu-prof-dir', profDir] });
    await sleep(500);
    skipMs = Math.round(performance.now() - t0);
    runDnsperf(srv.port, mix === 'storm' ? data.stormFile : data.hitsFile, { transport: 'udp', seconds: OPTS.duration });
  } catch (err) {
    log(`profile: SKIP (${err.message})`);
    return null;
  } finally {
    await srv?.stop();
  }
  const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) {
    log('profile: no .cpuprofile written');
    return null;
  }
  const top = summarizeProfile(JSON.parse(readFileSync(join(profDir, file), 'utf8')), 25, { skipMs });
  record({ kind: 'profile', size: data.size, mix, file: join(profDir, file), skipMs, top });
  return { mix, file: join(profDir, file), top, skipMs };
}

function prepare(size) {
  const dir = join(RESULTS, `cluster-${size}`);
  const t0 = performance.now();
  const g = writeCluster({ services: size, seed: 1, out: dir });
  const q = writeQueries({ names: join(dir, 'names.json'), out: dir, count: Math.max(20000, Math.min(200000, size * 10)) });
  const svc = g.cluster.services;
  const clusterIp = svc.find((s) => !s.headless);
  const headless = svc.find((s) => s.headless);
  const z = g.cluster.zone;
  const checks = [
    [`${clusterIp.name}.${clusterIp.namespace}.svc.${z}`, 'A'],
    [`_${clusterIp.port.name}._tcp.${clusterIp.name}.${clusterIp.namespace}.svc.${z}`, 'SRV'],
    [`${clusterIp.name}.${clusterIp.namespace}.svc.${z}`, 'AAAA'],
    [`${headless.name}.${headless.namespace}.svc.${z}`, 'A'],
    [`_${headless.port.name}._tcp.${headless.name}.${headless.namespace}.svc.${z}`, 'SRV'],
    [`${headless.endpoints[0].hostname}.${headless.name}.${headless.namespace}.svc.${z}`, 'A'],
    [`${headless.endpoints[0].ip.replaceAll('.', '-')}.${headless.namespace}.pod.${z}`, 'A'],
    [`nothere.${clusterIp.namespace}.svc.${z}`, 'A'],
    [`www.example.com.svc.${z}`, 'AAAA'],
  ];
  log(`size ${size}: generated ${g.objects} objects + zone + ${q.count} queries per mix in ${Math.round(performance.now() - t0)} ms (${dir})`);
  return { size, manifest: g.manifest, zoneFile: g.zoneFile, hitsFile: q.hitsFile, stormFile: q.stormFile, checkName: checks[0][0], checkIp: clusterIp.clusterIP, checks, hitsExpected: q.hitsExpected };
}

function table(results, sizes) {
  const lines = [];
  for (const size of sizes) {
    const rows = results.filter((r) => r && r.size === size);
    if (rows.length === 0) continue;
    const by = Object.fromEntries(rows.map((r) => [r.target, r]));
    const cols = [];
    for (const t of OPTS.transports) for (const m of ['hits', 'storm']) cols.push(`${t}-${m}`);
    lines.push(`\n### ${size.toLocaleString('en-US')} services\n`);
    lines.push(`| target (one core; clusterdns-all: every core) | ${cols.map((c) => `${c} QPS`).join(' | ')} | loss % (max) | server CPU | p50 / p99 / p99.9 ms at 10k QPS | startup ms | RSS idle / loaded MiB | rcodes |`);
    lines.push(`|---|${cols.map(() => '---:').join('|')}|---:|---:|---:|---:|---:|---|`);
    for (const r of rows) {
      const bests = cols.map((c) => r.runs[c]?.best);
      const maxLoss = Math.max(...bests.map((b) => b?.lossPct ?? 0));
      const cpu = bests.map((b) => b?.cpuShare ?? '—').join('/');
      const rc = [...new Set(bests.map((b) => b?.rcodeCheck ?? '—'))].join('; ');
      const lat = r.latency ? `${fmtMs(r.latency.p50)} / ${fmtMs(r.latency.p99)} / ${fmtMs(r.latency['p99.9'])}` : '—';
      lines.push(`| ${r.target} | ${bests.map((b) => fmt(b?.qps)).join(' | ')} | ${maxLoss.toFixed(3)} | ${cpu} | ${lat} | ${r.startupMs} | ${r.idleRssMiB} / ${r.loadedRssMiB} | ${rc} |`);
    }
    const cd = by.clusterdns;
    const all = by['clusterdns-all'];
    if (by.probe && by['probe-all']) lines.push(`| probe-all ÷ probe | ${cols.map((c) => (by.probe.runs[c]?.best.qps && by['probe-all'].runs[c]?.best.qps ? (by['probe-all'].runs[c].best.qps / by.probe.runs[c].best.qps).toFixed(2) : '—')).join(' | ')} | | | | | | |`);
    if (cd && all) lines.push(`| clusterdns-all ÷ clusterdns | ${cols.map((c) => (cd.runs[c]?.best.qps && all.runs[c]?.best.qps ? (all.runs[c].best.qps / cd.runs[c].best.qps).toFixed(2) : '—')).join(' | ')} | | | | | | |`);
    for (const ref of ['probe', 'knot', 'nsd']) {
      if (!cd || !by[ref]) continue;
      lines.push(`| clusterdns ÷ ${ref} | ${cols.map((c) => (cd.runs[c]?.best.qps && by[ref].runs[c]?.best.qps ? (cd.runs[c].best.qps / by[ref].runs[c].best.qps).toFixed(2) : '—')).join(' | ')} | | | | | | |`);
    }
    lines.push('\nQueries per server CPU-second (best run\'s QPS ÷ the server\'s CPU share during it; robust when dnsperf, not the server, is the limit):\n');
    lines.push(`| target | ${cols.join(' | ')} |`);
    lines.push(`|---|${cols.map(() => '---:').join('|')}|`);
    const perCpu = (b) => (b?.qps && b.cpuShare ? b.qps / b.cpuShare : null);
    for (const r of rows) lines.push(`| ${r.target} | ${cols.map((c) => fmt(perCpu(r.runs[c]?.best))).join(' | ')} |`);
    if (cd && all) lines.push(`| clusterdns-all ÷ clusterdns | ${cols.map((c) => { const a = perCpu(all.runs[c]?.best); const b = perCpu(cd.runs[c]?.best); return a && b ? (a / b).toFixed(2) : '—'; }).join(' | ')} |`);
    for (const ref of ['probe', 'knot']) {
      if (!cd || !by[ref]) continue;
      lines.push(`| clusterdns ÷ ${ref} | ${cols.map((c) => { const a = perCpu(cd.runs[c]?.best); const b = perCpu(by[ref].runs[c]?.best); return a && b ? (a / b).toFixed(2) : '—'; }).join(' | ')} |`);
    }
    lines.push('\nAll saturation runs (QPS):\n');
    for (const r of rows) for (const c of cols) if (r.runs[c]) lines.push(`- ${r.target} ${c}: ${r.runs[c].all.map((x) => `${fmt(x.qps)} (lost ${x.lost}, CPU ${x.cpuShare})`).join(', ')}`);
    // Cross-check answers against knot/nsd.
    const refs = rows.filter((r) => (r.target === 'knot' || r.target === 'nsd') && r.answers);
    if (cd?.answers && refs.length > 0) {
      const mismatches = [];
      cd.answers.forEach((a, i) => {
        for (const ref of refs) if (ref.answers[i] !== a) mismatches.push(`${cd.answers[i]} vs ${ref.target}: ${ref.answers[i]}`);
      });
      lines.push(`\nAnswer cross-check (${cd.answers.length} questions, clusterdns vs ${refs.map((r) => r.target).join(', ')}): ${mismatches.length === 0 ? 'identical' : `${mismatches.length} differences:\n${mismatches.map((m) => `  - ${m}`).join('\n')}`}`);
    }
  }
  return lines.join('\n');
}

function targets(results, load, programming) {
  const cd = results.find((r) => r && r.target === 'clusterdns' && r.size === 10000);
  const probe = results.find((r) => r && r.target === 'probe' && r.size === 10000);
  const big = results.find((r) => r && r.target === 'clusterdns' && r.size === 100000);
  const out = ['\n### Targets (issue 6)\n', '| target | measured | verdict |', '|---|---|---|'];
  const verdict = (ok, how) => (ok ? 'met' : `NOT met (${how})`);
  if (cd) {
    for (const mix of ['hits', 'storm']) {
      const b = cd.runs[`udp-${mix}`]?.best;
      const p = probe?.runs[`udp-${mix}`]?.best;
      if (b) out.push(`| 10k UDP ${mix} ≥ 60,000 QPS, 0 % loss, correct rcodes | ${fmt(b.qps)} QPS, loss ${b.lossPct?.toFixed(3)} %, rcodes ${b.rcodeCheck} | ${verdict(b.qps >= 60000 && b.lost === 0 && b.rcodeCheck === 'ok', `${fmt(b.qps)} = ${((b.qps / 60000) * 100).toFixed(0)} % of 60k${b.lost ? `, ${b.lost} lost` : ''}`)} |`);
      if (b && p) out.push(`| 10k UDP ${mix} ≥ 0.75 × ceiling probe | ${(b.qps / p.qps).toFixed(3)} × (${fmt(b.qps)} / ${fmt(p.qps)}) | ${verdict(b.qps / p.qps >= 0.75, `${(b.qps / p.qps).toFixed(3)} < 0.75: ${fmt(0.75 * p.qps - b.qps)} QPS short`)} |`);
      const pc = (x) => (x?.qps && x.cpuShare ? x.qps / x.cpuShare : null);
      if (b && p && pc(b) && pc(p)) out.push(`| (ratio per server CPU-second) | ${(pc(b) / pc(p)).toFixed(3)} × (${fmt(pc(b))} / ${fmt(pc(p))}) | ${pc(b) / pc(p) >= 0.75 ? 'met' : 'not met'} (for reference) |`);
    }
    if (cd.latency) out.push(`| p99 ≤ 0.2 ms at 10k QPS | p99 ${fmtMs(cd.latency.p99)} ms | ${verdict(cd.latency.p99 <= 0.2, `${fmtMs(cd.latency.p99)} ms`)} |`);
    const tcp = cd.runs['tcp-hits']?.best;
    if (tcp) out.push(`| 10k TCP ≥ 100,000 QPS | ${fmt(tcp.qps)} QPS | ${verdict(tcp.qps >= 100000, `${((tcp.qps / 100000) * 100).toFixed(0)} % of 100k`)} |`);
    out.push(`| 10k startup to first answer (no target) | ${cd.startupMs} ms | — |`);
    out.push(`| 10k idle RSS ≤ 100 MiB | ${cd.idleRssMiB} MiB | ${verdict(cd.idleRssMiB <= 100, `${cd.idleRssMiB} MiB`)} |`);
  }
  if (big) {
    out.push(`| 100k startup to first answer ≤ 3 s | ${big.startupMs} ms | ${verdict(big.startupMs <= 3000, `${big.startupMs} ms`)} |`);
    out.push(`| 100k idle RSS ≤ 250 MiB | ${big.idleRssMiB} MiB | ${verdict(big.idleRssMiB <= 250, `${big.idleRssMiB} MiB`)} |`);
  }
  out.push(...multiCoreRows(results, verdict));
  if (programming) out.push(`| programming latency p99 ≤ 50 ms at 100 changes/s (manifest reload path, ${fmt(programming.size)} services) | p50 ${programming.p50Ms} ms, p99 ${programming.p99Ms} ms, max ${programming.maxMs} ms, ${programming.answered}/${programming.changes} answered | ${verdict(programming.p99Ms !== null && programming.p99Ms <= 50 && programming.missed === 0, `p99 ${programming.p99Ms} ms${programming.missed ? `, ${programming.missed} never answered` : ''}`)} |`);
  else out.push('| programming latency p99 ≤ 50 ms at 100 changes/s | not measured in this run | not measured |');
  out.push(`\nLoad average when the runs started: ${load.join(' ')}.`);
  return out.join('\n');
}

/** The "all cores ≥ 1.4 × one core" rows: clusterdns-all against clusterdns, same size, same run. */
function multiCoreRows(results, verdict) {
  const size = results.some((r) => r && r.target === 'clusterdns-all' && r.size === 10000) ? 10000 : results.find((r) => r && r.target === 'clusterdns-all')?.size;
  const one = results.find((r) => r && r.target === 'clusterdns' && r.size === size);
  const all = results.find((r) => r && r.target === 'clusterdns-all' && r.size === size);
  if (!one || !all) return ['| all cores ≥ 1.4 × one core | not measured in this run (targets clusterdns and clusterdns-all) | not measured |'];
  const rows = [];
  const pc = (x) => (x?.qps && x.cpuShare ? x.qps / x.cpuShare : null);
  for (const c of Object.keys(all.runs)) {
    const a = all.runs[c]?.best;
    const b = one.runs[c]?.best;
    if (!a?.qps || !b?.qps) continue;
    const ratio = a.qps / b.qps;
    const cpu = pc(a) && pc(b) ? `; per server CPU-second ${fmt(pc(a))} vs ${fmt(pc(b))} (${(pc(a) / pc(b)).toFixed(2)} ×), server CPU ${a.cpuShare} vs ${b.cpuShare}` : '';
    rows.push(`| all cores ≥ 1.4 × one core (${fmt(size)} ${c.replace('-', ' ')}; ${os.cpus().length} CPUs, dnsperf on CPU ${CLIENT_CPU}) | ${ratio.toFixed(2)} × (${fmt(a.qps)} / ${fmt(b.qps)} QPS, loss ${a.lossPct?.toFixed(3)} %, rcodes ${a.rcodeCheck}${cpu}) | ${verdict(ratio >= 1.4, `${ratio.toFixed(2)} < 1.4`)} |`);
  }
  return rows;
}

/** --report FILE.jsonl: rebuild the Markdown summary from a results file without measuring again. */
function report(file) {
  const recs = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const mach = recs.find((r) => r.kind === 'machine');
  const load = recs.find((r) => r.kind === 'load') ?? { load: [], waitedS: 0 };
  if (mach?.options) Object.assign(OPTS, { transports: mach.options.transports, runs: mach.options.runs, duration: mach.options.duration });
  const results = new Map();
  const get = (r) => {
    const key = `${r.target} ${r.size}`;
    if (!results.has(key)) results.set(key, { target: r.target, size: r.size, runs: {} });
    return results.get(key);
  };
  const profiles = [];
  for (const r of recs) {
    if (r.kind === 'startup') Object.assign(get(r), { startupMs: r.startupMs, idleRssMiB: r.idleRssMiB });
    else if (r.kind === 'answers') get(r).answers = r.answers;
    else if (r.kind === 'rss') get(r).loadedRssMiB = r.loadedRssMiB;
    else if (r.kind === 'latency') get(r).latency = { p50: r.p50, p99: r.p99, 'p99.9': r['p99.9'], samples: r.samples, qps: r.qps, lost: r.lost };
    else if (r.kind === 'saturation') {
      const slot = (get(r).runs[`${r.transport}-${r.mix}`] ??= { all: [], best: null });
      slot.all.push(r);
      if (!slot.best || (r.qps ?? 0) > (slot.best.qps ?? 0)) slot.best = r;
    } else if (r.kind === 'profile') profiles.push({ mix: 'hits', ...r });
  }
  const programming = recs.find((r) => r.kind === 'programming') ?? null;
  const list = [...results.values()].filter((r) => r.startupMs !== undefined);
  const sizes = [...new Set(list.map((r) => r.size))];
  const md = [`## Benchmark run ${recs[0]?.stamp ?? ''} (re-rendered from ${relativeToRoot(resolve(file))})`, '',
    mach ? `Machine: ${mach.nproc} × ${mach.cpu}, ${mach.memMiB} MiB, Linux ${mach.kernel}, Node ${mach.node}, dnsperf ${mach.dnsperf}, Knot ${mach.knot}, NSD ${mach.nsd}.` : '',
    `Load average at start: ${load.load.join(' ')} (waited ${load.waitedS} s).`, table(list, sizes), targets(list, load.load, programming)];
  for (const profile of profiles) {
    md.push(`\n### Profile (clusterdns, UDP ${profile.mix} under dnsperf; top self time, the first ${profile.skipMs} ms left out)\n`, '| self % | self ms | function | location |', '|---:|---:|---|---|');
    for (const f of profile.top) md.push(`| ${f.selfPct.toFixed(1)} | ${f.selfMs.toFixed(0)} | ${f.functionName} | ${f.location} |`);
  }
  process.stdout.write(`${md.join('\n')}\n`);
}

async function main() {
  if (flag('--report')) return report(value('--report'));
  const t0 = Date.now();
  const onSignal = () => {
    for (const pid of started) try { process.kill(pid, 'SIGTERM'); } catch {}
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  setup();
  const mach = machine();
  record({ kind: 'machine', ...mach, options: OPTS });
  log(`machine: ${mach.nproc} CPUs (${mach.cpu}), Node ${mach.node}, dnsperf ${mach.dnsperf}, knot ${mach.knot}, nsd ${mach.nsd}`);
  log(`targets: ${OPTS.targets.join(', ')}; sizes ${OPTS.sizes.join(', ')}; ${OPTS.runs} × ${OPTS.duration} s per saturation run`);

  const datasets = OPTS.sizes.map(prepare);
  const quiet = await waitForQuietMachine(OPTS.quick ? 30 : 300);
  record({ kind: 'load', ...quiet });
  log(`load average at start: ${quiet.load.join(' ')} (waited ${quiet.waitedS} s)`);

  const results = [];
  for (const data of datasets) {
    log(`\n== ${data.size} services ==`);
    for (const t of OPTS.targets) results.push(await measureTarget(t, data.size, data));
  }
  let programming = null;
  if (OPTS.targets.includes('clusterdns')) {
    const data = datasets.find((d) => d.size === 10000) ?? datasets[0];
    log(`\n== programming latency: ${data.size} services + a churn manifest, 100 changes/s for ${OPTS.quick ? 2 : 5} s ==`);
    try {
      programming = { size: data.size, ...(await measureProgrammingLatency({ manifest: data.manifest, rate: 100, seconds: OPTS.quick ? 2 : 5, cpu: SERVER_CPU })) };
      record({ kind: 'programming', ...programming });
      log(`  ${programming.answered}/${programming.changes} answered, p50 ${programming.p50Ms} ms, p99 ${programming.p99Ms} ms, max ${programming.maxMs} ms`);
    } catch (err) {
      log(`  SKIP (${err.message})`);
    }
  }
  const profiles = [];
  if (OPTS.profile && OPTS.targets.includes('clusterdns')) {
    const data = datasets.find((d) => d.size === 10000) ?? datasets[0];
    for (const mix of OPTS.profileMixes) {
      log(`\n== profile: clusterdns under dnsperf ${mix}, ${data.size} services ==`);
      const p = await profileClusterdns(data, mix);
      if (p) profiles.push(p);
    }
  }
  const loadEnd = loadavg();
  const cmd = `node bench/run.mjs ${argv.join(' ')}`.trim();
  const md = [
    `## Benchmark run ${stamp}`,
    '',
    `Command: \`${cmd}\` (${Math.round((Date.now() - t0) / 1000)} s)`,
    '',
    `Machine: ${mach.nproc} × ${mach.cpu}, ${mach.memMiB} MiB, Linux ${mach.kernel}, Node ${mach.node}, dnsperf ${mach.dnsperf}, Knot ${mach.knot}, NSD ${mach.nsd}.`,
    `dnsperf pinned to CPU ${CLIENT_CPU}, servers to CPU ${SERVER_CPU}${OPTS.targets.some(onAllCpus) ? ` (${OPTS.targets.filter(onAllCpus).join(', ')}: one worker per core on CPUs ${ALL_CPUS})` : ''}; ${OPTS.warmup ? 'one warm-up pass through each query file first; ' : 'no warm-up; '}UDP -c ${OPTS.udpClients} -q ${OPTS.udpOutstanding}, TCP -c ${OPTS.tcpClients} -q ${OPTS.tcpOutstanding}; ${OPTS.runs} × ${OPTS.duration} s saturation runs (best shown), latency: -Q 10000 for ${OPTS.latencySeconds} s with per-query latencies from -v.`,
    `Load average: ${quiet.load.join(' ')} at start (waited ${quiet.waitedS} s), ${loadEnd.join(' ')} at the end.`,
    table(results, OPTS.sizes),
    targets(results, quiet.load, programming),
  ];
  for (const profile of profiles) {
    md.push(`\n### Profile (clusterdns, UDP ${profile.mix} under dnsperf, node --cpu-prof; top self time, the first ${profile.skipMs} ms of startup left out)\n`, `File: ${relativeToRoot(profile.file)}\n`, '| self % | self ms | function | location |', '|---:|---:|---|---|');
    for (const f of profile.top) md.push(`| ${f.selfPct.toFixed(1)} | ${f.selfMs.toFixed(0)} | ${f.functionName} | ${f.location} |`);
  }
  const text = `${md.join('\n')}\n`;
  writeFileSync(SUMMARY, text);
  log(`\n${text}`);
  log(`results: ${JSONL}\nsummary: ${SUMMARY}`);
}

main().catch(async (err) => {
  process.stderr.write(`bench: ${err.stack ?? err}\n`);
  for (const pid of started) try { process.kill(pid, 'SIGTERM'); } catch {}
  process.exit(1);
});
