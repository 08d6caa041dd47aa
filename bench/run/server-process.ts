// A server under test as a child process: spawned pinned to its CPUs, ready at its first correct answer,
// stopped by its PID (SIGTERM, then SIGKILL after 10 s). Every PID started here is remembered until it
// exits, so that an interrupted bench stops what it started and nothing else.
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { waitForAnswer } from './first-answer.js';
import type { Launch } from './targets.js';

const running = new Set<number>();

/** SIGTERM to every server this process started that has not exited (on SIGINT, or a crash of the bench). */
export function stopAllStarted(): void {
  for (const pid of running) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
}

export interface RunningServer {
  pid: number;
  port: number;
  dir: string;
  startupMs: number;
  stop(): Promise<void>;
  output(): string;
}

export interface StartServer {
  label: string;
  launch: Launch;
  port: number;
  /** Working directory, removed on stop. */
  dir: string;
  /** taskset -c list. */
  cpus: string;
  /** The readiness question (A) and what its reply must satisfy. */
  readyName: string;
  readyCheck: (msg: Buffer) => boolean;
  timeoutMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startServer(s: StartServer): Promise<RunningServer> {
  const t0 = performance.now();
  const t0wall = Date.now();
  // taskset execs the server: child.pid is the server's PID.
  const child = spawn('taskset', ['-c', s.cpus, s.launch.command, ...s.launch.args], { cwd: s.dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const pid = child.pid ?? -1;
  running.add(pid);
  let exited = false;
  let output = '';
  const keep = (b: Buffer) => {
    if (output.length < 20000) output += b.toString();
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exit = new Promise<void>((r) =>
    child.once('exit', () => {
      exited = true;
      running.delete(pid);
      r();
    }),
  );
  const ready = await waitForAnswer(s.port, s.readyName, s.readyCheck, t0wall, s.timeoutMs, () => !exited);
  const stop = async () => {
    if (!exited) {
      child.kill('SIGTERM');
      const done = await Promise.race([exit.then(() => true), sleep(10000).then(() => false)]);
      if (!done && !exited) {
        child.kill('SIGKILL');
        await Promise.race([exit, sleep(3000)]);
      }
    }
    rmSync(s.dir, { recursive: true, force: true });
  };
  if (ready === null) {
    const exitedEarly = exited;
    try {
      output += readFileSync(join(s.dir, 'nsd.log'), 'utf8');
    } catch {
      // only NSD logs to a file
    }
    await stop();
    throw new Error(`${s.label} gave no correct answer within ${s.timeoutMs / 1000} s${exitedEarly ? ' (it exited)' : ''}: ${output.trim().slice(-600)}`);
  }
  return { pid, port: s.port, dir: s.dir, startupMs: Math.round(ready - t0), stop, output: () => output };
}
