// SIGTERM (and SIGINT) at any moment of a single process's start-up exits 0: from the entry point's first
// statement (seen from outside as /proc/PID/comm turning to "clusterdns", set right after the handler), at the
// first log line, while a 5,000-Service snapshot loads, and once serving. Each point is an event of the child
// process, not a timer; each child is signalled by its own PID.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, noHostForwarding } from '../helpers/spawn-cli.js';
import { writeCluster } from '../../bench/generate-cluster.mjs';

const EXAMPLE = fileURLToPath(new URL('../../examples/cluster.yaml', import.meta.url));

type Point = (child: { pid: number; stdout: string }) => boolean;

/** Spawn `serve ARGS`, send `signal` as soon as `point` holds (checked on every output chunk and poll), await the exit. */
async function signalAt(args: string[], point: Point, signal: NodeJS.Signals = 'SIGTERM'): Promise<{ code: number | null; signalled: boolean; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...noHostForwarding(['serve', '--listen', '127.0.0.1:0', '--lameduck', '0', ...args])], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let signalled = false;
  const check = () => {
    if (signalled || child.exitCode !== null || child.pid === undefined) return;
    if (point({ pid: child.pid, stdout })) {
      signalled = true;
      child.kill(signal);
    }
  };
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
    check();
  });
  child.stderr.on('data', (chunk) => (stderr += chunk));
  // Points seen in /proc change without output: look again on every turn of the loop, bounded in time below.
  const poll = setInterval(check, 1);
  const code = await new Promise<number | null>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no exit within 20 s (signalled: ${signalled}); stderr: ${stderr}`));
    }, 20_000);
    child.once('exit', (exitCode) => {
      clearTimeout(timer);
      resolve(exitCode);
    });
  }).finally(() => clearInterval(poll));
  return { code, signalled, stdout, stderr };
}

/** The entry point has run its first statements: the start-up handler is installed. */
const entryRan: Point = ({ pid }) => {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith('clusterdns');
  } catch {
    return false;
  }
};
const logged = (msg: string): Point => ({ stdout }) => stdout.split('\n').some((line) => line.includes(`"msg":"${msg}"`));

describe('SIGTERM during a single process\'s start-up', () => {
  let dir: string;
  let big: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'clusterdns-start-signals-'));
    writeCluster({ services: 5000, out: dir, format: 'yaml' });
    big = join(dir, 'cluster.yaml');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each<[string, () => string[], Point]>([
    ['at the entry point\'s first statements, before any module of the command loads', () => ['--manifest', EXAMPLE], entryRan],
    ['at the first log line', () => ['--manifest', EXAMPLE], ({ stdout }) => stdout.length > 0],
    ['while a 5,000-Service YAML snapshot loads (listening, not yet serving)', () => ['--manifest', big], logged('listening')],
    ['once serving', () => ['--manifest', EXAMPLE], logged('serving')],
  ])('exits 0 %s', async (_, args, point) => {
    const result = await signalAt(args(), point);
    expect(result.signalled, result.stderr).toBe(true);
    expect(result.code, result.stderr).toBe(0);
  });

  it('SIGINT at the entry point\'s first statements exits 0 as well, and says it stopped during start-up', async () => {
    const result = await signalAt(['--manifest', EXAMPLE], entryRan, 'SIGINT');
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('stopped by SIGINT during start-up');
  });
});
