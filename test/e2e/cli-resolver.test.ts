// The built CLI answering, through one server, cluster names, zone-file names and outside names forwarded to an
// upstream of the test suite (test/helpers/upstream), asked with the real `dig` over UDP and TCP.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dig } from '../helpers/dig.js';
import { runCli, startCli, type RunningCli } from '../helpers/spawn-cli.js';
import { TestUpstream, a } from '../helpers/upstream/test-upstream.js';
import { RRClass, RRType } from '../../src/wire/types.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const EXAMPLE = join(root, 'examples/cluster.yaml');
const ZONES = join(root, 'zones');

describe('clusterdns serve --zones --upstream (cluster, zone files and forwarding in one server)', () => {
  const upstream = new TestUpstream();
  const corp = new TestUpstream();
  let cli: RunningCli;

  beforeAll(async () => {
    upstream.answer('www.example.com', a('www.example.com', '192.0.2.100', 600));
    upstream.answer('my.database.example.com', a('my.database.example.com', '192.0.2.50', 600));
    corp.answer('git.corp.test', a('git.corp.test', '198.51.100.7', 60));
    await Promise.all([upstream.start(), corp.start()]);
    cli = await startCli(['--manifest', EXAMPLE, '--zones', ZONES, '--upstream', `127.0.0.1:${upstream.port}`, '--stub-domain', `corp.test=127.0.0.1:${corp.port}`, '--metrics', '127.0.0.1:0']);
  });
  afterAll(async () => {
    await cli?.stop();
    await Promise.all([upstream.close(), corp.close()]);
  });

  it('answers a cluster name, a zone-file name and an outside name', async () => {
    const cluster = await dig(cli.port, 'hello.default.svc.cluster.local');
    expect(cluster.answer).toEqual(['hello.default.svc.cluster.local. 5 IN A 10.96.0.20']);
    const zone = await dig(cli.port, 'www.example.internal');
    expect(zone.flags).toContain('aa');
    expect(zone.answer).toEqual(['www.example.internal. 600 IN A 192.0.2.10']);
    const outside = await dig(cli.port, 'www.example.com');
    expect(outside.status).toBe('NOERROR');
    expect(outside.flags).not.toContain('aa'); // relayed as the upstream sent it
    expect(outside.answer).toEqual(['www.example.com. 600 IN A 192.0.2.100']);
  });

  it('answers a forwarded name from the cache the second time, with its TTL counted down, over UDP and TCP', async () => {
    const before = upstream.count('www.example.com');
    expect(before).toBeGreaterThan(0);
    const again = await dig(cli.port, '+tcp', 'WWW.Example.COM');
    expect(again.answer).toHaveLength(1);
    expect(again.answer[0]).toMatch(/^WWW\.Example\.COM\. (\d+) IN A 192\.0\.2\.100$/); // the client's spelling
    expect(Number(/ (\d+) IN/.exec(again.answer[0])![1])).toBeLessThanOrEqual(30); // capped by --cache-ttl 30
    expect(upstream.count('www.example.com')).toBe(before);
  });

  it('follows a zone-file CNAME into the cluster, and an ExternalName out through forwarding', async () => {
    const api = await dig(cli.port, 'api.example.internal');
    expect(api.answer).toEqual(['api.example.internal. 300 IN CNAME hello.default.svc.cluster.local.', 'hello.default.svc.cluster.local. 5 IN A 10.96.0.20']);
    const external = await dig(cli.port, 'database-service.default.svc.cluster.local');
    expect(external.status).toBe('NOERROR');
    expect(external.answer).toEqual([
      'database-service.default.svc.cluster.local. 5 IN CNAME my.database.example.com.',
      'my.database.example.com. 600 IN A 192.0.2.50',
    ]);
  });

  it('passes a PTR question for an address outside the cluster on to the zone files and the forwarder, as kubeadm’s Corefile does', async () => {
    upstream.answer('8.8.8.8.in-addr.arpa', { name: '8.8.8.8.in-addr.arpa', type: RRType.PTR, class: RRClass.IN, ttl: 600, data: 'dns.google' });
    const outside = await dig(cli.port, '-x', '8.8.8.8');
    expect(outside.status).toBe('NOERROR');
    expect(outside.answer).toEqual(['8.8.8.8.in-addr.arpa. 600 IN PTR dns.google.']);
    expect(upstream.count('8.8.8.8.in-addr.arpa')).toBe(1);
    // The cluster's own reverse names stay the cluster's, authoritatively.
    const own = await dig(cli.port, '-x', '10.96.0.20');
    expect(own.flags).toContain('aa');
    expect(own.answer).toEqual(['20.0.96.10.in-addr.arpa. 5 IN PTR hello.default.svc.cluster.local.']);
  });

  it('sends names under a stub domain to that domain’s upstream only', async () => {
    const git = await dig(cli.port, 'git.corp.test');
    expect(git.answer).toEqual(['git.corp.test. 60 IN A 198.51.100.7']);
    expect(corp.count('git.corp.test')).toBe(1);
    expect(upstream.count('git.corp.test')).toBe(0);
  });

  it('publishes the forwarder’s and the cache’s counters under CoreDNS’s metric names', async () => {
    await dig(cli.port, 'www.example.com'); // answered from the cache by now
    const http = cli.logs.find((line) => line.msg === 'http listening' && line.endpoint === '/metrics');
    const body = await (await fetch(`http://${String(http!.address)}/metrics`)).text();
    const value = (pattern: RegExp) => Number(pattern.exec(body)?.[1] ?? NaN);
    expect(value(new RegExp(`^coredns_forward_requests_total\\{to="127\\.0\\.0\\.1:${upstream.port}"\\} (\\d+)$`, 'm'))).toBe(upstream.received.length);
    expect(value(/^coredns_cache_hits_total\{[^}]*type="success"[^}]*\} (\d+)$/m)).toBeGreaterThanOrEqual(2);
    expect(value(/^coredns_cache_misses_total(?:\{[^}]*\})? (\d+)$/m)).toBeGreaterThanOrEqual(2);
  });
});

describe('clusterdns serve --autopath @kubernetes with forwarding', () => {
  it('answers an outside name asked through a pod’s search path in one round trip: CNAME to the name as given, then its forwarded address', async () => {
    const upstream = new TestUpstream();
    upstream.answer('www.example.com', a('www.example.com', '192.0.2.100', 600));
    await upstream.start();
    const cli = await startCli(['--manifest', EXAMPLE, '--manifest', join(root, 'examples/client-pod.yaml'), '--autopath', '@kubernetes', '--upstream', `127.0.0.1:${upstream.port}`]);
    try {
      // examples/client-pod.yaml is a Running pod in `shop` at 127.0.0.2: its resolver's first try for www.example.com.
      const walked = await dig(cli.port, '-b', '127.0.0.2', 'www.example.com.shop.svc.cluster.local');
      expect(walked.status).toBe('NOERROR');
      expect(walked.answer).toEqual(['www.example.com.shop.svc.cluster.local. 600 IN CNAME www.example.com.', 'www.example.com. 600 IN A 192.0.2.100']);
      expect(upstream.count('www.example.com')).toBe(1);
    } finally {
      await cli.stop();
      await upstream.close();
    }
  });
});

describe('clusterdns serve: forwarding off, and errors at start', () => {
  it('refuses outside names when no upstream is configured', async () => {
    const cli = await startCli(['--manifest', EXAMPLE]); // the test helper reads an empty resolv.conf
    try {
      expect((await dig(cli.port, 'www.example.com')).status).toBe('REFUSED');
      expect(cli.logs.find((line) => line.msg === 'serving')).toMatchObject({ forwarding: 'off (outside names are REFUSED)' });
    } finally {
      await cli.stop();
    }
  });

  it('takes the upstreams from the nameserver lines of --resolv-conf, and answers SERVFAIL when none answers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clusterdns-resolv-'));
    const file = join(dir, 'resolv.conf');
    // Nothing listens on 127.0.0.2:53 (loopback, so nothing leaves the machine): every try is refused.
    writeFileSync(file, 'search example.test\nnameserver 127.0.0.2\noptions ndots:5\n');
    const cli = await startCli(['--manifest', EXAMPLE, '--resolv-conf', file]);
    try {
      expect(cli.logs.find((line) => line.msg === 'serving')).toMatchObject({ upstreams: ['127.0.0.2:53'] });
      const failed = await dig(cli.port, '+time=6', 'www.example.com'); // one 2 s try upstream, then SERVFAIL
      expect(failed.status).toBe('SERVFAIL');
      expect((await dig(cli.port, 'hello.default.svc.cluster.local')).answer).toEqual(['hello.default.svc.cluster.local. 5 IN A 10.96.0.20']);
    } finally {
      await cli.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits 1 with file:line:column when a zone file does not parse', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clusterdns-zones-'));
    try {
      cpSync(ZONES, dir, { recursive: true });
      writeFileSync(join(dir, 'broken.test.db'), '$ORIGIN broken.test.\n@ IN SOA ns hostmaster 1 2 3 4 5\nwww IN A 300.1.1.1\n');
      const { code, stderr } = await runCli(['serve', '--listen', '127.0.0.1:0', '--manifest', EXAMPLE, '--zones', dir]);
      expect(code).toBe(1);
      expect(stderr).toMatch(/broken\.test\.db:3:\d+/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits 1 naming the upstream when it forwards back to this server (loop detection)', async () => {
    const port = await freePort();
    const { code, stderr } = await runCli(['serve', '--listen', `127.0.0.1:${port}`, '--manifest', EXAMPLE, '--upstream', `127.0.0.1:${port}`], 15_000);
    expect(code).toBe(1);
    expect(stderr).toContain(`forwarding loop detected: a probe sent to upstream 127.0.0.1:${port}`);
  });

  it('exits 1 on a forwarding loop with --workers 2 too (a worker finds it, the primary exits)', async () => {
    const port = await freePort();
    const { code, stderr } = await runCli(['serve', '--listen', `127.0.0.1:${port}`, '--manifest', EXAMPLE, '--upstream', `127.0.0.1:${port}`, '--workers', '2'], 20_000);
    expect(code).toBe(1);
    expect(stderr).toContain(`forwarding loop detected: a probe sent to upstream 127.0.0.1:${port}`);
  });

  it('answers a PTR from a reverse zone of --zones, which the cluster’s in-addr.arpa does not hide', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clusterdns-rzones-'));
    writeFileSync(
      join(dir, '2.0.192.in-addr.arpa.db'),
      '$ORIGIN 2.0.192.in-addr.arpa.\n$TTL 300\n@ IN SOA ns.example.internal. hostmaster.example.internal. 1 7200 1800 86400 60\n@ IN NS ns.example.internal.\n99 IN PTR host99.example.internal.\n',
    );
    const cli = await startCli(['--manifest', EXAMPLE, '--zones', dir]);
    try {
      const ptr = await dig(cli.port, '-x', '192.0.2.99');
      expect(ptr.flags).toContain('aa');
      expect(ptr.answer).toEqual(['99.2.0.192.in-addr.arpa. 300 IN PTR host99.example.internal.']);
      expect((await dig(cli.port, '-x', '10.96.0.20')).answer).toEqual(['20.0.96.10.in-addr.arpa. 5 IN PTR hello.default.svc.cluster.local.']);
    } finally {
      await cli.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('with --no-kubernetes answers no cluster name itself: cluster and reverse names go to the forwarder', async () => {
    const upstream = new TestUpstream();
    upstream.answer('hello.default.svc.cluster.local', a('hello.default.svc.cluster.local', '192.0.2.77', 60));
    upstream.answer('20.0.96.10.in-addr.arpa', { name: '20.0.96.10.in-addr.arpa', type: RRType.PTR, class: RRClass.IN, ttl: 60, data: 'elsewhere.example.com' });
    await upstream.start();
    const cli = await startCli(['--no-kubernetes', '--upstream', `127.0.0.1:${upstream.port}`]);
    try {
      const name = await dig(cli.port, 'hello.default.svc.cluster.local');
      expect(name.flags).not.toContain('aa');
      expect(name.answer).toEqual(['hello.default.svc.cluster.local. 60 IN A 192.0.2.77']);
      expect((await dig(cli.port, '-x', '10.96.0.20')).answer).toEqual(['20.0.96.10.in-addr.arpa. 60 IN PTR elsewhere.example.com.']);
    } finally {
      await cli.stop();
      await upstream.close();
    }
  });

  it('checks the flags before it looks for Kubernetes credentials: a bad upstream is exit 2 without --manifest too', async () => {
    const { code, stderr } = await runCli(['serve', '--upstream', '999.1.1.1']);
    expect(code).toBe(2);
    expect(stderr).toContain('--upstream');
    expect(stderr).not.toContain('credentials');
  });

  it('rejects a bad upstream address as a bad command line (exit 2)', async () => {
    const { code, stderr } = await runCli(['serve', '--manifest', EXAMPLE, '--upstream', 'resolver.example:53']);
    expect(code).toBe(2);
    expect(stderr).toContain('--upstream');
  });
});

/** A TCP port free right now on 127.0.0.1 (the loop test needs to know its own port before it starts). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
