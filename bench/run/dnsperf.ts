// One dnsperf run pinned to the client CPU. Bounded: dnsperf's own -l plus a hard spawnSync timeout.
import { spawnSync } from 'node:child_process';
import { CLIENT_CPU } from './targets.js';
import { parseDnsperf, type DnsperfFigures } from './dnsperf-output.js';
import type { Transport } from './types.js';

/** dnsperf -c (clients) and -q (outstanding queries) per transport. */
export interface LoadShape {
  udpClients: number;
  udpOutstanding: number;
  tcpClients: number;
  tcpOutstanding: number;
}

export interface DnsperfRun {
  transport?: Transport;
  seconds: number;
  /** -Q: a fixed rate instead of saturation. */
  rate?: number;
  /** -v: one line per query, for latency percentiles. */
  verbose?: boolean;
  /** -n: passes through the file (the warm-up). */
  passes?: number;
}

export function runDnsperf(port: number, file: string, shape: LoadShape, run: DnsperfRun): DnsperfFigures & { command: string; raw: string } {
  const tcp = run.transport === 'tcp';
  const args = ['-c', CLIENT_CPU, 'dnsperf', '-s', '127.0.0.1', '-p', String(port), '-d', file, '-l', String(run.seconds), '-t', '2',
    '-c', String(tcp ? shape.tcpClients : shape.udpClients), '-q', String(tcp ? shape.tcpOutstanding : shape.udpOutstanding)];
  if (tcp) args.push('-m', 'tcp');
  if (run.passes) args.push('-n', String(run.passes));
  if (run.rate) args.push('-Q', String(run.rate));
  if (run.verbose) args.push('-v');
  const r = spawnSync('taskset', args, { encoding: 'utf8', timeout: (run.seconds + 20) * 1000, maxBuffer: 512 * 1024 * 1024 });
  const raw = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  return { ...parseDnsperf(raw), command: `taskset ${args.join(' ')}`, raw };
}
