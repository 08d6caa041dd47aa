import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { dig } from '../helpers/dig.js';
import { addServiceToManifest } from '../helpers/manifest-edit.js';
import { CLI, runCli, startCli, type RunningCli } from '../helpers/spawn-cli.js';

const example = new URL('../../examples/cluster.yaml', import.meta.url).pathname;
const SOA = /^cluster\.local\. 5 IN SOA ns\.dns\.cluster\.local\. hostmaster\.cluster\.local\. \d+ 7200 1800 86400 5$/;

describe('clusterdns serve, queried with dig', () => {
  let cli: RunningCli;
  let manifest: string;
  beforeAll(async () => {
    manifest = join(mkdtempSync(join(tmpdir(), 'clusterdns-e2e-')), 'cluster.yaml');
    copyFileSync(example, manifest);
    cli = await startCli(['--manifest', manifest]);
  });
  afterAll(async () => {
    expect(await cli.stop()).toBe(0);
  });

  it('logs the bound address for UDP and TCP', () => {
    const listening = cli.logs.filter((entry) => entry.msg === 'listening');
    expect(listening.map((entry) => entry.transport)).toEqual(['udp', 'tcp']);
    for (const entry of listening) expect(entry.address).toBe(`127.0.0.1:${cli.port}`);
  });

  for (const transport of ['+notcp', '+tcp']) {
    it(`answers a ClusterIP service authoritatively (${transport})`, async () => {
      const result = await dig(cli.port, transport, 'hello.default.svc.cluster.local');
      expect(result.status).toBe('NOERROR');
      expect(result.flags).toContain('aa');
      expect(result.answer).toEqual(['hello.default.svc.cluster.local. 5 IN A 10.96.0.20']);
    });

    it(`answers headless SRV with targets in additional (${transport})`, async () => {
      const result = await dig(cli.port, transport, '_web._tcp.nginx.default.svc.cluster.local', 'SRV');
      expect(result.answer).toEqual([
        '_web._tcp.nginx.default.svc.cluster.local. 5 IN SRV 0 50 80 nginx-0.nginx.default.svc.cluster.local.',
        '_web._tcp.nginx.default.svc.cluster.local. 5 IN SRV 0 50 80 nginx-1.nginx.default.svc.cluster.local.',
      ]);
      expect(result.additional).toEqual([
        'nginx-0.nginx.default.svc.cluster.local. 5 IN A 10.244.1.10',
        'nginx-1.nginx.default.svc.cluster.local. 5 IN A 10.244.1.11',
      ]);
    });
  }

  it('answers SRV of a ClusterIP service with the service as target', async () => {
    const result = await dig(cli.port, '_http._tcp.hello.default.svc.cluster.local', 'SRV');
    expect(result.status).toBe('NOERROR');
    expect(result.flags).toContain('aa');
    expect(result.answer).toEqual(['_http._tcp.hello.default.svc.cluster.local. 5 IN SRV 0 100 80 hello.default.svc.cluster.local.']);
    expect(result.additional).toEqual(['hello.default.svc.cluster.local. 5 IN A 10.96.0.20']);
  });

  it('answers only the ready endpoints of a headless service', async () => {
    const result = await dig(cli.port, 'nginx.default.svc.cluster.local');
    expect(result.answer.sort()).toEqual(['nginx.default.svc.cluster.local. 5 IN A 10.244.1.10', 'nginx.default.svc.cluster.local. 5 IN A 10.244.1.11']);
    expect((await dig(cli.port, 'nginx-0.nginx.default.svc.cluster.local')).answer).toEqual(['nginx-0.nginx.default.svc.cluster.local. 5 IN A 10.244.1.10']);
    expect((await dig(cli.port, 'nginx-2.nginx.default.svc.cluster.local')).status).toBe('NXDOMAIN');
  });

  it('answers an ExternalName with its CNAME', async () => {
    const result = await dig(cli.port, 'database-service.default.svc.cluster.local');
    expect(result.status).toBe('NOERROR');
    expect(result.answer).toEqual(['database-service.default.svc.cluster.local. 5 IN CNAME my.database.example.com.']);
  });

  it('tells NXDOMAIN from NODATA, both with the SOA', async () => {
    const nx = await dig(cli.port, 'nope.default.svc.cluster.local');
    expect(nx.status).toBe('NXDOMAIN');
    expect(nx.authority).toHaveLength(1);
    expect(nx.authority[0]).toMatch(SOA);
    const nodata = await dig(cli.port, 'hello.default.svc.cluster.local', 'AAAA');
    expect(nodata.status).toBe('NOERROR');
    expect(nodata.answer).toEqual([]);
    expect(nodata.authority[0]).toMatch(SOA);
  });

  it('answers PTR for a ClusterIP and refuses other zones', async () => {
    expect((await dig(cli.port, '-x', '10.96.0.20')).answer).toEqual(['20.0.96.10.in-addr.arpa. 5 IN PTR hello.default.svc.cluster.local.']);
    expect((await dig(cli.port, 'example.com')).status).toBe('REFUSED');
  });

  it('picks up a manifest edit without a restart', async () => {
    expect((await dig(cli.port, 'added.default.svc.cluster.local')).status).toBe('NXDOMAIN');
    addServiceToManifest(manifest);
    // The store has the edit once the reload is logged (the log line follows store.apply).
    const reloaded = await cli.waitForLog((entry) => entry.msg === 'manifest reloaded');
    expect(reloaded.changed).toBeGreaterThan(0);
    expect((await dig(cli.port, 'added.default.svc.cluster.local')).answer).toEqual(['added.default.svc.cluster.local. 5 IN A 10.96.0.99']);
  });

  it('an edit that breaks the file logs CLUSTERDNS_ERR_MANIFEST_PARSE at file:line and keeps serving the last good data', async () => {
    writeFileSync(manifest, 'kind: List\nitems: [\n');
    // The reload is done once its warning is logged; the error points at the unclosed list (line 3, column 1).
    const warning = await cli.waitForLog((entry) => entry.msg === 'manifest change not applied; still serving its last good data');
    expect(warning).toMatchObject({ level: 40, file: manifest, code: 'CLUSTERDNS_ERR_MANIFEST_PARSE' });
    expect(String(warning.err)).toMatch(new RegExp(`^${manifest.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:1: invalid YAML/JSON: `));
    expect((await dig(cli.port, 'hello.default.svc.cluster.local')).answer).toEqual(['hello.default.svc.cluster.local. 5 IN A 10.96.0.20']);
    expect((await dig(cli.port, 'added.default.svc.cluster.local')).answer).toEqual(['added.default.svc.cluster.local. 5 IN A 10.96.0.99']);
  });
});

describe('clusterdns serve --log-format pretty', () => {
  it('writes one human line per record, and exits 0 on SIGINT', async () => {
    const child = spawn(process.execPath, [CLI, 'serve', '--listen', '127.0.0.1:0', '--manifest', example, '--log-format', 'pretty'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    onTestFinished(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    const deadline = Date.now() + 10_000;
    while (!/ serving /.test(stdout) && Date.now() < deadline && child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 50));
    const port = /INFO {2}listening transport=udp address=127\.0\.0\.1:(\d+)/.exec(stdout)?.[1];
    expect(port, stdout).toBeDefined();
    expect(stdout).toMatch(new RegExp(`^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO {2}listening transport=tcp address=127\\.0\\.0\\.1:${port}$`, 'm'));
    expect(stdout).not.toContain('{"');
    expect((await dig(Number(port), 'hello.default.svc.cluster.local')).answer).toEqual(['hello.default.svc.cluster.local. 5 IN A 10.96.0.20']);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(stdout).toMatch(/INFO {2}shutting down signal=SIGINT/);
  });
});

describe('clusterdns command line', () => {
  it('serve --help prints the usage too', async () => {
    const { code, stdout } = await runCli(['serve', '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: clusterdns serve');
  });

  it('exits 2 for an unknown flag and for an unknown command', async () => {
    const flag = await runCli(['serve', '--nope']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('--nope');
    const command = await runCli(['sevre']);
    expect(command.code).toBe(2);
    expect(command.stderr).toContain('unknown command "sevre"');
  });

  it('exits 1 naming the address when the port is taken', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const { code, stderr } = await runCli(['serve', '--listen', `127.0.0.1:${port}`, '--manifest', example]);
      expect(code).toBe(1);
      expect(stderr).toContain(`127.0.0.1:${port} is in use`);
      expect(stderr).toContain('CLUSTERDNS_ERR_SERVER_LISTEN');
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('--help lists every flag with its default', async () => {
    const { code, stdout } = await runCli(['--help']);
    expect(code).toBe(0);
    for (const flag of ['--manifest', '--listen', '--zone', '--ttl', '--pods', '--log-format']) expect(stdout).toContain(flag);
    expect(stdout).toContain('127.0.0.1:1053');
  });

  it('--version prints the package version', async () => {
    const { code, stdout } = await runCli(['--version']);
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(pkg.version);
  });

  it('`npx clusterdns` works in a fresh checkout: the built bin runs through its shebang', async () => {
    const { stdout } = await promisify(execFile)(CLI, ['--version'], { timeout: 10_000 });
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(stdout.trim()).toBe(pkg.version);
  });

  it('exits 2 for a bad flag value, naming the flag', async () => {
    const { code, stderr } = await runCli(['serve', '--manifest', example, '--ttl', '9000']);
    expect(code).toBe(2);
    expect(stderr).toContain('--ttl');
  });

  it('exits 1 without a manifest or any Kubernetes credentials, saying where it looked', async () => {
    const home = mkdtempSync(join(tmpdir(), 'clusterdns-home-'));
    const env = { PATH: process.env.PATH, HOME: home };
    const { code, stderr } = await runCli(['serve', '--listen', '127.0.0.1:0'], 10_000, env);
    expect(code).toBe(1);
    expect(stderr).toContain('CLUSTERDNS_ERR_KUBE_CONFIG');
    expect(stderr).toContain(join(home, '.kube', 'config'));
    expect(stderr).toContain('--manifest');
  });

  it('exits 2 when API-source flags are mixed with --manifest', async () => {
    const { code, stderr } = await runCli(['serve', '--manifest', example, '--namespaces', 'default']);
    expect(code).toBe(2);
    expect(stderr).toContain('--namespaces');
  });

  it('exits 1 with file:line for a broken manifest', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'clusterdns-bad-')), 'bad.yaml');
    writeFileSync(file, 'apiVersion: v1\nkind: List\nitems:\n  - kind: Service\n    metadata: [unclosed\n');
    const { code, stderr } = await runCli(['serve', '--listen', '127.0.0.1:0', '--manifest', file]);
    expect(code).toBe(1);
    expect(stderr).toMatch(new RegExp(`${file}:\\d+`));
  });
});
