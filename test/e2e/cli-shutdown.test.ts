// SIGTERM as Kubernetes sends it: /ready turns 503 ("shutting down") at once while /health stays 200 and
// queries keep being answered for the lameduck period; then TCP connections are drained and the process exits
// 0. A second SIGTERM exits at once. The same for a --workers primary. Every wait is on a log line or an exit.
import { copyFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateCluster, toKubernetesList, toYaml } from '../../bench/generate-cluster.mjs';
import { dig } from '../helpers/dig.js';
import { startCli, type RunningCli } from '../helpers/spawn-cli.js';
import { isAlive } from '../helpers/process-alive.js';

const example = new URL('../../examples/cluster.yaml', import.meta.url).pathname;
const HELLO = 'hello.default.svc.cluster.local';

const httpUrl = (cli: RunningCli, endpoint: string) => {
  const entry = cli.logs.find((line) => line.msg === 'http listening' && line.endpoint === endpoint);
  return `http://${String(entry?.address)}${endpoint}`;
};

async function get(url: string): Promise<{ status: number; body: string }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.text() };
}

const exited = (cli: RunningCli) =>
  new Promise<number | null>((resolve) => {
    if (cli.process.exitCode !== null) return resolve(cli.process.exitCode);
    cli.process.once('exit', (code) => resolve(code));
  });

/** An established TCP connection to the DNS port that sends nothing: the drain must close it. */
function idleConnection(port: number): Promise<{ closedByServer: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => resolve({ closedByServer: new Promise((done) => socket.once('close', () => done())) }));
    socket.once('error', reject);
    socket.on('end', () => socket.end());
  });
}

const isLameduck = (entry: Record<string, unknown>) => typeof entry.msg === 'string' && entry.msg.startsWith('lameduck:');
const isLameduckOver = (entry: Record<string, unknown>) => typeof entry.msg === 'string' && entry.msg.startsWith('lameduck over');

async function expectLameduckServes(cli: RunningCli): Promise<void> {
  await cli.waitForLog(isLameduck);
  expect(await get(httpUrl(cli, '/ready'))).toEqual({ status: 503, body: 'shutting down' });
  expect(await get(httpUrl(cli, '/health'))).toEqual({ status: 200, body: 'OK' });
  const udp = await dig(cli.port, HELLO);
  expect(udp.status).toBe('NOERROR');
  expect(udp.answer).toEqual([`${HELLO}. 5 IN A 10.96.0.20`]);
  expect((await dig(cli.port, '+tcp', HELLO)).answer).toEqual([`${HELLO}. 5 IN A 10.96.0.20`]);
  // Still within the lameduck: the answers above came from a server that was told to stop.
  expect(cli.logs.some(isLameduckOver)).toBe(false);
}

describe('clusterdns serve: SIGTERM', () => {
  it('keeps answering during the lameduck with /ready 503 "shutting down" and /health 200, then closes idle TCP connections and exits 0', async () => {
    const cli = await startCli(['--manifest', example, '--health', '127.0.0.1:0', '--ready', '127.0.0.1:0', '--lameduck', '4s']);
    const exit = exited(cli);
    expect(await get(httpUrl(cli, '/ready'))).toEqual({ status: 200, body: 'OK' });
    const idle = await idleConnection(cli.port);

    cli.process.kill('SIGTERM');
    await expectLameduckServes(cli);

    await idle.closedByServer;
    expect(await exit).toBe(0);
    const order = cli.logs.map((entry) => entry.msg);
    expect(order.indexOf('shutting down')).toBeLessThan(order.findIndex((msg) => typeof msg === 'string' && msg.startsWith('lameduck over')));
    expect(cli.logs.find(isLameduck)).toMatchObject({ lameduckMs: 4000 });
  }, 30_000);

  it('exits 0 without waiting for a reload whose parse is in flight (a big YAML outside the fast path takes seconds)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clusterdns-shutdown-'));
    try {
      const manifest = join(dir, 'cluster.yaml');
      copyFileSync(example, manifest);
      const cli = await startCli(['--manifest', manifest, '--log-level', 'debug']);
      const exit = exited(cli);
      // An anchor puts the file outside block-yaml.ts's subset: the general YAML parser, ≈ 0.4 s a megabyte.
      const big = toYaml(toKubernetesList(generateCluster({ services: 12000, seed: 5 }))).replace(/^apiVersion: /, 'apiVersion: &v ');
      expect(big.length).toBeGreaterThan(10_000_000);
      // Renamed into place whole: a reload of a half-written file would log a result of its own.
      writeFileSync(join(dir, 'next.yaml'), big);
      renameSync(join(dir, 'next.yaml'), manifest);
      await cli.waitForLog((entry) => entry.msg === 'manifest changed; parsing' && Number(entry.bytes) === big.length, 30_000);
      const signalledAt = performance.now();
      cli.process.kill('SIGTERM');
      expect(await exit).toBe(0);
      // With --lameduck 0 the exit waits for nothing but the parse, which alone takes several seconds here.
      expect(performance.now() - signalledAt).toBeLessThan(3_000);
      expect(cli.logs.some((entry) => entry.msg === 'manifest reloaded' || entry.msg === 'manifest change not applied; still serving its last good data')).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('exits at once on a second SIGTERM during the lameduck', async () => {
    const cli = await startCli(['--manifest', example, '--lameduck', '10m']);
    const exit = exited(cli);
    cli.process.kill('SIGTERM');
    await cli.waitForLog(isLameduck);
    cli.process.kill('SIGTERM');
    expect(await exit).toBe(1);
    expect(cli.logs.some((entry) => entry.msg === 'forced exit')).toBe(true);
    expect(cli.logs.some(isLameduckOver)).toBe(false);
  }, 30_000);

  it('does the same as a --workers 2 primary: lameduck with /ready 503 while the workers answer, then exit 0 with no worker left', async () => {
    const cli = await startCli(['--manifest', example, '--workers', '2', '--health', '127.0.0.1:0', '--ready', '127.0.0.1:0', '--lameduck', '4s'], 20_000);
    const exit = exited(cli);
    const workerPids = cli.logs.filter((entry) => entry.msg === 'worker started').map((entry) => Number(entry.workerPid));
    expect(workerPids).toHaveLength(2);
    const idle = await idleConnection(cli.port);

    cli.process.kill('SIGTERM');
    await expectLameduckServes(cli);

    await idle.closedByServer;
    expect(await exit).toBe(0);
    expect(workerPids.filter(isAlive)).toEqual([]);
  }, 40_000);
});
