// `clusterdns serve --workers 2` stopped while it starts, and failing at start: SIGTERM at any point of the
// start-up exits 0 with every worker gone and nothing on stderr about a broken pipe, and a bad manifest fails
// about as fast as it does in one process (the built CLI, spawned and signalled by its own PID).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, noHostForwarding, runCli } from '../helpers/spawn-cli.js';
import { isAlive } from '../helpers/process-alive.js';

const example = new URL('../../examples/cluster.yaml', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'clusterdns-workers-start-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Start `serve --workers 2`, send SIGTERM once a log line matches `point`; the exit and what was printed. */
function stopAt(point: (line: Record<string, unknown>) => boolean) {
  const child = spawn(process.execPath, [CLI, ...noHostForwarding(['serve', '--workers', '2', '--manifest', example, '--listen', '127.0.0.1:0'])], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let buffered = '';
  let signalled = false;
  const workerPids: number[] = [];
  child.stderr.on('data', (chunk) => (stderr += chunk));
  child.stdout.on('data', (chunk: Buffer) => {
    const lines = (buffered + chunk.toString()).split('\n');
    buffered = lines.pop() ?? '';
    for (const text of lines) {
      let line: Record<string, unknown>;
      try {
        line = JSON.parse(text) as Record<string, unknown>;
      } catch {
        continue;
      }
      if (typeof line.workerPid === 'number') workerPids.push(line.workerPid);
      if (!signalled && point(line)) {
        signalled = true;
        child.kill('SIGTERM');
      }
    }
  });
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; signalled: boolean; workerPids: number[] }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve --workers 2 did not exit within 20 s; stderr: ${stderr}`));
    }, 20_000);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr, signalled, workerPids });
    });
  });
}

describe('serve --workers 2 start-up', () => {
  const points: Array<[string, (line: Record<string, unknown>) => boolean]> = [
    ['the first worker is spawned (the first log line)', (line) => line.msg === 'worker started'],
    ['the manifest is loaded, workers still starting', (line) => line.msg === 'manifest loaded'],
    ["the shared sockets are bound ('listening')", (line) => line.msg === 'listening'],
  ];
  for (const [when, point] of points) {
    it(`SIGTERM once ${when} exits 0, leaves no worker running and prints no EPIPE`, async () => {
      const result = await stopAt(point);
      expect(result.signalled, 'the log line to stop at was seen').toBe(true);
      expect({ code: result.code, signal: result.signal }).toEqual({ code: 0, signal: null });
      expect(result.stderr).not.toMatch(/EPIPE|Unhandled|ERR_IPC/);
      expect(result.workerPids.length).toBeGreaterThan(0);
      expect(result.workerPids.filter(isAlive), 'workers still alive after the primary exited').toEqual([]);
    }, 30_000);
  }

  it('a bad manifest fails with --workers 2 in less than twice the time it takes one process', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'items:\n- kind: Service\n  metadata:\n    name: x\n\tbad: 1\n');
    const timed = async (args: string[]) => {
      const started = performance.now();
      const result = await runCli(['serve', '--manifest', bad, '--listen', '127.0.0.1:0', ...args], 20_000);
      return { ...result, ms: performance.now() - started };
    };
    const single = await timed([]);
    const multi = await timed(['--workers', '2']);
    for (const result of [single, multi]) {
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`${bad}:5:1: invalid YAML`);
    }
    expect(multi.ms, `--workers 2 took ${Math.round(multi.ms)} ms, one process ${Math.round(single.ms)} ms`).toBeLessThan(2 * single.ms);
  }, 60_000);
});
