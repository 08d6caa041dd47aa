// Starts one target on a free 127.0.0.1 port in its own temp directory, pinned as targets.ts says, and
// waits for its first correct answer: the A record of a known ClusterIP service (the probe: any answer).
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { answeredNoError, answersAddress } from './first-answer.js';
import { freePort } from './free-port.js';
import { startServer, type RunningServer } from './server-process.js';
import { allCpus, isProbe, launchOf, onAllCpus, SERVER_CPU, type LaunchExtras } from './targets.js';
import type { Dataset, Target } from './types.js';

/** How long a target at `size` services may take to its first correct answer: a 100k load takes seconds. */
export function startTimeoutMs(size: number): number {
  return size >= 100000 ? 120000 : 60000;
}

export async function startTarget(target: Target, data: Dataset, extras: LaunchExtras & { timeoutMs?: number } = {}): Promise<RunningServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(os.tmpdir(), `clusterdns-bench-${target}-`));
  return startServer({
    label: target,
    launch: launchOf(target, data, port, dir, extras),
    port,
    dir,
    cpus: onAllCpus(target) ? allCpus() : SERVER_CPU,
    readyName: data.checkName,
    readyCheck: isProbe(target) ? answeredNoError : answersAddress(data.checkIp),
    timeoutMs: extras.timeoutMs ?? 60000,
  });
}
