// `clusterdns serve --workers 2`: the built CLI as a node:cluster primary with two workers sharing one UDP
// socket and one TCP listener, queried with the real dig. Every worker must answer right, see manifest edits,
// and a killed worker must come back with the state. Workers are told apart by the per-worker request gauge
// of /metrics (clusterdns_worker_requests{worker, pid, proto}).
import dgram from 'node:dgram';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiEmulator, service, tempDir, writeKubeconfig } from '../helpers/api-emulator/index.js';
import { dig } from '../helpers/dig.js';
import { addServiceToManifest } from '../helpers/manifest-edit.js';
import { runCli, startCli, type RunningCli } from '../helpers/spawn-cli.js';
import { workersOf } from '../helpers/worker-requests.js';
import { isAlive } from '../helpers/process-alive.js';

const example = new URL('../../examples/cluster.yaml', import.meta.url).pathname;
const HELLO = 'hello.default.svc.cluster.local';
const HELLO_A = `${HELLO}. 5 IN A 10.96.0.20`;
const ADDED = 'added.default.svc.cluster.local';
const ADDED_A = `${ADDED}. 5 IN A 10.96.0.99`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const httpAddress = (cli: RunningCli, endpoint: string) => {
  const entry = cli.logs.find((line) => line.msg === 'http listening' && line.endpoint === endpoint);
  return `http://${String(entry?.address)}${endpoint}`;
};

describe('clusterdns serve --workers 2', () => {
  let cli: RunningCli;
  /** The primary's stderr, shown when it exits early. */
  let stderr = '';
  let manifest: string;
  let readyUrl: string;
  let metricsUrl: string;
  const { metrics, perWorker, queryEveryWorker } = workersOf(
    () => cli,
    () => metricsUrl,
  );

  beforeAll(async () => {
    manifest = join(mkdtempSync(join(tmpdir(), 'clusterdns-e2e-workers-')), 'cluster.yaml');
    copyFileSync(example, manifest);
    cli = await startCli(['--manifest', manifest, '--workers', '2', '--ready', '127.0.0.1:0', '--metrics', '127.0.0.1:0'], 20_000);
    cli.process.stderr!.on('data', (chunk) => (stderr += chunk));
    readyUrl = httpAddress(cli, '/ready');
    metricsUrl = httpAddress(cli, '/metrics');
  });
  afterAll(async () => {
    expect(cli.process.exitCode, `the primary exited early: ${stderr}`).toBeNull();
    const pids = [...(await perWorker()).values()].map((worker) => worker.pid);
    expect(await cli.stop()).toBe(0);
    // The primary stops its workers before it exits.
    expect(pids.filter(isAlive)).toEqual([]);
  });

  it('logs the bound address once per transport, and one start per worker', () => {
    const listening = cli.logs.filter((entry) => entry.msg === 'listening');
    expect(listening.map((entry) => entry.transport)).toEqual(['udp', 'tcp']);
    for (const entry of listening) expect(entry.address).toBe(`127.0.0.1:${cli.port}`);
    const started = cli.logs.filter((entry) => entry.msg === 'worker started');
    expect(started.map((entry) => entry.worker)).toEqual([0, 1]);
    expect(new Set(started.map((entry) => entry.workerPid)).size).toBe(2);
    expect(cli.logs.filter((entry) => entry.msg === 'serving')).toHaveLength(1);
  });

  it('is ready once every worker has the data, and says so in /metrics', async () => {
    const response = await fetch(readyUrl);
    expect(response.status).toBe(200);
    const text = await metrics();
    expect(text).toMatch(/^clusterdns_workers\{state="synced"\} 2$/m);
    expect(text).toMatch(/^clusterdns_synced 1$/m);
  });

  it('answers right from every worker over UDP and TCP, and /metrics sums them', async () => {
    const answers = await queryEveryWorker(HELLO, new Map());
    expect(answers.length).toBeGreaterThanOrEqual(20);
    for (const answer of answers) expect(answer).toEqual([HELLO_A]);
    const workers = [...(await perWorker()).values()];
    const udp = Number(/^coredns_dns_requests_total\{[^}]*proto="udp"[^}]*\} (\d+)$/m.exec(await metrics())?.[1]);
    expect(udp).toBeGreaterThanOrEqual(workers.reduce((sum, worker) => sum + worker.udp, 0));
    expect(udp).toBeGreaterThan(0);
  });

  it('shows a manifest edit in the answers of every worker', async () => {
    expect((await dig(cli.port, ADDED)).status).toBe('NXDOMAIN');
    addServiceToManifest(manifest);
    // Wait until both workers have it: ten answers in a row (over both transports) with the new record.
    let streak = 0;
    for (let attempt = 0; attempt < 100 && streak < 10; attempt++) {
      const answer = (await dig(cli.port, attempt % 2 === 0 ? '+notcp' : '+tcp', ADDED)).answer;
      streak = answer.length > 0 ? streak + 1 : 0;
      if (streak === 0) await sleep(100);
    }
    expect(streak).toBe(10);
    const answers = await queryEveryWorker(ADDED, await perWorker());
    for (const answer of answers) expect(answer).toEqual([ADDED_A]);
  });

  it('restarts a killed worker, which gets the current state and answers', async () => {
    const udpTotal = async () => Number(/^coredns_dns_requests_total\{[^}]*proto="udp"[^}]*\} (\d+)$/m.exec(await metrics())?.[1]);
    const totalBefore = await udpTotal();
    const before = await perWorker();
    const victim = before.get('0')!.pid;
    const survivor = before.get('1')!.pid;
    process.kill(victim, 'SIGKILL');
    let after = before;
    for (let attempt = 0; attempt < 100 && cli.process.exitCode === null; attempt++) {
      after = await perWorker().catch(() => after); // a refused scrape shows up as the exit check below
      const text = await metrics().catch(() => '');
      const back = /^clusterdns_workers\{state="running"\} 2$/m.test(text) && /^clusterdns_workers\{state="synced"\} 2$/m.test(text);
      if (after.get('0') && after.get('0')!.pid !== victim && back) break;
      await sleep(100);
    }
    expect(cli.process.exitCode, `the primary exited: ${stderr}`).toBeNull();
    const replacement = after.get('0')?.pid;
    expect(replacement).toBeDefined();
    expect(replacement).not.toBe(victim);
    expect(after.get('1')?.pid).toBe(survivor);
    expect(isAlive(victim)).toBe(false);
    expect(cli.logs.some((entry) => entry.msg === 'worker exited; starting another' && entry.workerPid === victim && entry.signal === 'SIGKILL')).toBe(true);
    expect(cli.logs.some((entry) => entry.msg === 'worker started' && entry.workerPid === replacement)).toBe(true);
    expect((await fetch(readyUrl)).status).toBe(200);
    // The replacement was sent the whole state, the edit included: both workers answer it.
    const answers = await queryEveryWorker(ADDED, after);
    for (const answer of answers) expect(answer).toEqual([ADDED_A]);
    expect((await dig(cli.port, '+tcp', HELLO)).answer).toEqual([HELLO_A]);
    // The dead worker's counts stay in the sums (a Prometheus counter never goes down), and every UDP query
    // since (half of those queryEveryWorker sent; dig +tries=1 sends one each) adds to them.
    expect(totalBefore).toBeGreaterThan(0);
    expect(await udpTotal()).toBeGreaterThanOrEqual(totalBefore + answers.length / 2);
  });
});

describe('clusterdns serve --workers 2 on a given port', () => {
  it('starts every worker at once on that port, and each answers', async () => {
    // A port free on UDP and TCP now (the CLI binds it again a moment later; a clash would fail loudly).
    const probe = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => probe.bind(0, '127.0.0.1', resolve));
    const port = probe.address().port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const cli = await startCli(['--manifest', example, '--workers', '2', '--listen', `127.0.0.1:${port}`, '--metrics', '127.0.0.1:0'], 20_000);
    try {
      expect(cli.port).toBe(port);
      const { queryEveryWorker } = workersOf(
        () => cli,
        () => httpAddress(cli, '/metrics'),
      );
      for (const answer of await queryEveryWorker(HELLO, new Map())) expect(answer).toEqual([HELLO_A]);
    } finally {
      expect(await cli.stop()).toBe(0);
    }
  });
});

describe('clusterdns serve --workers 2 on an address in use', () => {
  it('exits 1 with the listen error', async () => {
    const busy = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => busy.bind(0, '127.0.0.1', resolve));
    try {
      const { code, stderr } = await runCli(['serve', '--manifest', example, '--workers', '2', '--listen', `127.0.0.1:${busy.address().port}`], 20_000);
      expect(code).toBe(1);
      expect(stderr).toContain('CLUSTERDNS_ERR_SERVER_LISTEN');
      expect(stderr).toContain('is in use');
    } finally {
      busy.close();
    }
  });
});

describe('clusterdns serve --workers 2 --kubeconfig', () => {
  const TOKEN = 'e2e-workers-token';
  let emu: ApiEmulator;
  let cli: RunningCli;
  let metricsUrl: string;
  let cleanupDir: () => Promise<void>;
  const { queryEveryWorker, perWorker } = workersOf(
    () => cli,
    () => metricsUrl,
  );

  beforeAll(async () => {
    emu = await new ApiEmulator({ token: TOKEN }).start();
    emu.applyAll([service('default', 'hello', { clusterIP: '10.96.0.20', ports: [{ name: 'http', port: 80 }] })]);
    const dir = await tempDir();
    cleanupDir = dir.remove;
    const kubeconfig = await writeKubeconfig(dir.dir, { contexts: [{ name: 'emulator', server: emu.url, token: TOKEN }] });
    cli = await startCli(['--kubeconfig', kubeconfig, '--workers', '2', '--metrics', '127.0.0.1:0'], 20_000);
    metricsUrl = httpAddress(cli, '/metrics');
  });
  afterAll(async () => {
    expect(await cli.stop()).toBe(0);
    await emu.close();
    await cleanupDir();
  });

  it('lists and watches the API once for the whole process tree, and every worker follows the changes', async () => {
    let answer: string[] = [];
    for (let attempt = 0; attempt < 100 && answer.length === 0; attempt++) {
      answer = (await dig(cli.port, HELLO)).answer;
      if (answer.length === 0) await sleep(50);
    }
    for (const seen of await queryEveryWorker(HELLO, new Map())) expect(seen).toEqual([HELLO_A]);

    emu.apply(service('default', 'late', { clusterIP: '10.96.0.77', ports: [{ name: 'http', port: 80 }] }));
    const LATE = 'late.default.svc.cluster.local';
    let streak = 0;
    for (let attempt = 0; attempt < 100 && streak < 10; attempt++) {
      streak = (await dig(cli.port, attempt % 2 === 0 ? '+notcp' : '+tcp', LATE)).answer.length > 0 ? streak + 1 : 0;
      if (streak === 0) await sleep(50);
    }
    expect(streak).toBe(10);
    for (const seen of await queryEveryWorker(LATE, await perWorker())) expect(seen).toEqual([`${LATE}. 5 IN A 10.96.0.77`]);

    // One list and one watch per resource, not one per worker.
    const byResource = (watch: boolean) => {
      const counts: Record<string, number> = {};
      for (const request of emu.requests) if (request.resource && request.watch === watch) counts[request.resource] = (counts[request.resource] ?? 0) + 1;
      return counts;
    };
    expect(byResource(false)).toEqual({ services: 1, endpointslices: 1, pods: 1, namespaces: 1 });
    expect(byResource(true)).toEqual({ services: 1, endpointslices: 1, pods: 1, namespaces: 1 });
  });
});
