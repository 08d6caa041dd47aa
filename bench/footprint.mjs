// Footprint of the built CLI on a generated snapshot (issue 13): spawn → first correct answer, then idle RSS
// after a settle, pinned to one core as `npm run bench` pins it, repeated for a median. The CPU time the
// server spent up to its first answer is reported beside the wall time: on a shared machine it moves less.
//
// Usage: node bench/footprint.mjs --cluster DIR [--runs 3] [--settle-ms 2000] [--cpu 1] [--workers N]
//        [--node-arg=--flag ...] [--cli dist/cli/main.js]
// DIR is the output of `node bench/generate-cluster.mjs --services N --out DIR`. Prints one line per run and
// a JSON summary (medians) last. Talks to 127.0.0.1 only; the server forwards nowhere (--resolv-conf /dev/null).
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliNodeArgs } from './cli-node-args.mjs';

const here = dirname(fileURLToPath(import.meta.url));

function parseArgs(argv) {
  const o = { runs: 3, settleMs: 2000, cpu: '1', cli: join(here, '..', 'dist', 'cli', 'main.js'), nodeArgs: [], workers: undefined, cluster: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--cluster') o.cluster = argv[++i];
    else if (a === '--runs') o.runs = Number(argv[++i]);
    else if (a === '--settle-ms') o.settleMs = Number(argv[++i]);
    else if (a === '--cpu') o.cpu = argv[++i];
    else if (a === '--cli') o.cli = resolve(argv[++i]);
    else if (a === '--workers') o.workers = argv[++i];
    else if (a.startsWith('--node-arg=')) o.nodeArgs.push(a.slice('--node-arg='.length));
    else throw new Error(`unknown argument ${a}`);
  }
  if (!o.cluster) throw new Error('--cluster DIR is required');
  return o;
}

function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

function encodeQuery(id, name, type) {
  const parts = [Buffer.from([id >> 8, id & 255, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0])];
  for (const label of name.split('.')) parts.push(Buffer.from([label.length]), Buffer.from(label, 'ascii'));
  parts.push(Buffer.from([0, 0, type, 0, 1])); // root label, QTYPE, QCLASS IN
  return Buffer.concat(parts);
}

/** NOERROR, one answer or more, and an A record's RDLENGTH 4 after the question. */
const answered = (msg) => msg.length > 12 && (msg[3] & 15) === 0 && msg.readUInt16BE(6) > 0 && msg.indexOf(Buffer.from([0, 1, 0, 1]), 12) > 0;

function rssOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k) => Number(new RegExp(`${k}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
    return { rss: kb('VmRSS'), anon: kb('RssAnon'), file: kb('RssFile'), hwm: kb('VmHWM') };
  } catch {
    return { rss: 0, anon: 0, file: 0, hwm: 0 };
  }
}

/** CPU time of a process so far, all its threads (utime + stime from /proc/PID/stat), ms. */
function cpuMsOf(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return Math.round(((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS);
  } catch {
    return null;
  }
}
/** USER_HZ: 100 on every Linux this runs on (getconf CLK_TCK). */
const CLOCK_TICKS = 100;

function childrenOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

async function oneRun(o, checkName) {
  const port = await freePort();
  const args = [...cliNodeArgs(join(dirname(o.cli), 'bin.js')), ...o.nodeArgs, o.cli, 'serve', '--manifest', join(o.cluster, 'cluster.json'), '--listen', `127.0.0.1:${port}`,
    '--log-level', 'warn', '--lameduck', '0', '--resolv-conf', '/dev/null'];
  if (o.workers) args.push('--workers', o.workers);
  const t0 = performance.now();
  const child = spawn('taskset', ['-c', o.cpu, process.execPath, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
  let exited = false;
  child.on('exit', () => (exited = true));
  const sock = dgram.createSocket('udp4');
  let good = false;
  sock.on('message', (m) => { if (answered(m)) good = true; });
  sock.on('error', () => {});
  await new Promise((r) => sock.bind(0, '127.0.0.1', r));
  let startupMs = null;
  for (let id = 1; id < 6000 && !exited && startupMs === null; id++) {
    sock.send(encodeQuery(id, checkName, 1), port, '127.0.0.1');
    for (let i = 0; i < 10 && !good; i++) await new Promise((r) => setTimeout(r, 2));
    if (good) startupMs = Math.round(performance.now() - t0);
  }
  const startupCpuMs = startupMs === null ? null : cpuMsOf(child.pid);
  sock.close();
  if (startupMs === null) {
    child.kill('SIGKILL');
    throw new Error('no answer (server exited or 2 minutes passed)');
  }
  await new Promise((r) => setTimeout(r, o.settleMs));
  const pids = [child.pid, ...childrenOf(child.pid)];
  for (const p of [...pids]) pids.push(...childrenOf(p).filter((c) => !pids.includes(c)));
  const per = pids.map((pid) => ({ pid, ...rssOf(pid) })).filter((p) => p.rss > 0);
  child.kill('SIGTERM');
  await new Promise((r) => (exited ? r() : child.on('exit', r)));
  const mib = (kb) => Math.round((kb / 1024) * 10) / 10;
  return { startupMs, startupCpuMs, rssMiB: mib(per.reduce((s, p) => s + p.rss, 0)), perProcess: per.map((p) => ({ pid: p.pid, rssMiB: mib(p.rss), anonMiB: mib(p.anon), fileMiB: mib(p.file), hwmMiB: mib(p.hwm) })) };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const o = parseArgs(process.argv.slice(2));
const names = JSON.parse(readFileSync(join(o.cluster, 'names.json'), 'utf8'));
const svc = names.services.find((s) => s[3] === 0);
const checkName = `${svc[0]}.${svc[1]}.svc.${names.zone}`;
const runs = [];
for (let i = 0; i < o.runs; i++) {
  const r = await oneRun(o, checkName);
  runs.push(r);
  console.log(`run ${i + 1}: startup ${r.startupMs} ms (CPU ${r.startupCpuMs} ms), RSS ${r.rssMiB} MiB ${JSON.stringify(r.perProcess)} load ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
}
console.log(JSON.stringify({ cluster: o.cluster, nodeArgs: o.nodeArgs, startupMs: median(runs.map((r) => r.startupMs)), startupCpuMs: median(runs.map((r) => r.startupCpuMs)), rssMiB: median(runs.map((r) => r.rssMiB)), startups: runs.map((r) => r.startupMs), rss: runs.map((r) => r.rssMiB), load: os.loadavg().map((x) => +x.toFixed(2)) }));
