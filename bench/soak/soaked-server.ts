// The server under soak: the built CLI (`clusterdns serve`) against the API emulator, forwarding to the soak's
// own upstream on loopback, with /metrics on a free port. Run with --expose-gc and settle-on-signal.mjs so the
// soak can ask for a full GC (SIGUSR2) before it reads a heap figure it compares. Stopped by its own PID.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface MemorySample {
  /** Seconds since the soak started. */
  atSeconds: number;
  phase: string;
  rssBytes: number;
  heapUsedBytes: number;
  /** clusterdns_cluster_objects summed over kinds. */
  objects: number;
  /** Whether a full GC ran just before this sample. */
  settled: boolean;
  /** The soak driver's longest event-loop stall since the sample before (set by the driver). */
  driverStallMs?: number;
}

export interface ServerLogSummary {
  /** Log lines at level error or fatal, and anything on stderr but the settle marker. */
  errors: string[];
  /**
   * Error lines for a SERVFAIL because the upstream did not reply in time (as CoreDNS's `errors` logs them): the
   * test upstream lives in the soak's process, so the soak checks these against the server's upstream counters.
   */
  upstreamTimeouts: string[];
  warnings: string[];
}

const SETTLED_MARKER = 'soak: settled';

export class SoakedServer {
  /** Servers started and not yet exited, so that a soak stopped by a signal stops them too. */
  private static readonly running = new Set<ChildProcess>();
  readonly logs: ServerLogSummary = { errors: [], upstreamTimeouts: [], warnings: [] };
  dnsPort = 0;
  metricsPort = 0;
  private settleWaiters: Array<() => void> = [];
  private exited: Promise<number | null>;

  private constructor(private readonly child: ChildProcess) {
    SoakedServer.running.add(child);
    this.exited = new Promise((resolve) =>
      child.once('exit', (code) => {
        SoakedServer.running.delete(child);
        resolve(code);
      }),
    );
  }

  /** SIGTERM to every server still running (by its PID), when the soak itself is stopped. */
  static stopAll(): void {
    for (const child of SoakedServer.running) child.kill('SIGTERM');
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  /** Starts the CLI; resolves once it logged 'serving' and its /metrics address, within `timeoutMs`. */
  static async start(root: string, args: string[], timeoutMs = 30_000): Promise<SoakedServer> {
    const cli = join(root, 'dist', 'cli', 'main.js');
    if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` first`);
    const preload = pathToFileURL(join(root, 'bench', 'soak', 'settle-on-signal.mjs')).href;
    const child = spawn(process.execPath, ['--expose-gc', '--import', preload, cli, 'serve', '--listen', '127.0.0.1:0', '--metrics', '127.0.0.1:0', '--lameduck', '0', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const server = new SoakedServer(child);
    let stdoutRest = '';
    let stderrRest = '';
    let onServing!: () => void;
    const serving = new Promise<void>((resolve) => (onServing = resolve));
    child.stdout!.on('data', (chunk: Buffer) => {
      const lines = (stdoutRest + chunk.toString()).split('\n');
      stdoutRest = lines.pop() ?? '';
      for (const line of lines) server.onLogLine(line, onServing);
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      const lines = (stderrRest + chunk.toString()).split('\n');
      stderrRest = lines.pop() ?? '';
      for (const line of lines) {
        if (line === SETTLED_MARKER) server.settleWaiters.shift()?.();
        else if (line.trim() !== '') server.logs.errors.push(`stderr: ${line}`);
      }
    });
    let timer: NodeJS.Timeout | undefined;
    const failure = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the server did not log 'serving' in ${timeoutMs} ms: ${server.logs.errors.join('; ')}`)), timeoutMs);
      void server.exited.then((code) => reject(new Error(`the server exited with ${code} at start: ${server.logs.errors.join('; ')}`)));
    });
    try {
      await Promise.race([serving, failure]);
    } catch (err) {
      child.kill('SIGKILL');
      throw err;
    } finally {
      clearTimeout(timer);
    }
    failure.catch(() => {});
    return server;
  }

  private onLogLine(line: string, onServing: () => void): void {
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line) as Record<string, unknown>;
    } catch {
      if (line.trim() !== '') this.logs.errors.push(`not a log line: ${line}`);
      return;
    }
    const level = Number(entry.level);
    if (level >= 50 && level < 60 && String(entry.cause ?? '').startsWith('forward: no upstream answered')) this.logs.upstreamTimeouts.push(line);
    else if (level >= 50) this.logs.errors.push(line);
    else if (level >= 40) this.logs.warnings.push(line);
    if (entry.msg === 'http listening' && entry.endpoint === '/metrics') this.metricsPort = Number(String(entry.address).split(':').pop());
    if (entry.msg === 'serving') {
      this.dnsPort = Number(String(entry.address).split(':').pop());
      onServing();
    }
  }

  /** The text of /metrics. */
  async scrape(): Promise<string> {
    const response = await fetch(`http://127.0.0.1:${this.metricsPort}/metrics`, { signal: AbortSignal.timeout(5000) });
    return response.text();
  }

  /** A metric summed over its label sets (0 when absent). */
  async metricSum(name: string): Promise<number> {
    let sum = 0;
    for (const match of (await this.scrape()).matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))) sum += Number(match[1]);
    return sum;
  }

  /** One scrape of /metrics. */
  async sample(atSeconds: number, phase: string, settled = false): Promise<MemorySample> {
    const text = await this.scrape();
    const metric = (name: string): number => {
      const match = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
      if (!match) throw new Error(`/metrics has no ${name}`);
      return Number(match[1]);
    };
    let objects = 0;
    for (const match of text.matchAll(/^clusterdns_cluster_objects\{[^}]*\} (\S+)$/gm)) objects += Number(match[1]);
    return { atSeconds, phase, rssBytes: metric('process_resident_memory_bytes'), heapUsedBytes: metric('nodejs_heap_size_used_bytes'), objects, settled };
  }

  /** A full GC in the server (SIGUSR2 to settle-on-signal.mjs); resolves when it reported done. */
  settle(timeoutMs = 10_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the server did not settle in ${timeoutMs} ms`)), timeoutMs);
      this.settleWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
      this.child.kill('SIGUSR2');
    });
  }

  /** SIGTERM, then SIGKILL after `timeoutMs`; resolves with the exit code. */
  async stop(timeoutMs = 10_000): Promise<number | null> {
    if (this.child.exitCode !== null) return this.child.exitCode;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }
}
