// The `clusterdns` executable run through its own shebang (as `npx clusterdns`, npm's bin link and the image's
// entrypoint run it), not as `node bin.js`: the young-generation flag the shebang carries reaches node, the
// server answers, and SIGTERM exits 0 both at the entry point's first statements and once serving.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CLI } from '../helpers/spawn-cli.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/cluster.yaml', import.meta.url));
const SHEBANG = /^#!\/usr\/bin\/env -S node (--max-semi-space-size=\d+)$/;

interface Run {
  code: number | null;
  answer: string;
  stderr: string;
}

/** Exec the bin file itself; at `point` (the title set, or the "serving" line) read its command line, maybe dig, then SIGTERM. */
function runBin(point: 'entry' | 'serving'): Promise<Run> {
  const child = spawn(CLI, ['serve', '--manifest', EXAMPLE, '--listen', '127.0.0.1:0', '--resolv-conf', '/dev/null', '--lameduck', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let signalled = false;
  let answer = '';
  const check = () => {
    if (signalled || child.exitCode !== null || child.pid === undefined) return;
    let comm = '';
    try {
      comm = readFileSync(`/proc/${child.pid}/comm`, 'utf8');
    } catch {
      return;
    }
    const serving = /"msg":"serving"/.test(stdout);
    if (point === 'entry' ? !comm.startsWith('clusterdns') : !serving) return;
    signalled = true;
    if (point === 'serving') {
      const line = stdout.split('\n').find((text) => text.includes('"msg":"serving"')) ?? '{}';
      const port = String((JSON.parse(line) as { address?: string }).address).split(':').pop() ?? '0';
      try {
        answer = execFileSync('/usr/bin/dig', ['+short', '+tries=1', '+time=2', '-p', port, '@127.0.0.1', 'hello.default.svc.cluster.local'], { encoding: 'utf8' }).trim();
      } catch (err) {
        answer = `dig failed: ${(err as Error).message}`;
      }
    }
    child.kill('SIGTERM');
  };
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
    check();
  });
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const poll = setInterval(check, 1);
  return new Promise<Run>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no exit within 20 s (signalled: ${signalled}); stderr: ${stderr}`));
    }, 20_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, answer, stderr });
    });
  }).finally(() => clearInterval(poll));
}

describe('the clusterdns executable through its shebang', () => {
  const firstLine = readFileSync(CLI, 'utf8').split('\n')[0];

  it('names node through env -S with --max-semi-space-size, and node started by that line holds the flag', () => {
    const flag = SHEBANG.exec(firstLine)?.[1];
    expect(flag, firstLine).toBeDefined();
    // The same first line over a script that prints node's own flags: exec'd by the kernel, split by env -S.
    const dir = mkdtempSync(join(tmpdir(), 'clusterdns-shebang-'));
    try {
      const script = join(dir, 'flags.mjs');
      writeFileSync(script, `${firstLine}\nprocess.stdout.write(JSON.stringify(process.execArgv));\n`);
      chmodSync(script, 0o755);
      expect(JSON.parse(execFileSync(script, { encoding: 'utf8', timeout: 10_000 }))).toEqual([flag]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('serves through its shebang (dig gets the example Service) and exits 0 on SIGTERM once serving', { timeout: 30_000 }, async () => {
    const run = await runBin('serving');
    expect(run.answer).toBe('10.96.0.20');
    expect(run.code, run.stderr).toBe(0);
  });

  it('exits 0 on SIGTERM at the entry point’s first statements', { timeout: 30_000 }, async () => {
    const run = await runBin('entry');
    expect(run.code, run.stderr).toBe(0);
  });
});
