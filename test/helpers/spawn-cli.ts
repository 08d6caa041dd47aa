// Spawns the built CLI (dist/cli/bin.js, the `clusterdns` executable, built by `npm test` before vitest runs) and reads the bound port
// from its JSON log. Stopped by its own PID.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../dist/cli/bin.js', import.meta.url));

/**
 * Without --upstream the CLI forwards to the machine's /etc/resolv.conf name servers and probes them for a
 * loop at start; tests send traffic only to loopback, so they read an empty resolv.conf unless they choose.
 */
export function noHostForwarding(args: string[]): string[] {
  return args.includes('--upstream') || args.includes('--resolv-conf') || args.includes('--help') ? args : [...args, '--resolv-conf', '/dev/null'];
}

/** stop() sends SIGTERM: without a lameduck of the test's own choosing, the CLI exits without the 5 s wait. */
function noLameduck(args: string[]): string[] {
  return args.includes('--lameduck') || args.includes('--help') ? args : [...args, '--lameduck', '0'];
}

export interface RunningCli {
  process: ChildProcess;
  port: number;
  /** Log lines so far (JSON objects). */
  logs: Array<Record<string, unknown>>;
  /** The first log line (logged so far or later) that `match` accepts; rejects after `timeoutMs`. */
  waitForLog(match: (entry: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  stop(): Promise<number | null>;
}

export async function startCli(args: string[], timeoutMs = 10_000, env: NodeJS.ProcessEnv = process.env): Promise<RunningCli> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
  const child = spawn(process.execPath, [CLI, 'serve', '--listen', '127.0.0.1:0', ...noLameduck(noHostForwarding(args))], { stdio: ['ignore', 'pipe', 'pipe'], env });
  const logs: Array<Record<string, unknown>> = [];
  const waiters = new Set<(entry: Record<string, unknown>) => void>();
  let stderr = '';
  let buffered = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`CLI did not report a port in ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      const lines = (buffered + chunk.toString()).split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        try {
          const entry = JSON.parse(line) as Record<string, unknown>;
          logs.push(entry);
          for (const waiter of waiters) waiter(entry);
          // Ready once the data is loaded ('serving' comes after 'manifest loaded').
          if (entry.msg === 'serving') {
            clearTimeout(timer);
            resolve(Number(String(entry.address).split(':').pop()));
          }
        } catch {
          // not a log line
        }
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`CLI exited with ${code}: ${stderr}`));
    });
  });
  const waitForLog = (match: (entry: Record<string, unknown>) => boolean, waitMs = 10_000) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const logged = logs.find(match);
      if (logged) return resolve(logged);
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no matching log line in ${waitMs} ms; logged: ${logs.map((entry) => JSON.stringify(entry)).join('\n')}`));
      }, waitMs);
      const check = (entry: Record<string, unknown>) => {
        if (!match(entry)) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve(entry);
      };
      waiters.add(check);
    });
  return {
    process: child,
    port,
    logs,
    waitForLog,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill('SIGTERM');
      }),
  };
}

/** Run the CLI to completion; resolve with its exit code and output. */
export function runCli(args: string[], timeoutMs = 10_000, env: NodeJS.ProcessEnv = process.env): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...(args[0] === 'serve' ? noHostForwarding(args) : args)], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`CLI ${args.join(' ')} did not exit in ${timeoutMs} ms`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
