// `clusterdns serve --conf Corefile` as a kubeadm cluster runs CoreDNS: kubeadm's default Corefile with only its
// ports and forward target changed, the API server emulator for the cluster and a test upstream for the rest,
// asked with real dig; reloads on SIGHUP and by polling, and broken Corefiles at start and on reload.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiEmulator, endpointSlice, namespace, service, tempDir, writeKubeconfig } from '../helpers/api-emulator/index.js';
import { dig } from '../helpers/dig.js';
import { udpQuery } from '../helpers/raw-query.js';
import { CLI, noHostForwarding, runCli, startCli, type RunningCli } from '../helpers/spawn-cli.js';
import { TestUpstream, a } from '../helpers/upstream/test-upstream.js';
import { writeCluster } from '../../bench/generate-cluster.mjs';
import { RCode, RRType } from '../../src/wire/types.js';

const TOKEN = 'corefile-token';
const KUBEADM = readFileSync(new URL('../fixtures/corefile/kubeadm.Corefile', import.meta.url), 'utf8');
const EXAMPLE = new URL('../../examples/cluster.yaml', import.meta.url).pathname;

/** kubeadm's Corefile with the ports a test can bind and the forward target of a test upstream. */
function kubeadmForTest(upstreamPort: number, ttl = 30): string {
  const text = KUBEADM.replace('.:53 {', '.:0 {')
    .replace('health {', 'health 127.0.0.1:0 {')
    .replace('    ready\n', '    ready 127.0.0.1:0\n')
    .replace('prometheus :9153', 'prometheus 127.0.0.1:0')
    .replace('forward . /etc/resolv.conf', `forward . 127.0.0.1:${upstreamPort}`)
    .replace('ttl 30', `ttl ${ttl}`);
  expect(text.split('\n').length).toBe(KUBEADM.split('\n').length); // line numbers stay kubeadm's
  return text;
}

async function digUntil(port: number, name: string, accept: (answer: string[]) => boolean): Promise<string[]> {
  const deadline = Date.now() + 5000;
  let answer: string[] = [];
  while (Date.now() < deadline) {
    answer = (await dig(port, name)).answer;
    if (accept(answer)) return answer;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return answer;
}

/** The address of an HTTP endpoint the latest configuration bound (each reload binds its own, port 0 here). */
function httpAddress(cli: RunningCli, endpoint: string): string {
  const entries = cli.logs.filter((entry) => entry.msg === 'http listening' && entry.endpoint === endpoint);
  return String(entries[entries.length - 1].address);
}

async function reloadFailures(cli: RunningCli): Promise<number> {
  const body = await (await fetch(`http://${httpAddress(cli, '/metrics')}/metrics`)).text();
  const match = /^coredns_reload_failed_total (\d+)$/m.exec(body);
  if (!match) throw new Error(`no coredns_reload_failed_total in:\n${body}`);
  return Number(match[1]);
}

describe('clusterdns serve --conf with kubeadm’s Corefile', () => {
  const upstream = new TestUpstream();
  let emu: ApiEmulator;
  let cli: RunningCli;
  let dir: { dir: string; remove: () => Promise<void> };
  let corefile: string;

  beforeAll(async () => {
    upstream.answer('www.example.com', a('www.example.com', '192.0.2.100', 600));
    await upstream.start();
    emu = await new ApiEmulator({ token: TOKEN }).start();
    emu.applyAll([
      namespace('default'),
      service('default', 'hello', { clusterIP: '10.96.0.20', ports: [{ name: 'http', port: 80 }] }),
      service('default', 'db', { clusterIP: 'None', ports: [{ name: 'pg', port: 5432 }] }),
      endpointSlice('default', 'db-1', 'db', { endpoints: [{ addresses: ['10.244.0.5'], hostname: 'db-0' }], ports: [{ name: 'pg', port: 5432 }] }),
    ]);
    dir = await tempDir();
    const kubeconfig = await writeKubeconfig(dir.dir, { contexts: [{ name: 'emulator', server: emu.url, token: TOKEN }] });
    corefile = join(dir.dir, 'Corefile');
    writeFileSync(corefile, kubeadmForTest(upstream.port));
    // CoreDNS's own spelling of the flag; the credentials come from the flag, as outside a pod.
    cli = await startCli(['-conf', corefile, '--kubeconfig', kubeconfig]);
  });
  afterAll(async () => {
    expect(await cli?.stop()).toBe(0);
    await emu?.close();
    await upstream.close();
    await dir?.remove();
  });

  it('answers cluster names with the Corefile’s ttl 30 and pods insecure, and outside names through forward', async () => {
    expect(await digUntil(cli.port, 'hello.default.svc.cluster.local', (answer) => answer.length > 0)).toEqual(['hello.default.svc.cluster.local. 30 IN A 10.96.0.20']);
    expect((await dig(cli.port, 'db-0.db.default.svc.cluster.local')).answer).toEqual(['db-0.db.default.svc.cluster.local. 30 IN A 10.244.0.5']);
    // pods insecure: any address in an existing namespace, no pod needed.
    expect((await dig(cli.port, '10-1-2-3.default.pod.cluster.local')).answer).toEqual(['10-1-2-3.default.pod.cluster.local. 30 IN A 10.1.2.3']);
    const outside = await dig(cli.port, 'www.example.com');
    expect(outside.answer).toEqual(['www.example.com. 600 IN A 192.0.2.100']);
    // cache 30: the second answer comes from the cache, its TTL capped at 30.
    expect((await dig(cli.port, 'www.example.com')).answer[0]).toMatch(/^www\.example\.com\. (30|29) IN A 192\.0\.2\.100$/);
    expect(upstream.count('www.example.com')).toBe(1);
    expect((await fetch(`http://${httpAddress(cli, '/ready')}/ready`)).status).toBe(200);
    expect((await fetch(`http://${httpAddress(cli, '/health')}/health`)).status).toBe(200);
    expect(await reloadFailures(cli)).toBe(0);
  });

  it('fallthrough in-addr.arpa: a PTR the cluster does not know goes to forward; a cluster address is answered', async () => {
    upstream.answer('99.2.0.192.in-addr.arpa', { kind: 'records', answer: [{ name: '99.2.0.192.in-addr.arpa', type: RRType.PTR, class: 1, ttl: 300, data: 'host.example.com' }] });
    const outside = await dig(cli.port, '-x', '192.0.2.99');
    expect(outside.answer).toEqual(['99.2.0.192.in-addr.arpa. 300 IN PTR host.example.com.']);
    expect(upstream.count('99.2.0.192.in-addr.arpa')).toBe(1);
    expect((await dig(cli.port, '-x', '10.96.0.20')).answer).toEqual(['20.0.96.10.in-addr.arpa. 30 IN PTR hello.default.svc.cluster.local.']);
    // Cluster zones do not fall through: a missing Service is NXDOMAIN from the cluster.
    expect((await dig(cli.port, 'nope.default.svc.cluster.local')).status).toBe('NXDOMAIN');
    expect(upstream.count('nope.default.svc.cluster.local')).toBe(0);
  });

  it('implements every directive of kubeadm’s Corefile: none is logged as accepted, not implemented', () => {
    expect(cli.logs.length).toBeGreaterThan(0);
    const accepted = cli.logs.filter((entry) => String(entry.msg).includes('accepted, not implemented')).map((entry) => `${entry.line} ${entry.directive}`);
    expect(accepted).toEqual([]);
  });

  it('SIGHUP applies an edited Corefile on the same port without dropping a query', async () => {
    writeFileSync(corefile, kubeadmForTest(upstream.port, 7));
    let reloaded = false;
    const applied = cli.waitForLog((entry) => entry.msg === 'Corefile reloaded', 15_000).then(() => (reloaded = true));
    cli.process.kill('SIGHUP');
    // Queries all through the reload, each must be answered (bounded in count; udpQuery waits 1 s at most).
    let answered = 0;
    let afterReload = 0;
    for (let i = 0; i < 5000 && afterReload < 20; i++) {
      const reply = await udpQuery(cli.port, 'hello.default.svc.cluster.local', RRType.A);
      expect(reply.rcode).toBe(RCode.NOERROR);
      expect(reply.answers).toHaveLength(1);
      answered++;
      if (reloaded) afterReload++;
    }
    await applied;
    expect(answered).toBeGreaterThan(20);
    expect(afterReload).toBe(20);
    expect((await dig(cli.port, 'hello.default.svc.cluster.local')).answer).toEqual(['hello.default.svc.cluster.local. 7 IN A 10.96.0.20']);
  });

  it('a broken Corefile on SIGHUP is logged with file:line, the running configuration keeps serving, and it is counted', async () => {
    const lines = kubeadmForTest(upstream.port, 9).split('\n');
    lines.splice(17, 0, '    rewrite name foo bar'); // line 18, before loop
    writeFileSync(corefile, lines.join('\n'));
    cli.process.kill('SIGHUP');
    const logged = await cli.waitForLog((entry) => String(entry.msg).startsWith('Corefile not reloaded'), 10_000);
    expect(logged).toMatchObject({ code: 'CLUSTERDNS_ERR_COREFILE_DIRECTIVE' });
    expect(String(logged.msg)).toContain(`${corefile}:18: directive rewrite: unknown directive`);
    expect((await dig(cli.port, 'hello.default.svc.cluster.local')).answer).toEqual(['hello.default.svc.cluster.local. 7 IN A 10.96.0.20']);
    expect((await dig(cli.port, 'www.example.com')).answer).toHaveLength(1);
    expect(await reloadFailures(cli)).toBe(1);
  });
});

describe('clusterdns serve --conf: reload polling and errors at start', () => {
  it('polls the Corefile at the reload interval and applies a change', async () => {
    const dir = await tempDir();
    const corefile = join(dir.dir, 'Corefile');
    writeFileSync(corefile, '.:0 {\n  kubernetes cluster.local {\n    pods verified\n    ttl 11\n  }\n  reload 2s 1s\n}\n');
    const cli = await startCli(['--conf', corefile, '--manifest', EXAMPLE]);
    try {
      expect((await dig(cli.port, 'hello.default.svc.cluster.local')).answer).toEqual(['hello.default.svc.cluster.local. 11 IN A 10.96.0.20']);
      writeFileSync(corefile, '.:0 {\n  kubernetes cluster.local {\n    pods verified\n    ttl 12\n  }\n  reload 2s 1s\n}\n');
      await cli.waitForLog((entry) => entry.msg === 'Corefile reloaded', 8000);
      expect((await dig(cli.port, 'hello.default.svc.cluster.local')).answer).toEqual(['hello.default.svc.cluster.local. 12 IN A 10.96.0.20']);
    } finally {
      expect(await cli.stop()).toBe(0);
      await dir.remove();
    }
  });

  it('compacts the heap once after the first load, before the store reports synced (logged before "manifest loaded"), and not again on a reload', async () => {
    const dir = await tempDir();
    const corefile = join(dir.dir, 'Corefile');
    writeFileSync(corefile, '.:0 {\n  kubernetes cluster.local\n}\n');
    const cli = await startCli(['--conf', corefile, '--manifest', EXAMPLE, '--log-level', 'debug']);
    try {
      await cli.waitForLog((entry) => entry.msg === 'manifest loaded');
      const order = cli.logs.map((entry) => entry.msg);
      expect(order.filter((msg) => msg === 'heap compacted after the initial load')).toHaveLength(1);
      expect(order.indexOf('heap compacted after the initial load')).toBeLessThan(order.indexOf('manifest loaded'));
      writeFileSync(corefile, '.:0 {\n  kubernetes cluster.local {\n    ttl 12\n  }\n}\n');
      cli.process.kill('SIGHUP');
      await cli.waitForLog((entry) => entry.msg === 'Corefile reloaded', 8000);
      expect((await dig(cli.port, 'hello.default.svc.cluster.local')).answer).toEqual(['hello.default.svc.cluster.local. 12 IN A 10.96.0.20']);
      expect(cli.logs.filter((entry) => entry.msg === 'heap compacted after the initial load')).toHaveLength(1);
    } finally {
      expect(await cli.stop()).toBe(0);
      await dir.remove();
    }
  });

  it('SIGHUP while a 5,000-Service snapshot loads (listening, not yet serving) is held, not fatal: applied as a reload once serving', async () => {
    const dir = await tempDir();
    writeCluster({ services: 5000, out: dir.dir, format: 'yaml' });
    const corefile = join(dir.dir, 'Corefile');
    writeFileSync(corefile, '.:0 {\n  kubernetes cluster.local\n}\n');
    const child = spawn(process.execPath, [CLI, ...noHostForwarding(['serve', '--conf', corefile, '--manifest', join(dir.dir, 'cluster.yaml'), '--listen', '127.0.0.1:0', '--lameduck', '0'])], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const order: string[] = [];
    let port = 0;
    let stdout = '';
    const reloaded = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no 'Corefile reloaded' in 30 s: ${order.join(', ')}`)), 30_000);
      child.stdout.on('data', (chunk: Buffer) => {
        const lines = (stdout + chunk.toString()).split('\n');
        stdout = lines.pop() ?? '';
        for (const line of lines) {
          const entry = JSON.parse(line) as { msg: string; address?: string; transport?: string };
          order.push(entry.msg);
          // The first 'listening' comes before the snapshot is loaded and before any reload handler exists.
          if (entry.msg === 'listening' && order.filter((msg) => msg === 'listening').length === 1) child.kill('SIGHUP');
          if (entry.msg === 'serving') port = Number(String(entry.address).split(':').pop());
          if (entry.msg === 'Corefile reloaded') {
            clearTimeout(timer);
            resolve();
          }
        }
      });
      void exited.then((code) => reject(new Error(`exited with ${code} before reloading: ${order.join(', ')}`)));
    });
    try {
      await reloaded;
      expect(order.indexOf('serving')).toBeGreaterThan(order.indexOf('listening'));
      expect(order.indexOf('reloading the Corefile')).toBeGreaterThan(order.indexOf('serving'));
      expect((await dig(port, 'kube-dns.kube-system.svc.cluster.local')).answer).toEqual(['kube-dns.kube-system.svc.cluster.local. 5 IN A 10.96.0.10']);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await dir.remove();
    }
  });

  it('flags given with --conf override the file; --kube-dns-config adds stub domains and replaces the upstreams', async () => {
    const dir = await tempDir();
    const upstream = new TestUpstream().answer('www.example.com', a('www.example.com', '192.0.2.100', 600));
    const corp = new TestUpstream().answer('git.corp.test', a('git.corp.test', '10.1.0.7', 60));
    await Promise.all([upstream.start(), corp.start()]);
    const corefile = join(dir.dir, 'Corefile');
    // The file's forward target answers nothing: only the kube-dns ConfigMap's upstream can answer.
    writeFileSync(corefile, '.:0 {\n  kubernetes cluster.local {\n    ttl 30\n  }\n  forward . 127.0.0.1:1\n}\n');
    const kubeDns = join(dir.dir, 'kube-dns');
    mkdirSync(kubeDns);
    writeFileSync(join(kubeDns, 'stubDomains'), JSON.stringify({ 'corp.test': [`127.0.0.1:${corp.port}`] }));
    writeFileSync(join(kubeDns, 'upstreamNameservers'), JSON.stringify([`127.0.0.1:${upstream.port}`]));
    const cli = await startCli(['--conf', corefile, '--manifest', EXAMPLE, '--ttl', '3', '--kube-dns-config', kubeDns]);
    try {
      expect((await dig(cli.port, 'hello.default.svc.cluster.local')).answer).toEqual(['hello.default.svc.cluster.local. 3 IN A 10.96.0.20']);
      expect((await dig(cli.port, 'www.example.com')).answer).toEqual(['www.example.com. 600 IN A 192.0.2.100']);
      expect((await dig(cli.port, 'git.corp.test')).answer).toEqual(['git.corp.test. 60 IN A 10.1.0.7']);
      expect(upstream.count('git.corp.test')).toBe(0);
    } finally {
      expect(await cli.stop()).toBe(0);
      await Promise.all([upstream.close(), corp.close()]);
      await dir.remove();
    }
  });

  it('forward { force_tcp } asks the upstream over TCP only, and { except } names are REFUSED, never forwarded', async () => {
    const dir = await tempDir();
    const upstream = new TestUpstream().answer('www.example.com', a('www.example.com', '192.0.2.100', 600)).answer('db.internal.test', a('db.internal.test', '10.9.0.1'));
    await upstream.start();
    const corefile = join(dir.dir, 'Corefile');
    writeFileSync(corefile, `.:0 {\n  forward . 127.0.0.1:${upstream.port} {\n    force_tcp\n    except internal.test\n  }\n}\n`);
    const cli = await startCli(['--conf', corefile]);
    try {
      expect((await dig(cli.port, 'www.example.com')).answer).toEqual(['www.example.com. 600 IN A 192.0.2.100']);
      expect([upstream.count('www.example.com', 'tcp'), upstream.count('www.example.com', 'udp')]).toEqual([1, 0]);
      expect((await dig(cli.port, 'db.internal.test')).status).toBe('REFUSED');
      expect(upstream.count('db.internal.test')).toBe(0);
    } finally {
      expect(await cli.stop()).toBe(0);
      await upstream.close();
      await dir.remove();
    }
  });

  it('kubernetes { endpoint URL } watches that API server without credentials', async () => {
    const dir = await tempDir();
    const emu = await new ApiEmulator().start();
    emu.applyAll([namespace('default'), service('default', 'hello', { clusterIP: '10.96.0.21', ports: [{ name: 'http', port: 80 }] })]);
    const corefile = join(dir.dir, 'Corefile');
    writeFileSync(corefile, `.:0 {\n  kubernetes cluster.local {\n    endpoint ${emu.url}\n  }\n}\n`);
    const cli = await startCli(['--conf', corefile]);
    try {
      expect(await digUntil(cli.port, 'hello.default.svc.cluster.local', (answer) => answer.length > 0)).toEqual(['hello.default.svc.cluster.local. 5 IN A 10.96.0.21']);
      expect(cli.logs.find((entry) => entry.msg === 'using Kubernetes credentials')).toMatchObject({ source: 'endpoint', server: emu.url });
    } finally {
      expect(await cli.stop()).toBe(0);
      await emu.close();
      await dir.remove();
    }
  });

  it('--workers 2 serves the Corefile from two workers (its reloads: cli-workers-corefile.test.ts)', async () => {
    const dir = await tempDir();
    const corefile = join(dir.dir, 'Corefile');
    writeFileSync(corefile, '.:0 {\n  kubernetes cluster.local {\n    pods verified\n    ttl 13\n  }\n  reload\n}\n');
    const cli = await startCli(['--conf', corefile, '--manifest', EXAMPLE, '--workers', '2'], 20_000);
    try {
      expect(await digUntil(cli.port, 'hello.default.svc.cluster.local', (answer) => answer.length > 0)).toEqual(['hello.default.svc.cluster.local. 13 IN A 10.96.0.20']);
    } finally {
      expect(await cli.stop()).toBe(0);
      await dir.remove();
    }
  });

  it('hosts { reload } re-reads the changed file and keeps the last entries when it cannot be read', async () => {
    const dir = await tempDir();
    const hostsFile = join(dir.dir, 'hosts');
    writeFileSync(hostsFile, '192.0.2.9 moving.example.test\n');
    const corefile = join(dir.dir, 'Corefile');
    writeFileSync(corefile, '.:0 {\n  hosts hosts example.test {\n    reload 100ms\n  }\n}\n');
    const cli = await startCli(['--conf', corefile]);
    try {
      expect((await dig(cli.port, 'moving.example.test')).answer).toEqual(['moving.example.test. 3600 IN A 192.0.2.9']);
      // A different size too, so the change is seen even within one mtime tick.
      writeFileSync(hostsFile, '192.0.2.10 moving.example.test\n192.0.2.11 new.example.test\n');
      await cli.waitForLog((entry) => entry.msg === 'hosts file reloaded', 5000);
      expect((await dig(cli.port, 'moving.example.test')).answer).toEqual(['moving.example.test. 3600 IN A 192.0.2.10']);
      expect((await dig(cli.port, 'new.example.test')).answer).toEqual(['new.example.test. 3600 IN A 192.0.2.11']);
      rmSync(hostsFile);
      await cli.waitForLog((entry) => String(entry.msg).startsWith('hosts file cannot be read'), 5000);
      expect((await dig(cli.port, 'new.example.test')).answer).toEqual(['new.example.test. 3600 IN A 192.0.2.11']);
    } finally {
      expect(await cli.stop()).toBe(0);
      await dir.remove();
    }
  });

  it('loadbalance rotates the A records of successive replies; without it every reply keeps one order', async () => {
    const dir = await tempDir();
    const block = (extra: string) => `.:0 {\n  hosts example.test {\n    192.0.2.1 lb.example.test\n    192.0.2.2 lb.example.test\n    192.0.2.3 lb.example.test\n  }\n${extra}}\n`;
    const orders = async (corefile: string, args: string[] = []) => {
      writeFileSync(join(dir.dir, 'Corefile'), corefile);
      const cli = await startCli(['--conf', join(dir.dir, 'Corefile'), ...args]);
      try {
        const seen: string[] = [];
        for (let i = 0; i < 3; i++) seen.push((await dig(cli.port, 'lb.example.test')).answer.map((line) => line.split(' ').pop()).join(','));
        return seen;
      } finally {
        expect(await cli.stop()).toBe(0);
      }
    };
    try {
      const rotated = await orders(block('  loadbalance\n'));
      expect(new Set(rotated).size).toBe(3);
      for (const order of rotated) expect(order.split(',').sort()).toEqual(['192.0.2.1', '192.0.2.2', '192.0.2.3']);
      expect(new Set(await orders(block(''))).size).toBe(1);
      expect(new Set(await orders(block(''), ['--loadbalance'])).size).toBe(3);
    } finally {
      await dir.remove();
    }
  });

  it('kubernetes { ignore empty_service } answers NXDOMAIN for a Service without ready endpoints and the cluster IP for one with them', async () => {
    const dir = await tempDir();
    const manifest = join(dir.dir, 'cluster.yaml');
    writeFileSync(
      manifest,
      [
        'apiVersion: v1',
        'kind: List',
        'items:',
        '- {apiVersion: v1, kind: Namespace, metadata: {name: default}}',
        '- {apiVersion: v1, kind: Service, metadata: {name: lonely, namespace: default}, spec: {clusterIP: 10.96.0.77, clusterIPs: [10.96.0.77], ports: [{name: http, port: 80, protocol: TCP}]}}',
        '- {apiVersion: v1, kind: Service, metadata: {name: busy, namespace: default}, spec: {clusterIP: 10.96.0.78, clusterIPs: [10.96.0.78], ports: [{name: http, port: 80, protocol: TCP}]}}',
        '- apiVersion: discovery.k8s.io/v1',
        '  kind: EndpointSlice',
        '  metadata: {name: busy-a, namespace: default, labels: {kubernetes.io/service-name: busy}}',
        '  addressType: IPv4',
        '  endpoints: [{addresses: [10.244.0.9], conditions: {ready: true}}]',
        '  ports: [{name: http, port: 8080, protocol: TCP}]',
        '',
      ].join('\n'),
    );
    const corefile = join(dir.dir, 'Corefile');
    writeFileSync(corefile, '.:0 {\n  kubernetes cluster.local {\n    ignore empty_service\n  }\n}\n');
    const cli = await startCli(['--conf', corefile, '--manifest', manifest]);
    try {
      expect((await dig(cli.port, 'busy.default.svc.cluster.local')).answer).toEqual(['busy.default.svc.cluster.local. 5 IN A 10.96.0.78']);
      expect((await dig(cli.port, 'lonely.default.svc.cluster.local')).status).toBe('NXDOMAIN');
    } finally {
      expect(await cli.stop()).toBe(0);
      await dir.remove();
    }
  });

  it('hosts answers its names and their PTR before the cluster; fallthrough passes other names on; without it they are NXDOMAIN', async () => {
    const dir = await tempDir();
    const upstream = new TestUpstream().answer('www.example.com', a('www.example.com', '192.0.2.100', 600));
    await upstream.start();
    writeFileSync(join(dir.dir, 'hosts'), '192.0.2.9 extra.example.test\n');
    const corefile = join(dir.dir, 'Corefile');
    writeFileSync(corefile, `.:0 {\n  hosts hosts {\n    10.96.0.99 hello.default.svc.cluster.local\n    fallthrough\n  }\n  kubernetes cluster.local\n  forward . 127.0.0.1:${upstream.port}\n}\n`);
    const cli = await startCli(['--conf', corefile, '--manifest', EXAMPLE]);
    try {
      const extra = await dig(cli.port, 'extra.example.test');
      expect(extra.answer).toEqual(['extra.example.test. 3600 IN A 192.0.2.9']);
      expect(extra.flags).toContain('aa');
      expect((await dig(cli.port, '-x', '192.0.2.9')).answer).toEqual(['9.2.0.192.in-addr.arpa. 3600 IN PTR extra.example.test.']);
      // hosts comes before kubernetes, as in CoreDNS's plugin order.
      expect((await dig(cli.port, 'hello.default.svc.cluster.local')).answer).toEqual(['hello.default.svc.cluster.local. 3600 IN A 10.96.0.99']);
      expect((await dig(cli.port, 'cart.shop.svc.cluster.local')).answer).toEqual(['cart.shop.svc.cluster.local. 5 IN A 10.96.0.50']);
      expect((await dig(cli.port, 'www.example.com')).answer).toEqual(['www.example.com. 600 IN A 192.0.2.100']);
      // Without fallthrough, the names of its zones that it does not list are NXDOMAIN.
      writeFileSync(corefile, `.:0 {\n  hosts hosts example.test\n  kubernetes cluster.local\n  forward . 127.0.0.1:${upstream.port}\n}\n`);
      cli.process.kill('SIGHUP');
      await cli.waitForLog((entry) => entry.msg === 'Corefile reloaded');
      expect((await dig(cli.port, 'other.example.test')).status).toBe('NXDOMAIN');
      expect(upstream.count('other.example.test')).toBe(0);
      expect((await dig(cli.port, 'www.example.com')).answer).toEqual(['www.example.com. 600 IN A 192.0.2.100']);
    } finally {
      expect(await cli.stop()).toBe(0);
      await upstream.close();
      await dir.remove();
    }
  });

  it('a Corefile without kubernetes forwards every name, cluster.local and reverse names included', async () => {
    const dir = await tempDir();
    const upstream = new TestUpstream().answer('hello.default.svc.cluster.local', a('hello.default.svc.cluster.local', '192.0.2.20', 60));
    await upstream.start();
    const corefile = join(dir.dir, 'Corefile');
    writeFileSync(corefile, `.:0 {\n  forward . 127.0.0.1:${upstream.port}\n}\n`);
    const cli = await startCli(['--conf', corefile]);
    try {
      expect((await dig(cli.port, 'hello.default.svc.cluster.local')).answer).toEqual(['hello.default.svc.cluster.local. 60 IN A 192.0.2.20']);
      await dig(cli.port, '-x', '192.0.2.99');
      expect(upstream.count('99.2.0.192.in-addr.arpa')).toBe(1);
    } finally {
      expect(await cli.stop()).toBe(0);
      await upstream.close();
      await dir.remove();
    }
  });

  it('--kube-dns-config without --conf: the ConfigMap’s upstreams and stub domains', async () => {
    const dir = await tempDir();
    const upstream = new TestUpstream().answer('www.example.com', a('www.example.com', '192.0.2.100', 600));
    const corp = new TestUpstream().answer('git.corp.test', a('git.corp.test', '10.1.0.7', 60));
    await Promise.all([upstream.start(), corp.start()]);
    writeFileSync(join(dir.dir, 'stubDomains'), JSON.stringify({ 'corp.test': [`127.0.0.1:${corp.port}`] }));
    writeFileSync(join(dir.dir, 'upstreamNameservers'), JSON.stringify([`127.0.0.1:${upstream.port}`]));
    const cli = await startCli(['--manifest', EXAMPLE, '--kube-dns-config', dir.dir]);
    try {
      expect((await dig(cli.port, 'www.example.com')).answer).toEqual(['www.example.com. 600 IN A 192.0.2.100']);
      expect((await dig(cli.port, 'git.corp.test')).answer).toEqual(['git.corp.test. 60 IN A 10.1.0.7']);
    } finally {
      expect(await cli.stop()).toBe(0);
      await Promise.all([upstream.close(), corp.close()]);
      await dir.remove();
    }
  });

  it('a broken Corefile at start exits 1 naming file, line and directive', async () => {
    const dir = await tempDir();
    const corefile = join(dir.dir, 'Corefile');
    writeFileSync(corefile, '.:0 {\n  errors\n  forward . 127.0.0.1:1 {\n    max_concurrent lots\n  }\n}\n');
    try {
      const { code, stderr } = await runCli(['serve', '--conf', corefile, '--listen', '127.0.0.1:0']);
      expect(code).toBe(1);
      expect(stderr).toContain(`${corefile}:4: directive forward max_concurrent: expected a whole number 1..1000000, got "lots" [CLUSTERDNS_ERR_COREFILE_DIRECTIVE]`);
    } finally {
      await dir.remove();
    }
  });

  it('an unknown directive at start exits 1 naming it', async () => {
    const dir = await tempDir();
    const corefile = join(dir.dir, 'Corefile');
    writeFileSync(corefile, '.:0 {\n  whoami\n}\n');
    try {
      const { code, stderr } = await runCli(['serve', '--conf', corefile]);
      expect(code).toBe(1);
      expect(stderr).toContain(`${corefile}:2: directive whoami: unknown directive`);
    } finally {
      await dir.remove();
    }
  });
});
