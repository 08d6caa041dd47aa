// Issue 13's API row: the watch bench (bench/watch/watch-bench.ts: the built CLI syncing 10k services / 50k
// endpoints / 50k pods from the API server emulator) run as a child process of `npm run bench`, its figures
// read back from the JSON it writes. Bounded by a hard timeout; the child and the CLI it started are stopped by PID.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WATCH_BENCH_PATH } from './paths.js';
import { processTree } from './process-stats.js';
import type { WatchResult } from './types.js';

const TIMEOUT_MS = 240_000;

/** Runs the watch bench at 10k/50k/50k with `changes` programmed changes; rejects with its output on failure. */
export async function measureWatch(changes: number, log: (line: string) => void): Promise<WatchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'clusterdns-bench-watch-'));
  const out = join(dir, 'watch.json');
  try {
    const child = spawn(process.execPath, ['--expose-gc', WATCH_BENCH_PATH, '--sizes', '10k', '--changes', String(changes), '--json', out], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk));
    // The watch bench starts the CLI: on a timeout stop both, the CLI first, each by its PID.
    const timer = setTimeout(() => {
      for (const pid of processTree(child.pid!).reverse()) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }, TIMEOUT_MS);
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    clearTimeout(timer);
    if (code !== 0) throw new Error(`the watch bench exited with ${code ?? 'a signal (timeout?)'}: ${output.trim().split('\n').slice(-3).join(' / ')}`);
    const [result] = JSON.parse(readFileSync(out, 'utf8')) as WatchResult[];
    if (!result) throw new Error('the watch bench wrote no result');
    log(`  synced in ${result.syncedMs} ms, first answer ${result.firstAnswerMs} ms, RSS ${result.rssExactMiB ?? result.rssMiB} MiB, programming p99 ${result.latencyP99Ms} ms`);
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
