// --allow-from (CoreDNS acl) on the built CLI: a source outside the prefixes is REFUSED with the Extended DNS
// Error "Blocked" for cluster, zone-file and forwarded names alike (so the upstream never sees its question),
// an allowed source is answered, --deny-action drop sends nothing, and coredns_acl_* count both. Linux routes
// all of 127/8 to lo, so `dig -b 127.0.0.2` is another client on the same machine.
import dgram from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dig } from '../helpers/dig.js';
import { queryBytes } from '../helpers/raw-query.js';
import { startCli, type RunningCli } from '../helpers/spawn-cli.js';
import { TestUpstream, a } from '../helpers/upstream/test-upstream.js';
import { RRType } from '../../src/wire/types.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const EXAMPLE = join(root, 'examples/cluster.yaml');
const ZONES = join(root, 'zones');

async function metricsOf(cli: RunningCli): Promise<string> {
  const address = cli.logs.find((line) => line.msg === 'http listening' && line.endpoint === '/metrics')?.address;
  return (await fetch(`http://${String(address)}/metrics`)).text();
}

/** One UDP query from `source`; the reply, or null when none comes within `timeoutMs`. */
function udpFrom(source: string, port: number, name: string, timeoutMs: number): Promise<Buffer | null> {
  const socket = dgram.createSocket('udp4');
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, source, () => {
      const timer = setTimeout(() => finish(null), timeoutMs);
      const finish = (reply: Buffer | null) => {
        clearTimeout(timer);
        socket.close();
        resolve(reply);
      };
      socket.once('message', (message) => finish(message));
      socket.send(queryBytes(name, RRType.A), port, '127.0.0.1');
    });
  });
}

describe('clusterdns serve --allow-from 127.0.0.1/32 (CoreDNS acl)', () => {
  const upstream = new TestUpstream();
  let cli: RunningCli;

  beforeAll(async () => {
    upstream.answer('www.example.com', a('www.example.com', '192.0.2.100', 600));
    await upstream.start();
    cli = await startCli([
      '--manifest', EXAMPLE, '--zones', ZONES, '--upstream', `127.0.0.1:${upstream.port}`,
      '--allow-from', '127.0.0.1/32,fd00::/8', '--metrics', '127.0.0.1:0',
    ], 25_000);
  });
  afterAll(async () => {
    await cli?.stop();
    await upstream.close();
  });

  it('answers the allowed source: cluster, zone-file and forwarded names', async () => {
    expect((await dig(cli.port, 'hello.default.svc.cluster.local')).answer).toEqual(['hello.default.svc.cluster.local. 5 IN A 10.96.0.20']);
    expect((await dig(cli.port, 'www.example.internal')).answer).toEqual(['www.example.internal. 600 IN A 192.0.2.10']);
    expect((await dig(cli.port, '+tcp', 'www.example.com')).answer).toEqual(['www.example.com. 600 IN A 192.0.2.100']);
  });

  it('refuses another source with EDE 15 (Blocked) over UDP and TCP, and never forwards its question', { timeout: 60_000 }, async () => {
    const asked = upstream.count('blocked.example.com');
    for (const name of ['hello.default.svc.cluster.local', 'www.example.internal', 'blocked.example.com']) {
      for (const transport of ['+notcp', '+tcp']) {
        const blocked = await dig(cli.port, '-b', '127.0.0.2', transport, name);
        expect(blocked.status, `${name} ${transport}`).toBe('REFUSED');
        expect(blocked.answer).toEqual([]);
        expect(blocked.output).toMatch(/EDE: 15 \(Blocked\)/);
      }
    }
    expect(upstream.count('blocked.example.com')).toBe(asked);
  });

  it('counts blocked and allowed queries under CoreDNS acl\'s names and labels', async () => {
    await dig(cli.port, '-b', '127.0.0.2', 'hello.default.svc.cluster.local');
    await dig(cli.port, 'hello.default.svc.cluster.local');
    const text = await metricsOf(cli);
    const blocked = Number(/^coredns_acl_blocked_requests_total\{server="dns:\/\/",zone="\.",view=""\} (\d+)$/m.exec(text)?.[1]);
    const allowed = Number(/^coredns_acl_allowed_requests_total\{server="dns:\/\/",view=""\} (\d+)$/m.exec(text)?.[1]);
    expect(blocked).toBeGreaterThanOrEqual(1);
    expect(allowed).toBeGreaterThanOrEqual(1);
  });
});

describe('clusterdns serve --allow-from 127.0.0.1 --deny-action drop', () => {
  let cli: RunningCli;
  beforeAll(async () => {
    cli = await startCli(['--manifest', EXAMPLE, '--allow-from', '127.0.0.1', '--deny-action', 'drop', '--metrics', '127.0.0.1:0'], 25_000);
  });
  afterAll(async () => {
    await cli?.stop();
  });

  it('sends no reply to another source, answers the allowed one, and counts the drop', async () => {
    expect(await udpFrom('127.0.0.2', cli.port, 'hello.default.svc.cluster.local', 500)).toBeNull();
    expect(await udpFrom('127.0.0.1', cli.port, 'hello.default.svc.cluster.local', 2000)).not.toBeNull();
    expect(await metricsOf(cli)).toMatch(/^coredns_acl_dropped_requests_total\{server="dns:\/\/",zone="\.",view=""\} 1$/m);
  });
});

describe('clusterdns serve --conf with an acl directive', () => {
  let dir: string;
  let cli: RunningCli;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'clusterdns-acl-'));
    const corefile = join(dir, 'Corefile');
    // 127.0.0.2 may ask for TXT only; cluster.local A from anyone else but 127.0.0.1 is filtered.
    writeFileSync(
      corefile,
      `.:53 {\n  acl {\n    allow type TXT net 127.0.0.2\n    block net 127.0.0.2/32\n  }\n  acl cluster.local {\n    allow net 127.0.0.1\n    filter type A\n  }\n  kubernetes cluster.local\n}\n`,
    );
    cli = await startCli(['--conf', corefile, '--manifest', EXAMPLE], 25_000);
  });
  afterAll(async () => {
    await cli?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('applies the rules in order: the first matching line of the first deciding rule wins', async () => {
    expect((await dig(cli.port, 'hello.default.svc.cluster.local')).answer).toEqual(['hello.default.svc.cluster.local. 5 IN A 10.96.0.20']);
    expect((await dig(cli.port, '-b', '127.0.0.2', 'dns-version.cluster.local', 'TXT')).answer).toEqual([expect.stringMatching(/^dns-version\.cluster\.local\. \d+ IN TXT "1\.1\.0"$/)]);
    const blocked = await dig(cli.port, '-b', '127.0.0.2', 'hello.default.svc.cluster.local');
    expect(blocked.status).toBe('REFUSED');
    const filtered = await dig(cli.port, '-b', '127.0.0.3', 'hello.default.svc.cluster.local');
    expect(filtered.status).toBe('NOERROR');
    expect(filtered.answer).toEqual([]);
    expect(filtered.output).toMatch(/EDE: 17 \(Filtered\)/);
  });
});
