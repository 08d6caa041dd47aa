// The machine the figures come from (CPU, memory, kernel, versions of Node, dnsperf, Knot, NSD) and the
// wait for a quiet moment: the 2 cores are shared, and a busy machine moves every figure.
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { findBinary } from './prerequisites.js';

export interface MachineInfo {
  nproc: number;
  cpu: string;
  memMiB: number;
  kernel: string;
  node: string;
  dnsperf: string;
  knot: string;
  nsd: string;
}

function versionOf(command: string | undefined, args: string[], pattern: RegExp): string {
  if (!command) return 'n/a';
  const r = spawnSync(command, args, { encoding: 'utf8', timeout: 30_000 });
  return pattern.exec(`${r.stdout ?? ''}${r.stderr ?? ''}`)?.[1] ?? 'n/a';
}

export function describeMachine(): MachineInfo {
  return {
    nproc: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memMiB: Math.round(os.totalmem() / 1048576),
    kernel: os.release(),
    node: process.version,
    dnsperf: versionOf(findBinary('dnsperf'), ['-h'], /Version ([\d.]+)/),
    knot: versionOf(findBinary('knotd'), ['--version'], /version ([\d.]+)/),
    nsd: versionOf(findBinary('nsd'), ['-v'], /NSD version ([\d.]+)/),
  };
}

export const loadAverage = (): number[] => os.loadavg().map((x) => Math.round(x * 100) / 100);

/** Waits (bounded by maxSeconds) for the 1-minute load average to drop below 1.0. */
export async function waitForQuietMachine(maxSeconds: number, enabled: boolean, log: (line: string) => void): Promise<{ load: number[]; waitedS: number }> {
  const t0 = Date.now();
  let load = loadAverage();
  if (!enabled) return { load, waitedS: 0 };
  while (load[0] >= 1.0 && Date.now() - t0 < maxSeconds * 1000) {
    log(`load average ${load.join(' ')} ≥ 1.0: waiting (at most ${maxSeconds} s in all)`);
    await new Promise((r) => setTimeout(r, 15_000));
    load = loadAverage();
  }
  return { load, waitedS: Math.round((Date.now() - t0) / 1000) };
}
