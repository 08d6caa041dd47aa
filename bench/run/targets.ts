// The targets and how each is started. dnsperf runs on CPU 0 and every single-process server on CPU 1
// (taskset). clusterdns-all (`serve --workers auto`) and probe-all may use every CPU, the one dnsperf runs on
// included, because "all cores" is what a pod would give them; on 2 cores their QPS is then a floor.
// clusterdns-cache is clusterdns with `--upstream` pointing at a Knot that serves the forwarded zone.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { knotConfig, type ZoneSource } from './knot-config.js';
import { nsdConfig } from './nsd-config.js';
import { BIN_PATH, CEILING_PROBE_PATH, CLI_PATH } from './paths.js';
import { cliNodeArgs } from './script-modules.js';
import { findBinary } from './prerequisites.js';
import type { Dataset, Target } from './types.js';

export const CLIENT_CPU = '0';
export const SERVER_CPU = '1';
export const allCpus = (): string => `0-${os.cpus().length - 1}`;

export const isClusterdns = (t: Target): boolean => t === 'clusterdns' || t === 'clusterdns-all' || t === 'clusterdns-cache';
export const onAllCpus = (t: Target): boolean => t === 'clusterdns-all' || t === 'probe-all';
/** The probe answers every question with the same record: no answer check, no rcode check. */
export const isProbe = (t: Target): boolean => t === 'probe' || t === 'probe-all';

/**
 * probe-all: a node:cluster primary with one ceiling-probe worker per core; it stops them on SIGTERM. Its workers
 * accept TCP connections themselves (SCHED_NONE), as clusterdns-all's do, so the two compare like for like.
 */
const PROBE_ALL = `import cluster from 'node:cluster'; import os from 'node:os';
const [exec, ...args] = process.argv.slice(1);
cluster.schedulingPolicy = cluster.SCHED_NONE;
cluster.setupPrimary({ exec, args, execArgv: [] });
for (let i = 0; i < os.availableParallelism(); i++) cluster.fork();
process.on('SIGTERM', () => { for (const w of Object.values(cluster.workers)) w.process.kill('SIGKILL'); process.exit(0); });`;

export interface Launch {
  command: string;
  args: string[];
}

export function knotLaunch(dir: string, port: number, zones: readonly ZoneSource[]): Launch {
  mkdirSync(join(dir, 'db'), { recursive: true });
  const conf = join(dir, 'knot.conf');
  writeFileSync(conf, knotConfig(dir, port, zones));
  return { command: findBinary('knotd') ?? 'knotd', args: ['-c', conf] };
}

export interface LaunchExtras {
  /** node flags before the script (the profile run's --cpu-prof). */
  nodeArgs?: string[];
  /** clusterdns-cache: the upstream's port on 127.0.0.1. */
  upstreamPort?: number;
}

/** The command line of `target` listening on 127.0.0.1:port, its configuration written under `dir`. */
export function launchOf(target: Target, data: Dataset, port: number, dir: string, extras: LaunchExtras = {}): Launch {
  const listen = `127.0.0.1:${port}`;
  switch (target) {
    case 'clusterdns':
    case 'clusterdns-all':
    case 'clusterdns-cache': {
      const args = [...cliNodeArgs(BIN_PATH), ...(extras.nodeArgs ?? []), CLI_PATH, 'serve', '--manifest', data.manifest, '--listen', listen, '--log-level', 'warn', '--lameduck', '0'];
      if (target === 'clusterdns-all') args.push('--workers', 'auto');
      if (target === 'clusterdns-cache') {
        if (extras.upstreamPort === undefined) throw new Error('clusterdns-cache needs its upstream port');
        args.push('--upstream', `127.0.0.1:${extras.upstreamPort}`);
      } else {
        // Never the machine's own resolvers (and their loop probe): the bench only talks to loopback.
        args.push('--resolv-conf', '/dev/null');
      }
      return { command: process.execPath, args };
    }
    case 'probe':
      return { command: process.execPath, args: [CEILING_PROBE_PATH, '--listen', listen] };
    case 'probe-all':
      return { command: process.execPath, args: ['--input-type=module', '-e', PROBE_ALL, CEILING_PROBE_PATH, '--listen', listen] };
    case 'knot':
      return knotLaunch(dir, port, [{ domain: 'cluster.local', file: data.zoneFile }]);
    case 'nsd': {
      const conf = join(dir, 'nsd.conf');
      writeFileSync(conf, nsdConfig(dir, port, data.zoneFile));
      return { command: findBinary('nsd') ?? 'nsd', args: ['-d', '-c', conf] };
    }
  }
}
